package io.promptloop.support.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.anyCollection;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** The arithmetic of lag and arrivals, over offsets given by hand (the broker side is proven in ConsoleBrowserIT). */
class KafkaBacklogTest {

    private static final TopicPartition S0 = new TopicPartition("agent-sessions", 0);
    private static final TopicPartition S1 = new TopicPartition("agent-sessions", 1);
    private static final TopicPartition S2 = new TopicPartition("agent-sessions", 2);
    private static final TopicPartition E0 = new TopicPartition("agent-evaluations", 0);
    private static final TopicPartition D0 = new TopicPartition("agent-sessions-dlt", 0);
    private static final TopicPartition D1 = new TopicPartition("agent-sessions-dlt", 1);

    private final BrokerOffsets offsets = mock(BrokerOffsets.class);
    private final KafkaBacklog backlog = new KafkaBacklog(offsets);

    @Test
    void shouldSubtractCommittedFromStableEndPerPartitionAndSumPerTopic() {
        when(offsets.partitions(List.of("agent-sessions", "agent-evaluations")))
                .thenReturn(Map.of("agent-sessions", List.of(S0, S1, S2), "agent-evaluations", List.of(E0)));
        // S2 never committed; E0 fully read
        when(offsets.committed("promptloop-ingest")).thenReturn(Map.of(S0, 100L, S1, 40L, E0, 7L));
        when(offsets.latest(anyCollection(), eq(true))).thenReturn(Map.of(S0, 130L, S1, 40L, S2, 25L, E0, 7L));
        when(offsets.earliest(List.of(S2))).thenReturn(Map.of(S2, 5L));

        List<KafkaBacklog.Lag> lag = backlog.lag("promptloop-ingest", List.of("agent-sessions", "agent-evaluations"));

        assertThat(lag)
                .containsExactly(
                        // row: (130 − 100) + (40 − 40) + (25 − 5, from the log start) = 50
                        new KafkaBacklog.Lag("promptloop-ingest", "agent-sessions", 50, 3, 1),
                        // row: 7 − 7 = 0
                        new KafkaBacklog.Lag("promptloop-ingest", "agent-evaluations", 0, 1, 0));
    }

    @Test
    void shouldReportATopicThatDoesNotExistAsNoPartitionsAndNoLag() {
        when(offsets.partitions(List.of("ab-observations"))).thenReturn(Map.of());
        when(offsets.committed("promptloop-abtest")).thenReturn(Map.of());
        when(offsets.latest(List.of(), true)).thenReturn(Map.of());

        assertThat(backlog.lag("promptloop-abtest", List.of("ab-observations")))
                .singleElement()
                .satisfies(l -> {
                    assertThat(l.lag()).isZero();
                    assertThat(l.topicExists()).isFalse();
                });
        verify(offsets, never()).earliest(anyCollection());
    }

    @Test
    void shouldNeverCountANegativeLagWhenTheCommittedOffsetIsAheadOfTheStableEnd() {
        // a transaction still open: the last stable offset lags behind what the group committed before
        when(offsets.partitions(List.of("agent-sessions"))).thenReturn(Map.of("agent-sessions", List.of(S0)));
        when(offsets.committed("g")).thenReturn(Map.of(S0, 12L));
        when(offsets.latest(anyCollection(), eq(true))).thenReturn(Map.of(S0, 10L));

        assertThat(backlog.lag("g", List.of("agent-sessions")).getFirst().lag()).isZero();
    }

    @Test
    void shouldCountRecordsFromTheFirstOffsetAtOrAfterTheInstantToTheEnd() {
        Instant since = Instant.parse("2026-12-06T15:00:00Z");
        when(offsets.partitions(List.of("agent-sessions-dlt", "ab-observations-dlt")))
                .thenReturn(Map.of("agent-sessions-dlt", List.of(D0, D1)));
        when(offsets.latest(anyCollection(), eq(false))).thenReturn(Map.of(D0, 210L, D1, 9L));
        // D1: nothing at or after the instant
        when(offsets.firstAtOrAfter(anyCollection(), eq(since))).thenReturn(Map.of(D0, 200L));

        assertThat(backlog.arrivedSince(List.of("agent-sessions-dlt", "ab-observations-dlt"), since))
                .containsExactly(
                        // row: 210 − 200 on partition 0, none on partition 1
                        new KafkaBacklog.Arrivals("agent-sessions-dlt", since, 10, 2),
                        // row: the topic does not exist (no service dead-lettered there yet)
                        new KafkaBacklog.Arrivals("ab-observations-dlt", since, 0, 0));
    }

    @Test
    void shouldFailClearlyWhenTheBrokerLeavesAPartitionOut() {
        when(offsets.partitions(List.of("agent-sessions"))).thenReturn(Map.of("agent-sessions", List.of(S0, S1)));
        when(offsets.committed("g")).thenReturn(Map.of(S0, 1L, S1, 1L));
        when(offsets.latest(anyCollection(), eq(true))).thenReturn(Map.of(S0, 3L));

        assertThatThrownBy(() -> backlog.lag("g", List.of("agent-sessions")))
                .isInstanceOf(BrokerUnavailableException.class)
                .hasMessageContaining("no end offset for agent-sessions-1");
    }

    @Test
    void shouldRejectBootstrapServersThatAreNotHostAndPort() {
        assertThatThrownBy(() -> KafkaBacklog.connect("not a broker list", Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a broker list");
    }
}
