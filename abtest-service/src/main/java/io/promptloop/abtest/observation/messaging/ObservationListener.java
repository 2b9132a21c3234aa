package io.promptloop.abtest.observation.messaging;

import io.micrometer.core.instrument.MeterRegistry;
import io.promptloop.abtest.experiment.domain.AbTest;
import io.promptloop.abtest.experiment.domain.TestStatus;
import io.promptloop.abtest.experiment.persistence.ExperimentRepository;
import io.promptloop.abtest.experiment.persistence.ExperimentRepository.Phase;
import io.promptloop.abtest.observation.domain.Observation;
import io.promptloop.abtest.observation.domain.ObservationValidator;
import io.promptloop.abtest.observation.domain.Rejection;
import io.promptloop.abtest.observation.persistence.ObservationStore;
import io.promptloop.abtest.observation.persistence.ObservationStore.Countable;
import io.promptloop.avro.observation.ObservationRecorded;
import io.promptloop.support.kafka.AvroWithBytes;
import io.promptloop.support.kafka.DeadLetters;
import io.promptloop.support.kafka.DeadLetters.Letter;
import io.promptloop.support.kafka.RegistryUnavailableException;
import io.promptloop.support.kafka.SchemaNotFoundException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.support.serializer.DeserializationException;
import org.springframework.kafka.support.serializer.SerializationUtils;
import org.springframework.stereotype.Component;

/**
 * Business rule: every observation of a started test is counted once into its arm's statistics; anything that
 * cannot be counted goes to the dead-letter topic with its reason, and the partition moves on. Faults of ours
 * (database, registry, broker) throw, so the whole batch is retried after a back-off and counted once.
 */
@Component
class ObservationListener {

    private final ExperimentRepository tests;
    private final ObservationStore store;
    private final DeadLetters deadLetters;
    private final MeterRegistry meters;

    ObservationListener(
            ExperimentRepository tests, ObservationStore store, DeadLetters deadLetters, MeterRegistry meters) {
        this.tests = tests;
        this.store = store;
        this.deadLetters = deadLetters;
        this.meters = meters;
    }

    @KafkaListener(
            id = "abtest-observations",
            topics = "#{T(io.promptloop.schemas.Topics).AB_OBSERVATIONS.name()}",
            containerFactory = "observationListenerFactory",
            idIsGroup = false)
    void onObservations(List<ConsumerRecord<String, Object>> records) {
        List<Letter> rejected = new ArrayList<>();
        List<Pending> decoded = new ArrayList<>(records.size());
        for (ConsumerRecord<String, Object> record : records) {
            decode(record, decoded, rejected);
        }
        Map<UUID, Optional<AbTest>> known = new HashMap<>();
        List<Countable> countable = new ArrayList<>(decoded.size());
        for (Pending p : decoded) {
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
                                + test.get().arms().stream()
                                        .map(a -> a.variant())
                                        .toList() + ", not " + o.variant()));
            } else {
                var concludedAt = test.get().concludedAt();
                Phase phase = concludedAt != null && !o.occurredAt().isBefore(concludedAt) ? Phase.ROLLOUT : Phase.TEST;
                countable.add(new Countable(o, phase, test.get().design().metric()));
            }
        }
        int counted = store.count(countable);
        meters.counter("promptloop.abtest.observations.counted").increment(counted);
        meters.counter("promptloop.abtest.observations.duplicates").increment(countable.size() - counted);
        deadLetters.send(rejected); // after the commit: a failure here re-reads the batch, which counts nothing twice
    }

    private record Pending(ConsumerRecord<String, Object> record, byte[] bytes, Observation observation) {}

    private static void decode(ConsumerRecord<String, Object> record, List<Pending> decoded, List<Letter> rejected) {
        Object value = record.value();
        if (value == null) {
            DeserializationException failure = SerializationUtils.getExceptionFromHeader(
                    record, SerializationUtils.VALUE_DESERIALIZER_EXCEPTION_HEADER, null);
            if (failure == null) {
                rejected.add(new Letter(record, null, Rejection.INVALID_VALUE.code(), "record has no value", null));
                return;
            }
            for (Throwable t = failure.getCause(); t != null; t = t.getCause()) {
                if (t instanceof RegistryUnavailableException unavailable) throw unavailable; // retry the batch
                if (t instanceof SchemaNotFoundException) {
                    rejected.add(
                            new Letter(record, failure.getData(), Rejection.UNKNOWN_SCHEMA.code(), t.getMessage(), t));
                    return;
                }
            }
            Throwable root = failure;
            while (root.getCause() != null) root = root.getCause();
            rejected.add(new Letter(
                    record, failure.getData(), Rejection.UNDECODABLE.code(), "cannot deserialize: " + root, failure));
            return;
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
            return;
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
        if (result.valid()) {
            decoded.add(new Pending(record, bytes, result.observation()));
        } else {
            rejected.add(new Letter(record, bytes, Rejection.INVALID_VALUE.code(), result.problem(), null));
        }
    }

    private static Letter letter(Pending p, Rejection reason, String message) {
        return new Letter(p.record(), p.bytes(), reason.code(), message, null);
    }
}
