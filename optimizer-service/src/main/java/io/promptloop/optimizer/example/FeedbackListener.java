package io.promptloop.optimizer.example;

import io.micrometer.core.instrument.MeterRegistry;
import io.promptloop.avro.evaluation.EvaluationRecorded;
import io.promptloop.avro.session.ImprovementNoted;
import io.promptloop.avro.session.SessionEvent;
import io.promptloop.avro.session.TurnRecorded;
import io.promptloop.optimizer.config.OptimizerProperties;
import io.promptloop.optimizer.run.domain.Split;
import io.promptloop.optimizer.run.persistence.RunStore;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * Business rule: every evaluation becomes (or refreshes) a training example of its agent/predictor, split into
 * train or validation by its id; an evaluation that answers an optimizer request becomes the candidate's score
 * (once, duplicates ignored); a turn with an improvement note becomes an example whose feedback is the note.
 * Events that name an unknown request or candidate are counted and logged, never fatal.
 */
@Component
class FeedbackListener {

    private static final Logger log = LoggerFactory.getLogger(FeedbackListener.class);

    private final JdbcClient jdbc;
    private final RunStore runs;
    private final OptimizerProperties properties;
    private final MeterRegistry meters;

    FeedbackListener(JdbcClient jdbc, RunStore runs, OptimizerProperties properties, MeterRegistry meters) {
        this.jdbc = jdbc;
        this.runs = runs;
        this.properties = properties;
        this.meters = meters;
    }

    @KafkaListener(
            id = "optimizer-evaluations",
            topics = "#{T(io.promptloop.schemas.Topics).AGENT_EVALUATIONS.name()}",
            idIsGroup = false)
    @Transactional
    void onEvaluation(ConsumerRecord<String, Object> record) {
        if (!(record.value() instanceof EvaluationRecorded e)) {
            ignored("not_an_evaluation", record);
            return;
        }
        if (!(e.getOverallScore() >= 0 && e.getOverallScore() <= 1)) {
            ignored("score_out_of_range", record);
            return;
        }
        if (e.getRequestId() != null) {
            answer(e, record);
            return;
        }
        String predictor = e.getAgent().getPredictorName();
        jdbc.sql("""
                        INSERT INTO optimizer.examples AS x (agent_name, predictor_name, example_id, input, expected_behavior, category,
                               split, source, last_output, last_feedback, last_score, last_evaluated_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, 'evaluation', ?, ?, ?, ?)
                        ON CONFLICT ON CONSTRAINT examples_example_key DO UPDATE SET
                               last_output = EXCLUDED.last_output, last_feedback = EXCLUDED.last_feedback,
                               last_score = EXCLUDED.last_score, last_evaluated_at = EXCLUDED.last_evaluated_at, updated_at = now()
                         WHERE x.last_evaluated_at IS NULL OR EXCLUDED.last_evaluated_at >= x.last_evaluated_at
                        """)
                .params(
                        e.getAgent().getAgentName(),
                        predictor,
                        e.getExampleId(),
                        e.getInput(),
                        e.getExpectedBehavior(),
                        e.getCategory(),
                        Split.of(e.getExampleId(), properties.examples().validationFraction()),
                        e.getOutput(),
                        e.getFeedback(),
                        e.getOverallScore(),
                        java.sql.Timestamp.from(e.getOccurredAt()))
                .update();
    }

    private void answer(EvaluationRecorded e, ConsumerRecord<String, Object> record) {
        UUID requestId;
        try {
            requestId = UUID.fromString(e.getRequestId());
        } catch (IllegalArgumentException ex) {
            ignored("malformed_request_id", record);
            return;
        }
        var request = runs.request(requestId);
        if (request.isEmpty()) {
            ignored("unknown_request", record);
            return;
        }
        var r = request.get();
        if (e.getCandidateId() == null || !r.candidateId().toString().equals(e.getCandidateId())) {
            ignored("unknown_candidate", record);
            return;
        }
        if (!r.exampleIds().contains(e.getExampleId())) {
            ignored("example_not_requested", record);
            return;
        }
        // a late answer (after a time-out and re-send) is still a valid result and is kept; a duplicate is not
        if (!runs.insertScore(
                r.runId(),
                r.candidateId(),
                e.getExampleId(),
                r.split(),
                e.getOverallScore(),
                e.getFeedback(),
                e.getOutput(),
                UUID.fromString(e.getEventId()))) {
            meters.counter("promptloop.optimizer.answers", "outcome", "duplicate")
                    .increment();
            return;
        }
        meters.counter("promptloop.optimizer.answers", "outcome", "stored").increment();
        runs.closeIfAnswered(requestId);
    }

    @KafkaListener(
            id = "optimizer-sessions",
            topics = "#{T(io.promptloop.schemas.Topics).AGENT_SESSIONS.name()}",
            idIsGroup = false)
    @Transactional
    void onSessionEvent(ConsumerRecord<String, Object> record) {
        if (!(record.value() instanceof SessionEvent s)) {
            ignored("not_a_session_event", record);
            return;
        }
        String exampleId = "turn:" + s.getSessionId() + ":";
        String agent = s.getAgent().getAgentName();
        String predictor = s.getAgent().getPredictorName();
        switch (s.getPayload()) {
            case TurnRecorded t ->
                jdbc.sql("""
                            INSERT INTO optimizer.examples (agent_name, predictor_name, example_id, input, split, source, last_output)
                            VALUES (?, ?, ?, ?, ?, 'improvement', ?) ON CONFLICT ON CONSTRAINT examples_example_key DO NOTHING
                            """)
                        .params(
                                agent,
                                predictor,
                                exampleId + t.getTurnNumber(),
                                t.getUserMessage(),
                                Split.of(
                                        exampleId + t.getTurnNumber(),
                                        properties.examples().validationFraction()),
                                t.getAgentResponse())
                        .update();
            // a note marks the turn as needing improvement; its text is the feedback the reflector learns from
            case ImprovementNoted n ->
                jdbc.sql("""
                            UPDATE optimizer.examples
                               SET last_feedback = CASE WHEN last_feedback IS NULL THEN ? ELSE last_feedback || '; ' || ? END,
                                   last_score = least(coalesce(last_score, ?), ?), last_evaluated_at = ?, updated_at = now()
                             WHERE agent_name = ? AND predictor_name IS NOT DISTINCT FROM ? AND example_id = ?
                               AND (last_feedback IS NULL OR position(? in last_feedback) = 0)
                            """)
                        .params(
                                n.getImprovementNote(),
                                n.getImprovementNote(),
                                properties.examples().noteScore(),
                                properties.examples().noteScore(),
                                java.sql.Timestamp.from(s.getOccurredAt()),
                                agent,
                                predictor,
                                exampleId + n.getTurnNumber(),
                                n.getImprovementNote())
                        .update();
            default -> {}
        }
    }

    private void ignored(String reason, ConsumerRecord<String, Object> record) {
        meters.counter("promptloop.optimizer.events.ignored", "topic", record.topic(), "reason", reason)
                .increment();
        log.warn("ignored {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), reason);
    }
}
