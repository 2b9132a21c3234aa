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
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
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
    void onObservations(List<ConsumerRecord<String, Object>> records) {
        Map<TopicPartition, List<ConsumerRecord<String, Object>>> byPartition = new TreeMap<>(PARTITION_ORDER);
        for (ConsumerRecord<String, Object> r : records) {
            byPartition
                    .computeIfAbsent(new TopicPartition(r.topic(), r.partition()), tp -> new ArrayList<>())
                    .add(r);
        }
        Outcome outcome = tx.execute(status -> count(byPartition));
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

    private Outcome count(Map<TopicPartition, List<ConsumerRecord<String, Object>>> byPartition) {
        List<Moved> moved = new ArrayList<>();
        int total = 0;
        List<Countable> countable = new ArrayList<>();
        List<Letter> rejected = new ArrayList<>();
        Map<UUID, Optional<AbTest>> known = new HashMap<>();
        int duplicates = 0;
        int redelivered = 0;
        Map<String, List<TopicPartition>> byTopic = new TreeMap<>();
        byPartition
                .keySet()
                .forEach(tp -> byTopic.computeIfAbsent(tp.topic(), t -> new ArrayList<>())
                        .add(tp));
        for (var topic : byTopic.entrySet()) {
            Source source = new Source(group, topic.getKey());
            Map<Integer, Long> stored = store.lockNextOffsets(
                    source,
                    topic.getValue().stream().map(TopicPartition::partition).toList());
            List<Advance> advances = new ArrayList<>();
            for (TopicPartition tp : topic.getValue()) {
                long storedNext = stored.getOrDefault(tp.partition(), -1L);
                Position position = positions.get(tp);
                if (position == null || position.nextOffset() != storedNext) {
                    position = load(source, tp, storedNext); // new owner, or another consumer counted meanwhile
                }
                List<ConsumerRecord<String, Object>> partitionRecords = byPartition.get(tp);
                List<UUID> counted = new ArrayList<>(partitionRecords.size());
                Set<UUID> inBatch = HashSet.newHashSet(partitionRecords.size());
                long first = -1;
                long last = -1;
                for (ConsumerRecord<String, Object> record : partitionRecords) {
                    if (record.offset() < storedNext) {
                        redelivered++; // counted or dead-lettered by a committed batch
                        continue;
                    }
                    if (first < 0) first = record.offset();
                    last = record.offset();
                    Countable c = classify(record, rejected, known);
                    if (c == null) continue;
                    UUID id = c.observation().eventId();
                    if (position.window().contains(id) || !inBatch.add(id)) {
                        duplicates++; // an agent's re-send within the window
                        continue;
                    }
                    countable.add(c);
                    counted.add(id);
                }
                if (first < 0) {
                    moved.add(new Moved(tp, position.nextOffset(), position.window(), null));
                    continue;
                }
                long keptFrom = -1;
                if (!counted.isEmpty()) {
                    long keep = position.window().keptFrom(first, counted.size());
                    if (keep > position.window().oldestFirstOffset()) keptFrom = keep;
                }
                List<UUID> ids = List.copyOf(counted);
                advances.add(new Advance(tp.partition(), storedNext, last + 1, first, ids, keptFrom));
                moved.add(new Moved(
                        tp, last + 1, position.window(), ids.isEmpty() ? null : new RecentEventIds.Batch(first, ids)));
                total += ids.size();
            }
            store.count(source, countable, advances);
            countable.clear();
        }
        deadLetters.send(rejected); // before the commit: a failure rolls the batch back, to be read again
        return new Outcome(moved, total, duplicates, redelivered);
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

    /** Classifies a decoded-or-not record: the countable observation, or null with its dead letter added. */
    private Countable classify(
            ConsumerRecord<String, Object> record, List<Letter> rejected, Map<UUID, Optional<AbTest>> known) {
        Pending p = decode(record, rejected);
        if (p == null) return null;
        Observation o = p.observation();
        Optional<AbTest> test = known.computeIfAbsent(o.testId(), tests::find);
        if (test.isEmpty()) {
            rejected.add(letter(p, Rejection.UNKNOWN_TEST, "no test " + o.testId()));
        } else if (test.get().status() == TestStatus.DRAFT) {
            rejected.add(letter(p, Rejection.TEST_NOT_STARTED, "test " + o.testId() + " was never started"));
        } else if (!test.get().hasArm(o.variant())) {
            rejected.add(letter(
                    p,
                    Rejection.UNKNOWN_VARIANT,
                    "test " + o.testId() + " has arms "
                            + test.get().arms().stream().map(a -> a.variant()).toList() + ", not " + o.variant()));
        } else {
            var concludedAt = test.get().concludedAt();
            Phase phase = concludedAt != null && !o.occurredAt().isBefore(concludedAt) ? Phase.ROLLOUT : Phase.TEST;
            return new Countable(o, phase, test.get().design().metric());
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

    private record Pending(ConsumerRecord<String, Object> record, byte[] bytes, Observation observation) {}

    /** The record's valid observation, or null with its dead letter added to {@code rejected}. */
    private static Pending decode(ConsumerRecord<String, Object> record, List<Letter> rejected) {
        Object value = record.value();
        if (value == null) {
            DeserializationException failure = SerializationUtils.getExceptionFromHeader(
                    record, SerializationUtils.VALUE_DESERIALIZER_EXCEPTION_HEADER, null);
            if (failure == null) {
                rejected.add(new Letter(record, null, Rejection.INVALID_VALUE.code(), "record has no value", null));
                return null;
            }
            DecodeFailure why = DecodeFailure.of(failure); // the registry's failure throws: the batch is retried
            Rejection reason = why.unknownSchema() ? Rejection.UNKNOWN_SCHEMA : Rejection.UNDECODABLE;
            rejected.add(new Letter(record, failure.getData(), reason.code(), why.message(), failure));
            return null;
        }
        byte[] bytes = value instanceof AvroWithBytes withBytes ? withBytes.bytes() : null;
        Object avro = value instanceof AvroWithBytes withBytes ? withBytes.value() : value;
        if (!(avro instanceof ObservationRecorded o)) {
            rejected.add(new Letter(
                    record,
                    bytes,
                    Rejection.WRONG_TYPE.code(),
                    "value is a " + avro.getClass().getSimpleName() + ", the topic carries ObservationRecorded",
                    null));
            return null;
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
        rejected.add(new Letter(record, bytes, Rejection.INVALID_VALUE.code(), result.problem(), null));
        return null;
    }

    private static Letter letter(Pending p, Rejection reason, String message) {
        return new Letter(p.record(), p.bytes(), reason.code(), message, null);
    }
}
