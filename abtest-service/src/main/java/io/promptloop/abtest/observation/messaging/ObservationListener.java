package io.promptloop.abtest.observation.messaging;

import io.micrometer.core.instrument.MeterRegistry;
import io.promptloop.abtest.config.AbtestProperties;
import io.promptloop.abtest.experiment.domain.AbTest;
import io.promptloop.abtest.experiment.domain.TestStatus;
import io.promptloop.abtest.experiment.persistence.ExperimentRepository;
import io.promptloop.abtest.experiment.persistence.ExperimentRepository.Phase;
import io.promptloop.abtest.observation.domain.Observation;
import io.promptloop.abtest.observation.domain.ObservationValidator;
import io.promptloop.abtest.observation.domain.RecentEventIds;
import io.promptloop.abtest.observation.domain.Rejection;
import io.promptloop.abtest.observation.persistence.ObservationStore;
import io.promptloop.abtest.observation.persistence.ObservationStore.Advance;
import io.promptloop.abtest.observation.persistence.ObservationStore.Countable;
import io.promptloop.abtest.observation.persistence.ObservationStore.Source;
import io.promptloop.avro.observation.ObservationRecorded;
import io.promptloop.support.kafka.AvroWithBytes;
import io.promptloop.support.kafka.DeadLetters;
import io.promptloop.support.kafka.DeadLetters.Letter;
import io.promptloop.support.kafka.DecodeFailure;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.dao.DataAccessException;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.listener.ConsumerSeekAware;
import org.springframework.kafka.support.serializer.DeserializationException;
import org.springframework.kafka.support.serializer.SerializationUtils;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Business rule: every observation of a started test is counted once into its arm's statistics; anything that
 * cannot be counted goes to the dead-letter topic with its reason, and the partition moves on. Faults of ours
 * (database, registry, broker) throw, so the whole batch is retried after a back-off and counted once.
 *
 * <p>Counted once: a batch's sums, each partition's next offset and the event ids it counted are written in one
 * transaction ({@link ObservationStore}); records below a partition's stored next offset were counted before and are
 * skipped (redelivery after a crash, a rebalance, a failed Kafka commit or a retry after a database outage), and on
 * assignment the consumer seeks to the stored offsets. Kafka's offset commit stays, for lag monitoring; the database
 * decides. An agent's re-send (same event id, a new offset of the same partition, as it has the same key) is caught
 * when the first copy is among the partition's newest {@code promptloop.abtest.intake.dedup-window.events} counted
 * ids ({@link RecentEventIds}); an older re-send is counted again, and a re-send under another key (so on another
 * partition) is not caught. Dead letters are sent before the commit: a failure to send rolls the batch back and it is
 * read again; a crash between the send and the commit sends them again (the dead-letter topic is at least once).
 */
@Component
class ObservationListener implements ConsumerSeekAware {

    private static final Logger log = LoggerFactory.getLogger(ObservationListener.class);

    private final ExperimentRepository tests;
    private final ObservationStore store;
    private final DeadLetters deadLetters;
    private final MeterRegistry meters;
    private final TransactionTemplate tx;
    private final String group;
    private final int window;
    /** Each owned partition's next offset and de-duplication window as of the last commit of this consumer. */
    private final Map<TopicPartition, Position> positions = new ConcurrentHashMap<>();

    ObservationListener(
            ExperimentRepository tests,
            ObservationStore store,
            DeadLetters deadLetters,
            MeterRegistry meters,
            TransactionTemplate tx,
            KafkaProperties kafka,
            AbtestProperties properties) {
        this.tests = tests;
        this.store = store;
        this.deadLetters = deadLetters;
        this.meters = meters;
        this.tx = tx;
        this.group = Objects.requireNonNull(kafka.getConsumer().getGroupId(), "spring.kafka.consumer.group-id");
        this.window = properties.intake().dedupWindow().events();
    }

    private record Position(long nextOffset, RecentEventIds window) {}

    @KafkaListener(
            id = "abtest-observations",
            topics = "#{T(io.promptloop.schemas.Topics).AB_OBSERVATIONS.name()}",
            containerFactory = "observationListenerFactory",
            idIsGroup = false)
    void onObservations(ConsumerRecords<String, Object> records) {
        // Kafka hands the batch over by partition already: no grouping of thousands of records per batch
        Map<String, List<TopicPartition>> byTopic = new TreeMap<>();
        records.partitions().stream()
                .sorted(PARTITION_ORDER)
                .forEach(tp -> byTopic.computeIfAbsent(tp.topic(), t -> new ArrayList<>())
                        .add(tp));
        Outcome outcome = tx.execute(status -> count(records, byTopic));
        // after the commit only: a rolled-back batch must leave the windows as they were
        for (Moved m : outcome.moved()) {
            if (m.batch() != null) m.window().add(m.batch());
            positions.put(m.partition(), new Position(m.nextOffset(), m.window()));
        }
        meters.counter("promptloop.abtest.observations.counted").increment(outcome.counted());
        meters.counter("promptloop.abtest.observations.duplicates").increment(outcome.duplicates());
        meters.counter("promptloop.abtest.observations.redelivered").increment(outcome.redelivered());
    }

    private static final Comparator<TopicPartition> PARTITION_ORDER =
            Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition);

    /** A partition's position after the batch, with the window's new batch (null: none) to add once committed. */
    private record Moved(
            TopicPartition partition, long nextOffset, RecentEventIds window, RecentEventIds.Batch batch) {}

    private record Outcome(List<Moved> moved, int counted, int duplicates, int redelivered) {}

    /** What one batch has found so far, across its partitions. */
    private static final class Tally {
        final List<Countable> countable = new ArrayList<>();
        final List<Letter> rejected = new ArrayList<>();
        /** The batch's tests, read once per batch (in its transaction); a test id absent here does not exist. */
        final Map<UUID, AbTest> tests = new HashMap<>();

        final List<Moved> moved = new ArrayList<>();
        int counted;
        int duplicates;
        int redelivered;
    }

    /** A partition's records of the batch not counted before, read, in offset order (first, last: -1 when none). */
    private record PartitionBatch(
            TopicPartition partition, long storedNext, Position position, long first, long last, List<Read> reads) {}

    /*
     * The batch is read in two passes: every record decoded and validated first, so that the batch's tests are read
     * with one query (not one per test and batch: six queries per batch in the 1M-observation benchmark), then each
     * observation classified, checked against the de-duplication window and counted. The per-record steps are small
     * methods of their own, so the JIT compiles them early and on their own rather than as part of one large method:
     * as one method with its loops inlined, C2 compiled it three times in a 1M-observation run (on-stack replacement,
     * normal, again after a deoptimisation), 0.42-0.49 s of a compiler thread each on a 2-core machine (JFR
     * jdk.Compilation events).
     */
    private Outcome count(ConsumerRecords<String, Object> records, Map<String, List<TopicPartition>> byTopic) {
        Tally tally = new Tally();
        for (var topic : byTopic.entrySet()) {
            Source source = new Source(group, topic.getKey());
            Map<Integer, Long> stored = store.lockNextOffsets(
                    source,
                    topic.getValue().stream().map(TopicPartition::partition).toList());
            List<PartitionBatch> batches = new ArrayList<>(topic.getValue().size());
            Set<UUID> testIds = new HashSet<>();
            for (TopicPartition tp : topic.getValue()) {
                long storedNext = stored.getOrDefault(tp.partition(), -1L);
                batches.add(read(source, tp, records.records(tp), storedNext, testIds, tally));
            }
            testIds.removeAll(tally.tests.keySet());
            tally.tests.putAll(tests.findAll(testIds));
            List<Advance> advances = new ArrayList<>();
            for (PartitionBatch batch : batches) {
                Advance advance = countPartition(batch, tally);
                if (advance != null) advances.add(advance);
            }
            store.count(source, tally.countable, advances);
            tally.countable.clear();
        }
        deadLetters.send(tally.rejected); // before the commit: a failure rolls the batch back, to be read again
        return new Outcome(tally.moved, tally.counted, tally.duplicates, tally.redelivered);
    }

    /** Decodes a partition's records not counted before, adding the ids of their tests to {@code testIds}. */
    private PartitionBatch read(
            Source source,
            TopicPartition tp,
            List<ConsumerRecord<String, Object>> records,
            long storedNext,
            Set<UUID> testIds,
            Tally tally) {
        Position position = positions.get(tp);
        if (position == null || position.nextOffset() != storedNext) {
            position = load(source, tp, storedNext); // new owner, or another consumer counted meanwhile
        }
        List<Read> reads = new ArrayList<>(records.size());
        long first = -1;
        long last = -1;
        for (ConsumerRecord<String, Object> record : records) {
            if (record.offset() < storedNext) {
                tally.redelivered++; // counted or dead-lettered by a committed batch
                continue;
            }
            if (first < 0) first = record.offset();
            last = record.offset();
            Read read = decode(record);
            if (read instanceof Pending p) testIds.add(p.observation().testId());
            reads.add(read);
        }
        return new PartitionBatch(tp, storedNext, position, first, last, reads);
    }

    /** Counts a partition's read records into {@code tally}: its advance, or null when none was new. */
    private Advance countPartition(PartitionBatch batch, Tally tally) {
        TopicPartition tp = batch.partition();
        RecentEventIds window = batch.position().window();
        if (batch.first() < 0) {
            tally.moved.add(new Moved(tp, batch.position().nextOffset(), window, null));
            return null;
        }
        List<UUID> counted = new ArrayList<>(batch.reads().size());
        Set<UUID> inBatch = HashSet.newHashSet(batch.reads().size());
        for (Read read : batch.reads()) {
            UUID id = admit(read, window, inBatch, tally);
            if (id != null) counted.add(id);
        }
        long keptFrom = -1;
        if (!counted.isEmpty()) {
            long keep = window.keptFrom(batch.first(), counted.size());
            if (keep > window.oldestFirstOffset()) keptFrom = keep;
        }
        List<UUID> ids = List.copyOf(counted);
        long next = batch.last() + 1;
        tally.moved.add(
                new Moved(tp, next, window, ids.isEmpty() ? null : new RecentEventIds.Batch(batch.first(), ids)));
        tally.counted += ids.size();
        return new Advance(tp.partition(), batch.storedNext(), next, batch.first(), ids, keptFrom);
    }

    /**
     * One read record: its observation added to the tally's countable ones (its event id returned), or its dead letter
     * added, or found an agent's re-send (null).
     */
    private static UUID admit(Read read, RecentEventIds window, Set<UUID> inBatch, Tally tally) {
        if (!(read instanceof Pending p)) {
            tally.rejected.add(((Refused) read).letter());
            return null;
        }
        Countable c = classify(p, tally.rejected, tally.tests);
        if (c == null) return null;
        UUID id = c.observation().eventId();
        if (window.contains(id) || !inBatch.add(id)) {
            tally.duplicates++; // an agent's re-send within the window
            return null;
        }
        tally.countable.add(c);
        return id;
    }

    /** A partition's position as stored, its window loaded from the database (inside the batch's transaction). */
    private Position load(Source source, TopicPartition tp, long storedNext) {
        List<RecentEventIds.Batch> batches = store.window(source, tp.partition()).stream()
                .map(b -> new RecentEventIds.Batch(b.firstOffset(), RecentEventIds.fromBytes(b.eventIds())))
                .toList();
        RecentEventIds loaded = RecentEventIds.of(window, batches);
        log.info(
                "{}: next offset {} and a de-duplication window of {} event ids loaded from the database",
                tp,
                storedNext < 0 ? "none" : storedNext,
                loaded.size());
        return new Position(storedNext, loaded);
    }

    /** The countable observation of a decoded record, or null with its dead letter added to {@code rejected}. */
    private static Countable classify(Pending p, List<Letter> rejected, Map<UUID, AbTest> tests) {
        Observation o = p.observation();
        AbTest test = tests.get(o.testId());
        if (test == null) {
            rejected.add(letter(p, Rejection.UNKNOWN_TEST, "no test " + o.testId()));
        } else if (test.status() == TestStatus.DRAFT) {
            rejected.add(letter(p, Rejection.TEST_NOT_STARTED, "test " + o.testId() + " was never started"));
        } else if (!test.hasArm(o.variant())) {
            rejected.add(letter(
                    p,
                    Rejection.UNKNOWN_VARIANT,
                    "test " + o.testId() + " has arms "
                            + test.arms().stream().map(a -> a.variant()).toList() + ", not " + o.variant()));
        } else {
            var concludedAt = test.concludedAt();
            Phase phase = concludedAt != null && !o.occurredAt().isBefore(concludedAt) ? Phase.ROLLOUT : Phase.TEST;
            return new Countable(o, phase, test.design().metric());
        }
        return null;
    }

    /**
     * Seeks each assigned partition to its stored next offset (the database, not Kafka's committed offset, says what
     * was counted) and drops the windows of partitions this consumer no longer owns. When the database cannot be read
     * the consumer starts from Kafka's committed offsets: records counted before are then skipped in the batch's
     * transaction, which reads the stored offsets again.
     */
    @Override
    public void onPartitionsAssigned(Map<TopicPartition, Long> assignments, ConsumerSeekCallback callback) {
        assignments.keySet().forEach(positions::remove);
        Map<String, List<Integer>> byTopic = new TreeMap<>();
        assignments
                .keySet()
                .forEach(tp -> byTopic.computeIfAbsent(tp.topic(), t -> new ArrayList<>())
                        .add(tp.partition()));
        for (var topic : byTopic.entrySet()) {
            try {
                store.nextOffsets(new Source(group, topic.getKey()), topic.getValue())
                        .forEach((partition, next) -> {
                            Long current = assignments.get(new TopicPartition(topic.getKey(), partition));
                            if (current == null || current != next.longValue()) {
                                callback.seek(topic.getKey(), partition, next);
                            }
                        });
            } catch (DataAccessException e) {
                log.warn(
                        "cannot read the stored offsets of {} (starting from Kafka's committed offsets; counted records"
                                + " are skipped in the batch's transaction): {}",
                        topic.getKey(),
                        e.toString());
            }
        }
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        partitions.forEach(positions::remove);
    }

    /** A record of the batch, read: its valid observation or its dead letter. */
    private sealed interface Read permits Pending, Refused {}

    private record Pending(ConsumerRecord<String, Object> record, byte[] bytes, Observation observation)
            implements Read {}

    private record Refused(Letter letter) implements Read {}

    /** The record's valid observation, or its dead letter. */
    private static Read decode(ConsumerRecord<String, Object> record) {
        Object value = record.value();
        if (value == null) {
            DeserializationException failure = SerializationUtils.getExceptionFromHeader(
                    record, SerializationUtils.VALUE_DESERIALIZER_EXCEPTION_HEADER, null);
            if (failure == null) {
                return new Refused(
                        new Letter(record, null, Rejection.INVALID_VALUE.code(), "record has no value", null));
            }
            DecodeFailure why = DecodeFailure.of(failure); // the registry's failure throws: the batch is retried
            Rejection reason = why.unknownSchema() ? Rejection.UNKNOWN_SCHEMA : Rejection.UNDECODABLE;
            return new Refused(new Letter(record, failure.getData(), reason.code(), why.message(), failure));
        }
        byte[] bytes = value instanceof AvroWithBytes withBytes ? withBytes.bytes() : null;
        Object avro = value instanceof AvroWithBytes withBytes ? withBytes.value() : value;
        if (!(avro instanceof ObservationRecorded o)) {
            return new Refused(new Letter(
                    record,
                    bytes,
                    Rejection.WRONG_TYPE.code(),
                    "value is a " + avro.getClass().getSimpleName() + ", the topic carries ObservationRecorded",
                    null));
        }
        var result = ObservationValidator.validate(new ObservationValidator.Raw(
                o.getEventId(),
                o.getOccurredAt(),
                o.getTestId(),
                o.getVariant(),
                o.getUnitId(),
                o.getScore(),
                o.getLatencyMs(),
                o.getSuccess(),
                o.getCovariate(),
                o.getRatioNumerator(),
                o.getRatioDenominator()));
        if (result.valid()) return new Pending(record, bytes, result.observation());
        return new Refused(new Letter(record, bytes, Rejection.INVALID_VALUE.code(), result.problem(), null));
    }

    private static Letter letter(Pending p, Rejection reason, String message) {
        return new Letter(p.record(), p.bytes(), reason.code(), message, null);
    }
}
