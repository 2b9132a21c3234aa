package io.promptloop.console.config;

import jakarta.servlet.http.HttpServletResponse;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.security.autoconfigure.actuate.web.servlet.EndpointRequest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.validation.annotation.Validated;

/**
 * READER sees every page, OPERATOR also acts (every POST); anonymous requests get 401 with the login form as
 * body, a READER's action 403, a form without its CSRF token 403. Users as the services configure them
 * ({@code promptloop.security.users[i].name|password|roles}).
 *
 * <p>Temporary: the shared {@code service-support} module (issue 8) will give every service, the console
 * included, this HTTP security; when it is on main this class goes.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(ConsoleSecurityConfig.Users.class)
class ConsoleSecurityConfig {

    @ConfigurationProperties("promptloop.security")
    @Validated
    record Users(
            @DefaultValue @NotEmpty(message = "configure at least one user in promptloop.security.users") @Valid
            List<UserEntry> users) {}

    record UserEntry(
            @NotNull @Pattern(regexp = "[A-Za-z0-9_.@-]{1,64}")
            String name,

            @NotNull
            @Pattern(
                    regexp = "\\{[a-z0-9]+}.+",
                    message = "must start with an encoding prefix such as {bcrypt} or {noop}")
            String password,

            @NotEmpty List<@Pattern(regexp = "READER|OPERATOR") String> roles) {}

    @Bean
    SecurityFilterChain consoleSecurity(HttpSecurity http) throws Exception {
        http.authorizeHttpRequests(auth -> auth.requestMatchers(EndpointRequest.to(HealthEndpoint.class))
                        .permitAll()
                        .requestMatchers("/login", "/css/**", "/js/**", "/webjars/**", "/favicon.ico", "/error")
                        .permitAll()
                        .requestMatchers(HttpMethod.GET, "/**")
                        .hasAnyRole("READER", "OPERATOR")
                        .anyRequest()
                        .hasRole("OPERATOR"))
                .formLogin(form -> form.loginPage("/login").permitAll())
                .httpBasic(Customizer.withDefaults())
                // anonymous: 401, and the login form as the body (a browser shows it, a script sees the status)
                .exceptionHandling(e -> e.authenticationEntryPoint((request, response, ex) -> {
                    response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
                    request.getRequestDispatcher("/login").forward(request, response);
                }))
                .logout(Customizer.withDefaults());
        return http.build();
    }

    @Bean
    PasswordEncoder passwordEncoder() {
        return PasswordEncoderFactories.createDelegatingPasswordEncoder();
    }

    @Bean
    UserDetailsService users(Users properties) {
        List<UserDetails> users = properties.users().stream()
                .map(u -> User.withUsername(u.name())
                        .password(u.password())
                        .roles(u.roles().toArray(String[]::new))
                        .build())
                .toList();
        // a plain lookup: InMemoryUserDetailsManager would re-encode {noop} passwords with BCrypt on first login
        var byName = new InMemoryUserDetailsManager(users);
        return byName::loadUserByUsername;
    }
}
