package io.promptloop.ingest.ingestion.messaging;

import io.promptloop.avro.evaluation.EvaluationRecorded;
import io.promptloop.avro.observation.ObservationRecorded;
import io.promptloop.avro.session.SessionEvent;
import io.promptloop.ingest.ingestion.IngestionService;
import io.promptloop.ingest.ingestion.domain.IngestEvent;
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

    AgentEventListeners(RecordDecoder decoder, IngestionService ingestion, IngestMetrics metrics) {
        this.decoder = decoder;
        this.ingestion = ingestion;
        this.metrics = metrics;
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

    private <V> void ingest(
            List<ConsumerRecord<String, Object>> records, Class<V> valueType, Function<V, IngestEvent> mapper) {
        String topic = records.getFirst().topic();
        RecordDecoder.Batch batch = decoder.decode(records, valueType, mapper);
        IngestionService.Outcome outcome = ingestion.ingest(batch.decoded());
        metrics.stored(topic, outcome.written().stored());
        metrics.duplicates(topic, outcome.written().duplicates());
        if (outcome.rejectedIndex() >= 0) {
            // The error handler commits the stored prefix, dead-letters this record and redelivers the rest.
            throw new BatchListenerFailedException(
                    outcome.rejection().getMessage(), outcome.rejection(), outcome.rejectedIndex());
        }
        if (batch.retryIndex() >= 0) {
            // retryable: the error handler seeks back to this record and reads it again after a back-off
            throw new BatchListenerFailedException(
                    batch.retryCause().getMessage(), batch.retryCause(), batch.retryIndex());
        }
    }
}
