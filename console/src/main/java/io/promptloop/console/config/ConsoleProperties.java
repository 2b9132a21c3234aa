package io.promptloop.console.config;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Where the services are and the credential the console acts with (an OPERATOR of the services), and how many
 * rows a page shows.
 */
@ConfigurationProperties("promptloop.console")
@Validated
public record ConsoleProperties(
        @NotNull @DefaultValue("http://127.0.0.1:8081") URI ingestUrl,
        @NotNull @DefaultValue("http://127.0.0.1:8082") URI optimizerUrl,
        @NotNull @DefaultValue("http://127.0.0.1:8083") URI abtestUrl,

        @NotBlank(message = "configure promptloop.console.service-user, an OPERATOR of the services")
        String serviceUser,

        @NotBlank(message = "configure promptloop.console.service-password")
        String servicePassword,

        @DefaultValue("25") @Min(1) @Max(500) int pageSize) {}
