package io.promptloop.ingest.ingestion.messaging;

import io.promptloop.avro.evaluation.EvaluationRecorded;
import io.promptloop.avro.observation.ObservationRecorded;
import io.promptloop.avro.session.SessionEvent;
import io.promptloop.ingest.ingestion.IngestionService;
import io.promptloop.ingest.ingestion.domain.Decoded;
import io.promptloop.ingest.ingestion.domain.IngestEvent;
import io.promptloop.ingest.ingestion.domain.InvalidEventException;
import io.promptloop.support.kafka.DeadLetters;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.listener.BatchListenerFailedException;
import org.springframework.stereotype.Component;

/**
 * Business rule: every event an agent publishes is stored exactly once in effect, or dead-lettered with
 * its reason; a batch is stored in one transaction and its offsets are committed only afterwards.
 */
@Component
class AgentEventListeners {

    private static final String CATALOGUE = "#{T(io.promptloop.schemas.Topics).";

    private final RecordDecoder decoder;
    private final IngestionService ingestion;
    private final IngestMetrics metrics;
    private final DeadLetters deadLetters;

    AgentEventListeners(
            RecordDecoder decoder, IngestionService ingestion, IngestMetrics metrics, DeadLetters deadLetters) {
        this.decoder = decoder;
        this.ingestion = ingestion;
        this.metrics = metrics;
        this.deadLetters = deadLetters;
    }

    @KafkaListener(
            id = "ingest-agent-sessions",
            topics = CATALOGUE + "AGENT_SESSIONS.name()}",
            idIsGroup = false,
            batch = "true")
    void onSessionEvents(List<ConsumerRecord<String, Object>> records) {
        ingest(records, SessionEvent.class, AvroEventMapper::fromSession);
    }

    @KafkaListener(
            id = "ingest-agent-evaluations",
            topics = CATALOGUE + "AGENT_EVALUATIONS.name()}",
            idIsGroup = false,
            batch = "true")
    void onEvaluations(List<ConsumerRecord<String, Object>> records) {
        ingest(records, EvaluationRecorded.class, AvroEventMapper::fromEvaluation);
    }

    @KafkaListener(
            id = "ingest-ab-observations",
            topics = CATALOGUE + "AB_OBSERVATIONS.name()}",
            idIsGroup = false,
            batch = "true")
    void onObservations(List<ConsumerRecord<String, Object>> records) {
        ingest(records, ObservationRecorded.class, AvroEventMapper::fromObservation);
    }

    /**
     * Records rejected when they were decoded (undecodable, unknown schema, wrong type, invalid or oversized values)
     * are dead-lettered together, after the rest of the batch is stored: none of them can affect how another record
     * is stored, so a burst of them costs one poll, not one poll each. A record the database step rejects (a note on
     * an unknown turn, a turn number taken) still ends the stored prefix and is dead-lettered by the error handler.
     */
    private <V> void ingest(
            List<ConsumerRecord<String, Object>> records, Class<V> valueType, Function<V, IngestEvent> mapper) {
        String topic = records.getFirst().topic();
        RecordDecoder.Batch batch = decoder.decode(records, valueType, mapper);
        List<Decoded> valid = new ArrayList<>(batch.decoded().size());
        List<Integer> positions = new ArrayList<>(batch.decoded().size());
        List<DeadLetters.Letter> rejected = new ArrayList<>();
        for (int i = 0; i < batch.decoded().size(); i++) {
            Decoded d = batch.decoded().get(i);
            if (d instanceof Decoded.Rejected(InvalidEventException e)) {
                rejected.add(
                        new DeadLetters.Letter(records.get(i), null, e.reason().code(), e.getMessage(), e));
            } else {
                valid.add(d);
                positions.add(i);
            }
        }
        IngestionService.Outcome outcome = ingestion.ingest(valid);
        metrics.stored(topic, outcome.written().stored());
        metrics.duplicates(topic, outcome.written().duplicates());
        int failedAt = outcome.rejectedIndex() >= 0 ? positions.get(outcome.rejectedIndex()) : batch.retryIndex();
        // only the letters before the record the batch stops at: the rest is read again and dead-lettered then
        List<DeadLetters.Letter> due = failedAt < 0
                ? rejected
                : rejected.stream()
                        .filter(l -> l.record().offset() < records.get(failedAt).offset())
                        .toList();
        deadLetters.send(due);
        due.forEach(l -> metrics.deadLettered(topic));
        if (outcome.rejectedIndex() >= 0) {
            // The error handler commits the stored prefix, dead-letters this record and redelivers the rest.
            throw new BatchListenerFailedException(outcome.rejection().getMessage(), outcome.rejection(), failedAt);
        }
        if (batch.retryIndex() >= 0) {
            // retryable: the error handler seeks back to this record and reads it again after a back-off
            throw new BatchListenerFailedException(
                    batch.retryCause().getMessage(), batch.retryCause(), batch.retryIndex());
        }
    }
}
