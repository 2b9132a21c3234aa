package io.promptloop.ingest.ingestion.messaging;

import io.promptloop.avro.evaluation.EvaluationRecorded;
import io.promptloop.avro.observation.ObservationRecorded;
import io.promptloop.avro.session.SessionEvent;
import io.promptloop.ingest.ingestion.IngestionService;
import io.promptloop.ingest.ingestion.domain.IngestEvent;
import io.promptloop.ingest.ingestion.persistence.WalFlushWatcher;
import java.util.List;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.listener.BatchListenerFailedException;
import org.springframework.stereotype.Component;

/**
 * Business rule: every event an agent publishes is stored exactly once in effect, or dead-lettered with
 * its reason; a batch is stored in one transaction and its offsets are committed only once that transaction is
 * durable ({@link DurableOffsets}: at once when committed synchronously, else when its WAL flush is seen).
 */
@Component
class AgentEventListeners {

    private static final String CATALOGUE = "#{T(io.promptloop.schemas.Topics).";

    private final RecordDecoder decoder;
    private final IngestionService ingestion;
    private final IngestMetrics metrics;
    private final DurableOffsets offsets;

    AgentEventListeners(
            RecordDecoder decoder, IngestionService ingestion, IngestMetrics metrics, DurableOffsets offsets) {
        this.decoder = decoder;
        this.ingestion = ingestion;
        this.metrics = metrics;
        this.offsets = offsets;
    }

    @KafkaListener(
            id = "ingest-agent-sessions",
            topics = CATALOGUE + "AGENT_SESSIONS.name()}",
            idIsGroup = false,
            batch = "true")
    void onSessionEvents(List<ConsumerRecord<String, Object>> records, Consumer<?, ?> consumer) {
        ingest(records, consumer, SessionEvent.class, AvroEventMapper::fromSession);
    }

    @KafkaListener(
            id = "ingest-agent-evaluations",
            topics = CATALOGUE + "AGENT_EVALUATIONS.name()}",
            idIsGroup = false,
            batch = "true")
    void onEvaluations(List<ConsumerRecord<String, Object>> records, Consumer<?, ?> consumer) {
        ingest(records, consumer, EvaluationRecorded.class, AvroEventMapper::fromEvaluation);
    }

    @KafkaListener(
            id = "ingest-ab-observations",
            topics = CATALOGUE + "AB_OBSERVATIONS.name()}",
            idIsGroup = false,
            batch = "true")
    void onObservations(List<ConsumerRecord<String, Object>> records, Consumer<?, ?> consumer) {
        ingest(records, consumer, ObservationRecorded.class, AvroEventMapper::fromObservation);
    }

    private <V> void ingest(
            List<ConsumerRecord<String, Object>> records,
            Consumer<?, ?> consumer,
            Class<V> valueType,
            Function<V, IngestEvent> mapper) {
        OffsetLedger ledger = offsets.ledger();
        OffsetLedger.Partitions partitions = DurableOffsets.partitions(consumer);
        // commits what earlier batches made durable; if the server may have lost one, they are all read again
        if (!ledger.settle(partitions, records)) return;
        String topic = records.getFirst().topic();
        RecordDecoder.Batch batch = decoder.decode(records, valueType, mapper);
        WalFlushWatcher.Ticket ticket = offsets.watcher().begin();
        IngestionService.Outcome outcome = ingestion.ingest(batch.decoded(), ticket.asynchronous());
        offsets.watcher().committed(ticket);
        metrics.stored(topic, outcome.written().stored());
        metrics.duplicates(topic, outcome.written().duplicates());
        int failedAt = outcome.rejectedIndex() >= 0 ? outcome.rejectedIndex() : batch.retryIndex();
        if (failedAt < 0) {
            ledger.add(ticket, records);
            if (!ticket.asynchronous()) ledger.settle(partitions, List.of()); // committed synchronously: durable now
            return;
        }
        // The error handler commits the stored prefix's offsets (and a dead letter's) itself: everything stored
        // must be durable first. If that cannot be seen, nothing is thrown and the records are read again instead.
        ledger.add(ticket, records.subList(0, failedAt));
        if (!ledger.awaitDurable(partitions, records.subList(failedAt, records.size()), offsets.flushTimeout())) return;
        if (outcome.rejectedIndex() >= 0) {
            // The error handler commits the stored prefix, dead-letters this record and redelivers the rest.
            throw new BatchListenerFailedException(
                    outcome.rejection().getMessage(), outcome.rejection(), outcome.rejectedIndex());
        }
        // retryable: the error handler seeks back to this record and reads it again after a back-off
        throw new BatchListenerFailedException(batch.retryCause().getMessage(), batch.retryCause(), batch.retryIndex());
    }
}
