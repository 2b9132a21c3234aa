package io.promptloop.support.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.anyCollection;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doReturn;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * The gauges over offsets given by hand (our own {@link BrokerOffsets}); the offsets' arithmetic is {@link
 * KafkaBacklogTest}'s, the broker side is proven against a real broker in the services' ITs that scrape it.
 */
class ConsumerGroupLagTest {

    private static final TopicPartition S0 = new TopicPartition("agent-sessions", 0);
    private static final TopicPartition S1 = new TopicPartition("agent-sessions", 1);

    private final BrokerOffsets offsets = mock(BrokerOffsets.class);
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final ConsumerGroupLag lag = new ConsumerGroupLag(
            new KafkaBacklog(offsets),
            () -> Map.of("promptloop-ingest", List.of("agent-sessions", "agent-evaluations")),
            meters,
            Duration.ofSeconds(30));

    @Test
    void shouldExposeTheGroupsTotalLagPerTopicAndNaNForATopicThatDoesNotExist() {
        when(offsets.partitions(List.of("agent-sessions", "agent-evaluations")))
                .thenReturn(Map.of("agent-sessions", List.of(S0, S1)));
        when(offsets.committed("promptloop-ingest")).thenReturn(Map.of(S0, 100L, S1, 40L));
        when(offsets.latest(anyCollection(), eq(true))).thenReturn(Map.of(S0, 130L, S1, 52L));

        lag.refresh();

        assertThat(gauge("agent-sessions")).isEqualTo(42.0); // (130 − 100) + (52 − 40): summed, not the max
        assertThat(gauge("agent-evaluations")).isNaN();
    }

    @Test
    void shouldShowNaNWhileTheBrokerCannotAnswerAndTheFigureAgainOnceItCan() {
        when(offsets.partitions(List.of("agent-sessions", "agent-evaluations")))
                .thenReturn(Map.of("agent-sessions", List.of(S0)));
        when(offsets.committed("promptloop-ingest")).thenReturn(Map.of(S0, 10L));
        when(offsets.latest(anyCollection(), eq(true))).thenReturn(Map.of(S0, 17L));
        lag.refresh();
        assertThat(gauge("agent-sessions")).isEqualTo(7.0);

        when(offsets.committed("promptloop-ingest")).thenThrow(new BrokerUnavailableException("no broker", null));
        lag.refresh(); // must not throw: it runs on a scheduler thread
        assertThat(gauge("agent-sessions")).isNaN();

        doReturn(Map.of(S0, 15L)).when(offsets).committed("promptloop-ingest"); // when() would call the throwing stub
        lag.refresh();
        assertThat(gauge("agent-sessions")).isEqualTo(2.0);
    }

    @Test
    void shouldRefuseAnIntervalThatIsNotPositive() {
        assertThatThrownBy(() -> new ConsumerGroupLag(new KafkaBacklog(offsets), Map::of, meters, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("positive");
    }

    @Test
    void shouldNameThePropertyOfABadIntervalOrTimeout() {
        assertThatThrownBy(() -> new LagProperties(true, Duration.ofMillis(500), Duration.ofSeconds(1)))
                .hasMessageContaining("promptloop.kafka.lag.interval");
        assertThatThrownBy(() -> new LagProperties(true, Duration.ofSeconds(5), Duration.ofSeconds(10)))
                .hasMessageContaining("promptloop.kafka.lag.timeout");
    }

    private double gauge(String topic) {
        return meters.get(ConsumerGroupLag.METER)
                .tag("group", "promptloop-ingest")
                .tag("topic", topic)
                .gauge()
                .value();
    }
}
