package io.promptloop.support.web;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.Ordered;
import tools.jackson.databind.json.JsonMapper;

/**
 * The HTTP surface every service shares: RFC 9457 problems for every bad request ({@link ProblemResponses}), a
 * request size limit answered 413 ({@link RequestSizeLimitFilter}), and the OpenAPI description of the service's
 * API at {@code /v3/api-docs} (springdoc, generated from the controllers, so it cannot drift from them).
 */
@AutoConfiguration
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@EnableConfigurationProperties(HttpProperties.class)
@Import(ProblemResponses.class)
public class PromptloopWebAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    Problems problems() {
        return new Problems(JsonMapper.builder().build());
    }

    @Bean
    FilterRegistrationBean<RequestSizeLimitFilter> requestSizeLimitFilter(
            HttpProperties properties, Problems problems) {
        var registration = new FilterRegistrationBean<>(
                new RequestSizeLimitFilter(properties.maxRequestSize().toBytes(), problems));
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 10); // before security: refuse before anything is read
        return registration;
    }

    @Bean
    @ConditionalOnMissingBean
    OpenAPI promptloopOpenApi(
            @Value("${spring.application.name}") String service,
            @Value("${promptloop.version:development}") String version) {
        return new OpenAPI()
                .info(
                        new Info()
                                .title("promptloop " + service)
                                .version(version)
                                .description(
                                        "HTTP API of promptloop's " + service
                                                + ". HTTP Basic: GET needs role READER or OPERATOR, every other method OPERATOR."
                                                + " Errors are RFC 9457 problems; a bad request lists the offending fields in `errors`."))
                .components(new Components()
                        .addSecuritySchemes(
                                "basic",
                                new SecurityScheme()
                                        .type(SecurityScheme.Type.HTTP)
                                        .scheme("basic")))
                .addSecurityItem(new SecurityRequirement().addList("basic"));
    }
}
