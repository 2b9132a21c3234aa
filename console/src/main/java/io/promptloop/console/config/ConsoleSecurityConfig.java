package io.promptloop.console.config;

import jakarta.servlet.http.HttpServletResponse;
import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.security.autoconfigure.actuate.web.servlet.EndpointRequest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;

/**
 * The console's pages: READER sees every page, OPERATOR also acts (every POST); anonymous requests get 401 with the
 * login form as body, a READER's action 403, a form without its CSRF token 403. Users, roles and password encoding
 * are service-support's ({@code promptloop.security.users[i]}); only the chain is the console's own, because pages
 * need a login form, a session and CSRF tokens where the services' stateless API has HTTP Basic (service-support
 * steps back when a module declares its own chain).
 */
@Configuration(proxyBeanMethods = false)
class ConsoleSecurityConfig {

    @Bean
    SecurityFilterChain consoleSecurity(HttpSecurity http) throws Exception {
        http.authorizeHttpRequests(auth -> auth.requestMatchers(EndpointRequest.to(HealthEndpoint.class))
                        .permitAll()
                        .requestMatchers("/login", "/css/**", "/js/**", "/webjars/**", "/error")
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
}
