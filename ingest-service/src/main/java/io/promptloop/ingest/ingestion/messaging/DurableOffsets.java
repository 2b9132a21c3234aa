package io.promptloop.ingest.ingestion.messaging;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.promptloop.ingest.ingestion.persistence.WalFlushWatcher;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.kafka.event.ListenerContainerIdleEvent;
import org.springframework.kafka.listener.ConsumerAwareRebalanceListener;
import org.springframework.kafka.listener.ContainerProperties.AckMode;

/**
 * Commits the ingest consumers' offsets once what they stored is durable (the listener containers run with
 * {@code ack-mode: manual} and never commit on their own; Spring's error handler still commits a stored prefix
 * and a dead-lettered record, after the listener made them durable). Each consumer thread has its
 * {@link OffsetLedger}; this settles it when the listener is called, when its container is idle (so a stream that
 * stopped gets its last offsets committed, or read again if the server lost them) and before its partitions are
 * revoked.
 */
public final class DurableOffsets implements ConsumerAwareRebalanceListener {

    private static final Logger log = LoggerFactory.getLogger(DurableOffsets.class);

    /** Metric of the batches read again because PostgreSQL may have lost their asynchronous commits. */
    public static final String REWOUND = "promptloop.ingest.rewound.batches";

    private final WalFlushWatcher watcher;
    private final Duration flushTimeout;
    private final Counter rewound;
    private final ThreadLocal<OffsetLedger> ledgers;

    public DurableOffsets(WalFlushWatcher watcher, Duration flushTimeout, MeterRegistry meters) {
        this.watcher = watcher;
        this.flushTimeout = flushTimeout;
        this.rewound = Counter.builder(REWOUND)
                .description("Stored batches read again from Kafka because PostgreSQL may have lost their"
                        + " asynchronous commits (the WAL flush watcher's connection broke before it saw them flushed)")
                .register(meters);
        this.ledgers =
                ThreadLocal.withInitial(() -> new OffsetLedger(watcher::durability, this::rewound, System::nanoTime));
    }

    /**
     * The listener containers' settings this relies on, checked at start-up: with any other ack mode Spring would
     * commit a batch's offsets before it is durable (a server crash would then lose it); without idle events the
     * last offsets of a stream that stopped would stay uncommitted (and lost batches unread) until the next record.
     */
    public static void requireListenerSettings(AckMode ackMode, Duration idleEventInterval) {
        if (ackMode != AckMode.MANUAL) {
            throw new IllegalStateException("spring.kafka.listener.ack-mode must be manual for ingest-service (it"
                    + " commits a batch's offsets itself, once the batch is durable), was " + ackMode);
        }
        if (idleEventInterval == null || idleEventInterval.isZero() || idleEventInterval.isNegative()) {
            throw new IllegalStateException("spring.kafka.listener.idle-event-interval must be set (e.g. 1s): an idle"
                    + " listener commits its last durable offsets then, was " + idleEventInterval);
        }
    }

    WalFlushWatcher watcher() {
        return watcher;
    }

    Duration flushTimeout() {
        return flushTimeout;
    }

    /** The calling consumer thread's ledger. */
    OffsetLedger ledger() {
        return ledgers.get();
    }

    static OffsetLedger.Partitions partitions(Consumer<?, ?> consumer) {
        return new OffsetLedger.Partitions() {
            @Override
            public Set<TopicPartition> assignment() {
                return consumer.assignment();
            }

            @Override
            public void commit(Map<TopicPartition, OffsetAndMetadata> offsets) {
                try {
                    consumer.commitSync(offsets);
                } catch (KafkaException e) {
                    // stored and durable: a later commit, or the partitions' next owner reading them again, covers it
                    log.warn(
                            "could not commit offsets {} (they will be committed later or read again): {}",
                            offsets,
                            e.toString());
                }
            }

            @Override
            public void seek(TopicPartition partition, long offset) {
                consumer.seek(partition, offset);
            }
        };
    }

    private void rewound(int batches, Map<TopicPartition, Long> positions) {
        rewound.increment(batches);
        log.warn(
                "PostgreSQL may have lost {} stored batch(es) committed asynchronously (the WAL flush watcher's"
                        + " connection broke before it saw them flushed): reading them again from {}",
                batches,
                positions);
    }

    /** A container that received nothing for a while (called on its consumer's thread). */
    @EventListener
    public void onIdle(ListenerContainerIdleEvent idle) {
        ledger().settle(partitions(idle.getConsumer()), List.of());
    }

    @Override
    public void onPartitionsRevokedBeforeCommit(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        OffsetLedger ledger = ledger();
        if (ledger.pending() == 0) return;
        // commit what this consumer stored while it still may; what cannot be made durable in time is read again
        ledger.awaitDurable(partitions(consumer), List.of(), flushTimeout);
        ledger.clear();
    }

    @Override
    public void onPartitionsLost(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        ledger().clear(); // no commit is possible any more: their next owner reads what was not committed
    }
}
