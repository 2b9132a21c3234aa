package io.promptloop.support.kafka;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.springframework.core.log.LogAccessor;
import org.springframework.kafka.listener.BatchListenerFailedException;
import org.springframework.kafka.listener.ConsumerRecordRecoverer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.kafka.support.ExceptionMatcher;
import org.springframework.kafka.support.serializer.DeserializationException;
import org.springframework.kafka.support.serializer.SerializationUtils;
import org.springframework.util.backoff.BackOff;

/**
 * Spring's {@link DefaultErrorHandler} with two rules of ours.
 *
 * <ol>
 *   <li><b>A registry that cannot be asked is never the record's fault.</b> A value that could not be decoded
 *       because the schema registry did not answer arrives as a {@link DeserializationException} (which is not
 *       retryable) with a {@link RegistryUnavailableException} inside; that one is retried with back-off like a
 *       database outage, by seeking back to the record so it is fetched — and decoded — again. Before, a record
 *       listener (the optimizer's) skipped such records as unreadable: a registry outage lost its events.
 *   <li><b>A burst of poison costs one fetch per poll, not one per record.</b> After a failed record the handler
 *       seeks to re-fetch the rest of the poll (the only way a record whose decoding failed is decoded again).
 *       When the failed record is the record's own fault and the records right behind it in its partition failed to
 *       decode for their own reasons too, they are handed to the recoverer at once and the seek goes past them
 *       (each still gets its log line or dead letter). Their offsets are committed with the next record's.
 *   <li><b>A batch listener that met the registry's failure is retried by fetching the batch again.</b> Spring
 *       retries a batch that failed without naming a record from memory, so the values that could not be decoded
 *       stayed undecoded for good: the A/B service's observations listener, which throws the registry's failure
 *       for the whole batch, never recovered from a registry outage until restarted. Such a failure now names the
 *       batch's first record, so every partition of the batch is sought back and read again after the back-off.
 *   <li><b>A record's own fault is dead-lettered even after retries for ours.</b> Spring keeps a failed record's
 *       retry state (its back-off) while the record fails with an exception of the same class, compared with only a
 *       {@code ListenerExecutionFailedException} taken off: for a batch listener that is always a {@link
 *       BatchListenerFailedException}, for a record listener an undecodable value always a {@link
 *       DeserializationException}. A record whose schema look-up first timed out (the registry's fault: retried
 *       without end) and, once the registry answered, failed for its own (an unknown schema id) kept that endless
 *       back-off, was never dead-lettered and held its partition (a CI run saw an ingest partition stand still for
 *       minutes in {@code PoisonBurstIT}). A failure that is the record's own now clears the consumer thread's retry
 *       state first, so it is classified afresh and recovered at once; other partitions of that thread that were in
 *       a back-off start theirs again from its first interval.
 * </ol>
 */
public class PromptloopErrorHandler extends DefaultErrorHandler {

    private static final LogAccessor LOG = new LogAccessor(PromptloopErrorHandler.class);

    private final ConsumerRecordRecoverer recoverer;

    private final ExceptionMatcher registryAware = new ExceptionMatcher(List.of(), true) {
        @Override
        public boolean match(Throwable failure) {
            return isRegistryUnavailable(failure)
                    || PromptloopErrorHandler.super.getExceptionMatcher().match(failure);
        }
    };

    public PromptloopErrorHandler(ConsumerRecordRecoverer recoverer, BackOff backOff) {
        super(recoverer, backOff);
        this.recoverer = recoverer;
        setSeekAfterError(true); // a failed value is only decoded again when it is fetched again
    }

    /** True when the failure, or one of its causes, is the registry's ({@link RegistryUnavailableException}). */
    public static boolean isRegistryUnavailable(Throwable failure) {
        return Causes.has(failure, RegistryUnavailableException.class);
    }

    /** Retryable ({@code true}) or the record's own fault; the registry's failures are always retryable. */
    @Override
    protected ExceptionMatcher getExceptionMatcher() {
        return registryAware;
    }

    @Override
    public void handleRemaining(
            Exception thrown,
            List<ConsumerRecord<?, ?>> records,
            Consumer<?, ?> consumer,
            MessageListenerContainer container) {
        boolean retryable = retryableAfresh(thrown);
        int run = records.isEmpty() || retryable ? 1 : poisonRun(records);
        if (run == 1) {
            super.handleRemaining(thrown, records, consumer, container);
            return;
        }
        List<ConsumerRecord<?, ?>> rest = new ArrayList<>(records.size() - run + 1);
        rest.add(records.get(0));
        rest.addAll(records.subList(run, records.size()));
        super.handleRemaining(thrown, rest, consumer, container); // recovers the first and seeks past the run
        for (int i = 1; i < run; i++) {
            ConsumerRecord<?, ?> record = records.get(i);
            try {
                recoverer.accept(record, valueFailure(record));
            } catch (RuntimeException e) {
                // e.g. the dead-letter topic is unreachable: read this one and the rest again, and retry then
                LOG.warn(() -> "could not recover " + record.topic() + "-" + record.partition() + "@" + record.offset()
                        + " after the one before it; it will be read again: " + e);
                consumer.seek(new TopicPartition(record.topic(), record.partition()), record.offset());
                return;
            }
        }
    }

    @Override
    public void handleBatch(
            Exception thrown,
            ConsumerRecords<?, ?> data,
            Consumer<?, ?> consumer,
            MessageListenerContainer container,
            Runnable invokeListener) {
        super.handleBatch(classifiedAfresh(thrown, data), data, consumer, container, invokeListener);
    }

    @Override
    public <K, V> ConsumerRecords<K, V> handleBatchAndReturnRemaining(
            Exception thrown,
            ConsumerRecords<?, ?> data,
            Consumer<?, ?> consumer,
            MessageListenerContainer container,
            Runnable invokeListener) {
        return super.handleBatchAndReturnRemaining(
                classifiedAfresh(thrown, data), data, consumer, container, invokeListener);
    }

    /** The failure to hand to Spring: the registry's refetches the batch; the record's own forgets earlier retries. */
    private Exception classifiedAfresh(Exception thrown, ConsumerRecords<?, ?> data) {
        Exception failure = refetchOnRegistryFailure(thrown, data);
        retryableAfresh(failure);
        return failure;
    }

    /** Whether {@code failure} is retried; the record's own fault first clears the thread's retry state (rule 4). */
    private boolean retryableAfresh(Exception failure) {
        boolean retryable = getExceptionMatcher().match(failure);
        if (!retryable) clearThreadState();
        return retryable;
    }

    /** The registry's failure of a whole batch as the failure of its first record: the batch is fetched again. */
    private static Exception refetchOnRegistryFailure(Exception thrown, ConsumerRecords<?, ?> data) {
        if (data.isEmpty() || !isRegistryUnavailable(thrown)) return thrown;
        if (Causes.has(thrown, BatchListenerFailedException.class)) return thrown; // the listener named the record
        return new BatchListenerFailedException(
                "the schema registry is unavailable: the batch is read again",
                thrown,
                data.iterator().next());
    }

    /**
     * How many records from the first on are, in the first's partition, values that failed to decode for their own
     * reasons (1 when only the first).
     */
    private int poisonRun(List<ConsumerRecord<?, ?>> records) {
        ConsumerRecord<?, ?> first = records.get(0);
        int run = 1;
        while (run < records.size()) {
            ConsumerRecord<?, ?> next = records.get(run);
            if (next.partition() != first.partition() || !next.topic().equals(first.topic())) break;
            DeserializationException failure = next.value() == null ? valueFailure(next) : null;
            if (failure == null || getExceptionMatcher().match(failure)) break;
            run++;
        }
        return run;
    }

    private static DeserializationException valueFailure(ConsumerRecord<?, ?> record) {
        return SerializationUtils.getExceptionFromHeader(
                record, SerializationUtils.VALUE_DESERIALIZER_EXCEPTION_HEADER, LOG);
    }
}
