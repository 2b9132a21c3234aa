package io.promptloop.support.kafka;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The consumer-group lag gauges ({@link ConsumerGroupLag}).
 *
 * @param enabled whether the service reads its groups' lag from the broker and exposes it
 * @param interval how often (at least 1 s): each time a few offset requests per group, no record is read
 * @param timeout how long one reading may wait for the broker (at least 1 s, at most the interval)
 */
@ConfigurationProperties("promptloop.kafka.lag")
public record LagProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("30s") Duration interval,
        @DefaultValue("10s") Duration timeout) {

    public LagProperties {
        if (interval.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("promptloop.kafka.lag.interval must be at least 1s, was " + interval);
        }
        if (timeout.compareTo(Duration.ofSeconds(1)) < 0 || timeout.compareTo(interval) > 0) {
            throw new IllegalArgumentException("promptloop.kafka.lag.timeout must be between 1s and"
                    + " promptloop.kafka.lag.interval (" + interval + "), was " + timeout);
        }
    }
}
