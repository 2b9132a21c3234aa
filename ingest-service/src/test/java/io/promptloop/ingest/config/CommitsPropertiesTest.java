package io.promptloop.ingest.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.promptloop.ingest.ingestion.messaging.DurableOffsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.kafka.listener.ContainerProperties.AckMode;

/**
 * {@code promptloop.ingest.commits} and the listener settings it relies on: defaults, and a clear error naming the
 * property for a bad value.
 */
class CommitsPropertiesTest {

    private static IngestProperties bind(Map<String, String> values) {
        return new Binder(new MapConfigurationPropertySource(values))
                .bindOrCreate("promptloop.ingest", IngestProperties.class);
    }

    @Test
    void shouldDefaultToSynchronousCommits() {
        IngestProperties.Commits commits = bind(Map.of()).commits();
        assertThat(commits.mode()).isEqualTo(IngestProperties.Commits.Mode.SYNCHRONOUS);
        assertThat(commits.flushPoll()).isEqualTo(Duration.ofMillis(20));
        assertThat(commits.flushTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(bind(Map.of("promptloop.ingest.commits.mode", "synchronous"))
                        .commits()
                        .mode())
                .isEqualTo(IngestProperties.Commits.Mode.SYNCHRONOUS);
    }

    @Test
    void shouldRefuseAModeItDoesNotKnow() {
        assertThatThrownBy(() -> bind(Map.of("promptloop.ingest.commits.mode", "eventually")))
                .isInstanceOf(BindException.class)
                .hasMessageContaining("promptloop.ingest.commits.mode");
    }

    @Test
    void shouldRefuseAPollIntervalOrTimeoutOutOfRange() {
        assertThatThrownBy(() -> bind(Map.of("promptloop.ingest.commits.flush-poll", "0ms")))
                .rootCause()
                .hasMessageContaining("promptloop.ingest.commits.flush-poll must be between 1ms and 1s, was PT0S");
        assertThatThrownBy(() -> bind(Map.of("promptloop.ingest.commits.flush-poll", "2s")))
                .rootCause()
                .hasMessageContaining("flush-poll must be between 1ms and 1s");
        assertThatThrownBy(() -> bind(Map.of("promptloop.ingest.commits.flush-timeout", "50ms")))
                .rootCause()
                .hasMessageContaining("promptloop.ingest.commits.flush-timeout must be at least 100ms, was PT0.05S");
    }

    @Test
    void shouldRefuseListenerSettingsUnderWhichOffsetsWouldBeCommittedTooEarlyOrNever() {
        DurableOffsets.requireListenerSettings(AckMode.MANUAL, Duration.ofSeconds(1)); // the service's own
        assertThatThrownBy(() -> DurableOffsets.requireListenerSettings(AckMode.BATCH, Duration.ofSeconds(1)))
                .hasMessageContaining("spring.kafka.listener.ack-mode must be manual")
                .hasMessageContaining("was BATCH");
        assertThatThrownBy(() -> DurableOffsets.requireListenerSettings(AckMode.MANUAL, null))
                .hasMessageContaining("spring.kafka.listener.idle-event-interval must be set");
    }
}
