package io.promptloop.support.web;

import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Limits of the HTTP API.
 *
 * @param maxRequestSize largest request body accepted; larger ones are answered 413 without being read whole
 */
@Validated
@ConfigurationProperties("promptloop.http")
public record HttpProperties(@DefaultValue("1MB") @NotNull DataSize maxRequestSize) {

    public HttpProperties {
        if (maxRequestSize != null && (maxRequestSize.toBytes() < 1 || maxRequestSize.toMegabytes() > 1024)) {
            throw new IllegalArgumentException(
                    "promptloop.http.max-request-size must be between 1B and 1GB, was " + maxRequestSize);
        }
    }
}
