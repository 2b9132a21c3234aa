package io.promptloop.ingest.ingestion.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import io.promptloop.ingest.ingestion.persistence.WalFlushWatcher;
import io.promptloop.ingest.ingestion.persistence.WalFlushWatcher.Durability;
import io.promptloop.ingest.ingestion.persistence.WalFlushWatcher.Ticket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** Offsets are committed only for a durable prefix of the stored batches; a lost batch is read again. */
class OffsetLedgerTest {

    private static final String TOPIC = "agent-sessions";
    private static final TopicPartition P0 = new TopicPartition(TOPIC, 0);
    private static final TopicPartition P1 = new TopicPartition(TOPIC, 1);
    private static final TopicPartition P2 = new TopicPartition(TOPIC, 2);

    private final Map<Ticket, Durability> state = new HashMap<>();
    private final AtomicLong now = new AtomicLong();
    private final List<Integer> rewinds = new ArrayList<>();
    private final OffsetLedger ledger =
            new OffsetLedger(t -> state.get(t), (batches, positions) -> rewinds.add(batches), now::get);
    private final RecordingPartitions partitions = new RecordingPartitions(Set.of(P0, P1, P2));
    private final WalFlushWatcher tickets =
            new WalFlushWatcher(false, null, Duration.ofMillis(20), Duration.ofSeconds(1));

    @Test
    void shouldCommitTheDurableBatchesInOrderAndStopAtThePendingOne() {
        Ticket first = ticket(Durability.DURABLE);
        Ticket second = ticket(Durability.PENDING);
        Ticket third = ticket(Durability.DURABLE);
        ledger.add(first, List.of(record(0, 10), record(0, 11), record(1, 5)));
        ledger.add(second, List.of(record(0, 12), record(1, 6)));
        ledger.add(third, List.of(record(0, 13)));

        assertThat(ledger.settle(partitions, List.of())).isTrue();

        assertThat(partitions.commits)
                .containsExactly(Map.of(P0, new OffsetAndMetadata(12), P1, new OffsetAndMetadata(6)));
        assertThat(ledger.pending()).isEqualTo(2);

        state.put(second, Durability.DURABLE);
        assertThat(ledger.settle(partitions, List.of())).isTrue();
        assertThat(partitions.commits.get(1))
                .as("the second and third batch together, highest offset per partition")
                .isEqualTo(Map.of(P0, new OffsetAndMetadata(14), P1, new OffsetAndMetadata(7)));
        assertThat(ledger.pending()).isZero();
        assertThat(partitions.seeks).isEmpty();
    }

    @Test
    void shouldSeekBackToTheFirstBatchNotKnownDurableWhenOneIsLost() {
        Ticket durable = ticket(Durability.DURABLE);
        Ticket lost = ticket(Durability.LOST);
        Ticket pending = ticket(Durability.PENDING);
        ledger.add(durable, List.of(record(0, 10), record(1, 5)));
        ledger.add(lost, List.of(record(0, 11), record(1, 6), record(2, 40)));
        ledger.add(pending, List.of(record(0, 12)));
        List<ConsumerRecord<String, String>> unread = List.of(record(0, 13), record(2, 41), record(1, 7));

        assertThat(ledger.settle(partitions, unread)).isFalse();

        assertThat(partitions.commits)
                .containsExactly(Map.of(P0, new OffsetAndMetadata(11), P1, new OffsetAndMetadata(6)));
        assertThat(partitions.seeks).isEqualTo(Map.of(P0, 11L, P1, 6L, P2, 40L));
        assertThat(rewinds).containsExactly(2);
        assertThat(ledger.pending()).isZero();
    }

    @Test
    void shouldOnlySeekPartitionsStillAssigned() {
        RecordingPartitions onlyP1 = new RecordingPartitions(Set.of(P1));
        ledger.add(ticket(Durability.LOST), List.of(record(0, 3), record(1, 4)));

        assertThat(ledger.settle(onlyP1, List.of(record(2, 9)))).isFalse();

        assertThat(onlyP1.seeks).isEqualTo(Map.of(P1, 4L));
    }

    @Test
    void shouldSeekTheUnreadRecordsBackWhenEverythingBeforeIsLostEvenWithoutBatches() {
        ledger.add(ticket(Durability.LOST), List.of(record(0, 3)));
        assertThat(ledger.settle(partitions, List.of(record(0, 4), record(1, 8))))
                .isFalse();
        assertThat(partitions.seeks).isEqualTo(Map.of(P0, 3L, P1, 8L));
    }

    @Test
    void shouldWaitUntilEverythingIsDurableBeforeAnErrorHandlerCommits() {
        AtomicLong asked = new AtomicLong();
        // the flush is seen at the fourth look (the watcher's thread sets it in the service)
        OffsetLedger waiting = new OffsetLedger(
                t -> asked.incrementAndGet() > 3 ? Durability.DURABLE : Durability.PENDING,
                (batches, positions) -> rewinds.add(batches),
                System::nanoTime);
        waiting.add(tickets.begin(), List.of(record(0, 1)));

        assertThat(waiting.awaitDurable(partitions, List.of(record(0, 2)), Duration.ofSeconds(30)))
                .isTrue();

        assertThat(asked).hasValue(4);
        assertThat(partitions.commits).containsExactly(Map.of(P0, new OffsetAndMetadata(2)));
        assertThat(partitions.seeks).isEmpty();
        assertThat(waiting.pending()).isZero();
    }

    @Test
    void shouldReadAgainWhatIsNotDurableWithinTheTimeout() {
        ledger.add(ticket(Durability.PENDING), List.of(record(0, 1)));
        OffsetLedger late = new OffsetLedger(
                t -> Durability.PENDING,
                (batches, positions) -> rewinds.add(batches),
                () -> now.addAndGet(1_000_000_000L));
        late.add(ticket(Durability.PENDING), List.of(record(0, 5)));

        assertThat(late.awaitDurable(partitions, List.of(record(0, 6)), Duration.ofSeconds(3)))
                .isFalse();

        assertThat(partitions.commits).isEmpty();
        assertThat(partitions.seeks).isEqualTo(Map.of(P0, 5L));
        assertThat(rewinds).containsExactly(1);
        assertThat(late.pending()).isZero();
    }

    private Ticket ticket(Durability durability) {
        Ticket ticket = tickets.begin();
        state.put(ticket, durability);
        return ticket;
    }

    private static ConsumerRecord<String, String> record(int partition, long offset) {
        return new ConsumerRecord<>(TOPIC, partition, offset, "key", "value");
    }

    private static final class RecordingPartitions implements OffsetLedger.Partitions {
        private final Set<TopicPartition> assigned;
        final List<Map<TopicPartition, OffsetAndMetadata>> commits = new ArrayList<>();
        final Map<TopicPartition, Long> seeks = new LinkedHashMap<>();

        RecordingPartitions(Set<TopicPartition> assigned) {
            this.assigned = assigned;
        }

        @Override
        public Set<TopicPartition> assignment() {
            return assigned;
        }

        @Override
        public void commit(Map<TopicPartition, OffsetAndMetadata> offsets) {
            commits.add(Map.copyOf(offsets));
        }

        @Override
        public void seek(TopicPartition partition, long offset) {
            seeks.put(partition, offset);
        }
    }
}
