package io.promptloop.support.security;

import io.promptloop.support.web.Problems;
import java.util.List;
import org.springframework.boot.actuate.autoconfigure.web.server.ManagementPortType;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.security.autoconfigure.actuate.web.servlet.EndpointRequest;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;

/**
 * HTTP security of every promptloop service. The data holds tester identities and prompts, so every API
 * endpoint needs a user (HTTP Basic): reading needs {@code READER} or {@code OPERATOR}, changing anything needs
 * {@code OPERATOR}. Health and metrics are served on the management port ({@code management.server.port}) without
 * credentials, so kubelet probes and Prometheus need no API password; that port is meant to be reachable only
 * inside the cluster (the deploy manifests' NetworkPolicy admits the monitoring namespace and the kubelet). When
 * the management port is the API port, only health is open there.
 */
@AutoConfiguration
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@EnableConfigurationProperties(SecurityProperties.class)
public class PromptloopSecurityAutoConfiguration {

    /** The API's rules; a module with pages of its own (the console) declares its own chain instead. */
    @Bean
    @ConditionalOnMissingBean(SecurityFilterChain.class)
    SecurityFilterChain promptloopApiSecurity(HttpSecurity http, Environment environment, Problems problems)
            throws Exception {
        boolean managementApart = ManagementPortType.get(environment) == ManagementPortType.DIFFERENT;
        String reader = SecurityProperties.READER;
        String operator = SecurityProperties.OPERATOR;
        http.authorizeHttpRequests(auth -> {
                    if (managementApart) {
                        // only actuator endpoints exist on the management port; on the API port these paths are 404
                        auth.requestMatchers(EndpointRequest.toAnyEndpoint()).permitAll();
                    } else {
                        auth.requestMatchers(EndpointRequest.to(HealthEndpoint.class))
                                .permitAll();
                    }
                    auth.requestMatchers("/error")
                            .permitAll()
                            .requestMatchers(HttpMethod.GET, "/api/**", "/v3/api-docs/**")
                            .hasAnyRole(reader, operator)
                            .requestMatchers(HttpMethod.HEAD, "/api/**")
                            .hasAnyRole(reader, operator)
                            .requestMatchers("/api/**")
                            .hasRole(operator)
                            .anyRequest()
                            .authenticated();
                })
                .httpBasic(basic -> basic.authenticationEntryPoint((request, response, e) -> {
                    response.setHeader("WWW-Authenticate", "Basic realm=\"promptloop\"");
                    problems.write(response, HttpStatus.UNAUTHORIZED, "authentication required", request);
                }))
                .exceptionHandling(ex -> ex.accessDeniedHandler((request, response, e) -> problems.write(
                        response,
                        HttpStatus.FORBIDDEN,
                        "this user's roles do not allow " + request.getMethod() + " " + request.getRequestURI(),
                        request)))
                .csrf(csrf -> csrf.disable()) // stateless API with Basic auth: no cookies to forge
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS));
        return http.build();
    }

    @Bean
    @ConditionalOnMissingBean
    PasswordEncoder passwordEncoder() {
        return PasswordEncoderFactories.createDelegatingPasswordEncoder();
    }

    @Bean
    @ConditionalOnMissingBean
    UserDetailsService promptloopUsers(SecurityProperties properties) {
        List<UserDetails> users = properties.users().stream()
                .map(u -> User.withUsername(u.name())
                        .password(u.password())
                        .roles(u.roles().toArray(String[]::new))
                        .build())
                .toList();
        // A plain lookup, not InMemoryUserDetailsManager itself: that one is also a UserDetailsPasswordService, so
        // Spring would re-encode {noop} passwords with BCrypt on first login and pay BCrypt on every stateless request.
        var byName = new InMemoryUserDetailsManager(users);
        return byName::loadUserByUsername;
    }
}
