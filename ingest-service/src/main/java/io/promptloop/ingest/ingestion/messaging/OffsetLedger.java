package io.promptloop.ingest.ingestion.messaging;

import io.promptloop.ingest.ingestion.persistence.WalFlushWatcher.Durability;
import io.promptloop.ingest.ingestion.persistence.WalFlushWatcher.Ticket;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The batches one consumer stored whose offsets are not committed yet, oldest first. A batch's offsets are
 * committed once its transaction is durable and so is every batch before it; when the server may have lost one
 * (see {@link io.promptloop.ingest.ingestion.persistence.WalFlushWatcher}), the consumer is sought back to the
 * first record of the oldest batch not known durable, per partition, and reads them again: the event ids' keys
 * store each once. Used on the consumer's thread only.
 */
final class OffsetLedger {

    /** What the ledger needs of a Kafka consumer (the consumer's thread only). */
    interface Partitions {
        Set<TopicPartition> assignment();

        void commit(Map<TopicPartition, OffsetAndMetadata> offsets);

        void seek(TopicPartition partition, long offset);
    }

    /** Told of every rewind: how many batches were read again. */
    interface Rewinds {
        void rewound(int batches, Map<TopicPartition, Long> positions);
    }

    private record Entry(Ticket ticket, Map<TopicPartition, Long> first, Map<TopicPartition, Long> next) {}

    private final ArrayDeque<Entry> entries = new ArrayDeque<>();
    private final Function<Ticket, Durability> durability;
    private final Rewinds rewinds;
    private final LongSupplier nanoTime;

    OffsetLedger(Function<Ticket, Durability> durability, Rewinds rewinds, LongSupplier nanoTime) {
        this.durability = durability;
        this.rewinds = rewinds;
        this.nanoTime = nanoTime;
    }

    /** Records that {@code stored} (records of one poll, in order) were written in the ticket's transaction. */
    void add(Ticket ticket, List<? extends ConsumerRecord<?, ?>> stored) {
        if (stored.isEmpty()) return;
        Map<TopicPartition, Long> first = new HashMap<>();
        Map<TopicPartition, Long> next = new HashMap<>();
        for (ConsumerRecord<?, ?> record : stored) {
            TopicPartition partition = new TopicPartition(record.topic(), record.partition());
            first.merge(partition, record.offset(), Math::min);
            next.merge(partition, record.offset() + 1, Math::max);
        }
        entries.addLast(new Entry(ticket, first, next));
    }

    int pending() {
        return entries.size();
    }

    /**
     * Commits the offsets of the batches that are durable, in order. When one may have been lost, seeks back to it
     * (and to the start of {@code unread}, records of this poll not stored) and returns false: the caller must not
     * store {@code unread}, they will be read again.
     */
    boolean settle(Partitions partitions, List<? extends ConsumerRecord<?, ?>> unread) {
        Map<TopicPartition, OffsetAndMetadata> durable = new HashMap<>();
        while (!entries.isEmpty()) {
            Entry oldest = entries.peekFirst();
            Durability state = durability.apply(oldest.ticket());
            if (state == Durability.PENDING) break;
            if (state == Durability.LOST) {
                commit(partitions, durable);
                rewind(partitions, unread);
                return false;
            }
            oldest.next()
                    .forEach((partition, offset) -> durable.merge(
                            partition, new OffsetAndMetadata(offset), (a, b) -> a.offset() >= b.offset() ? a : b));
            entries.removeFirst();
        }
        commit(partitions, durable);
        return true;
    }

    /**
     * Waits until every batch is durable and committed (before offsets are committed by someone else: the error
     * handler commits those of a stored prefix). False when it had to rewind instead: lost, or not durable within
     * {@code timeout}.
     */
    boolean awaitDurable(Partitions partitions, List<? extends ConsumerRecord<?, ?>> unread, Duration timeout) {
        long deadline = nanoTime.getAsLong() + timeout.toNanos();
        while (true) {
            if (!settle(partitions, unread)) return false;
            if (entries.isEmpty()) return true;
            if (nanoTime.getAsLong() - deadline > 0) {
                rewind(partitions, unread);
                return false;
            }
            LockSupport.parkNanos(2_000_000);
        }
    }

    /** Forgets every batch without committing (the partitions are gone: their next owner reads them again). */
    void clear() {
        entries.clear();
    }

    private void rewind(Partitions partitions, List<? extends ConsumerRecord<?, ?>> unread) {
        Map<TopicPartition, Long> positions = new HashMap<>();
        for (Entry entry : entries) entry.first().forEach((p, o) -> positions.merge(p, o, Math::min));
        for (ConsumerRecord<?, ?> record : unread) {
            positions.merge(new TopicPartition(record.topic(), record.partition()), record.offset(), Math::min);
        }
        int batches = entries.size();
        entries.clear();
        Set<TopicPartition> assigned = partitions.assignment();
        positions.keySet().retainAll(assigned);
        positions.forEach(partitions::seek);
        rewinds.rewound(batches, positions);
    }

    private static void commit(Partitions partitions, Map<TopicPartition, OffsetAndMetadata> offsets) {
        if (!offsets.isEmpty()) partitions.commit(offsets);
    }
}
