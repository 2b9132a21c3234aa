package io.promptloop.support.kafka;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Topic creation at start-up.
 *
 * @param create whether the service creates its topics (and their dead-letter topics) if missing; off where an
 *     operator manages topics (e.g. Strimzi's KafkaTopic)
 * @param replicationFactor replication of created topics; -1 takes the broker's default
 */
@Validated
@ConfigurationProperties("promptloop.topics")
public record TopicProperties(
        @DefaultValue("true") boolean create,
        @DefaultValue("-1") @Min(-1) @Max(10) int replicationFactor) {

    public TopicProperties {
        if (replicationFactor == 0) {
            throw new IllegalArgumentException(
                    "promptloop.topics.replication-factor must be -1 (the broker's default) or 1..10, was 0");
        }
    }
}
