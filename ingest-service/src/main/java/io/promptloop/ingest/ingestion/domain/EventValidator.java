package io.promptloop.ingest.ingestion.domain;

import static io.promptloop.ingest.ingestion.domain.RejectionReason.INVALID_VALUE;
import static io.promptloop.ingest.ingestion.domain.RejectionReason.OVERSIZED;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * Checks every value of an event against the ranges the schema documents. An event that fails is
 * rejected whole with the first problem found; nothing is silently clamped or truncated.
 */
public final class EventValidator {

    static final Instant EARLIEST = Instant.parse("2000-01-01T00:00:00Z");
    /** Arm labels (seed 002, and treatment_2..treatment_8 for the arms of multi-arm tests). */
    static final Set<String> VARIANTS = Set.of(
            "baseline",
            "treatment",
            "gepa",
            "gepa_v2",
            "control",
            "treatment_2",
            "treatment_3",
            "treatment_4",
            "treatment_5",
            "treatment_6",
            "treatment_7",
            "treatment_8");

    static final Set<String> EVALUATORS = Set.of("human", "llm_judge", "heuristic", "agent", "other");
    static final Set<String> CATEGORIES =
            Set.of("tone", "content", "citation", "clarity", "structure", "action", "other");
    static final int MAX_NAME = 100;
    static final int MAX_ID = 200;

    private final Limits limits;
    private final Clock clock;

    public EventValidator(Limits limits, Clock clock) {
        this.limits = limits;
        this.clock = clock;
    }

    /** Returns the event if it is valid, otherwise throws {@link InvalidEventException}. */
    public <E extends IngestEvent> E validate(E event) {
        common(event);
        switch (event) {
            case SessionStarted s -> {
                optionalText("master_prompt_version", s.masterPromptVersion(), MAX_ID);
                optionalText("branch_name", s.branchName(), MAX_ID);
                optionalText("tester.id", s.testerId(), MAX_ID);
                optionalText("tester.email", s.testerEmail(), MAX_ID);
                optionalText("tester.name", s.testerName(), MAX_ID);
                metadata(s.metadata());
            }
            case TurnRecorded t -> {
                positive("turn_number", t.turnNumber());
                requiredText("user_message", t.userMessage(), limits.maxTextLength());
                requiredText("agent_response", t.agentResponse(), limits.maxTextLength());
                if (t.processingTimeMs() != null) nonNegative("processing_time_ms", t.processingTimeMs());
                if (t.totalChunks() != null) nonNegative("total_chunks", t.totalChunks());
                unitInterval("avg_similarity", t.avgSimilarity());
                unitInterval("confidence_score", t.confidenceScore());
                optionalText("template_used", t.templateUsed(), MAX_ID);
                if (t.searchResults().size() > limits.maxSearchResults()) {
                    throw new InvalidEventException(
                            OVERSIZED,
                            "search_results has " + t.searchResults().size() + " entries, limit "
                                    + limits.maxSearchResults());
                }
                for (int i = 0; i < t.searchResults().size(); i++) {
                    var r = t.searchResults().get(i);
                    requiredText("search_results[" + i + "].chunk_id", r.chunkId(), MAX_ID);
                    optionalText("search_results[" + i + "].document_title", r.documentTitle(), MAX_ID * 5);
                    requiredText("search_results[" + i + "].chunk_text", r.chunkText(), limits.maxTextLength());
                    unitInterval("search_results[" + i + "].similarity", r.similarity());
                }
                metadata(t.metadata());
            }
            case ImprovementNoted n -> {
                positive("turn_number", n.turnNumber());
                requiredText("improvement_note", n.note(), limits.maxTextLength());
                if (n.category() != null && !CATEGORIES.contains(n.category())) {
                    throw invalid("category must be one of " + CATEGORIES + ", was '" + n.category() + "'");
                }
                metadata(n.metadata());
            }
            case SessionEnded e -> optionalText("reason", e.reason(), limits.maxTextLength());
            case EvaluationRecorded e -> evaluation(e);
            case ObservationRecorded o -> observation(o);
        }
        return event;
    }

    private void common(IngestEvent event) {
        if (event.eventId() == null) throw invalid("event_id is required");
        requiredText("agent.agent_name", event.agent().agentName(), MAX_NAME);
        optionalText("agent.predictor_name", event.agent().predictorName(), MAX_NAME);
        if (event.agent().predictorName() != null
                && event.agent().predictorName().isBlank()) {
            throw invalid("agent.predictor_name must be null or non-blank");
        }
        Instant at = event.occurredAt();
        if (at == null || at.isBefore(EARLIEST)) throw invalid("occurred_at " + at + " is before " + EARLIEST);
        Instant latest = clock.instant().plus(limits.maxClockSkew());
        if (at.isAfter(latest)) throw invalid("occurred_at " + at + " is in the future (after " + latest + ")");
    }

    private void evaluation(EvaluationRecorded e) {
        requiredText("example_id", e.exampleId(), MAX_ID);
        requiredText("input", e.input(), limits.maxTextLength());
        requiredText("output", e.output(), limits.maxTextLength());
        optionalText("expected_behavior", e.expectedBehavior(), limits.maxTextLength());
        optionalText("category", e.category(), MAX_ID);
        optionalText("reasoning", e.reasoning(), limits.maxTextLength());
        optionalText("feedback", e.feedback(), limits.maxTextLength());
        if (!EVALUATORS.contains(e.evaluator())) throw invalid("evaluator '" + e.evaluator() + "' is not known");
        var s = e.scores();
        unitInterval("scores.functionality", s.functionality());
        unitInterval("scores.safety", s.safety());
        unitInterval("scores.consistency", s.consistency());
        unitInterval("scores.edge_case_handling", s.edgeCaseHandling());
        unitInterval("scores.faithfulness", s.faithfulness());
        unitInterval("scores.answer_relevancy", s.answerRelevancy());
        unitInterval("scores.context_precision", s.contextPrecision());
        unitInterval("scores.context_recall", s.contextRecall());
        unitInterval("scores.ragas_aggregate", s.ragasAggregate());
        rubric("scores.causal_validity", s.causalValidity());
        rubric("scores.actionability", s.actionability());
        rubric("scores.rubric_aggregate", s.rubricAggregate());
        unitInterval("overall_score", e.overallScore());
        if (e.turnNumber() != null) positive("turn_number", e.turnNumber());
    }

    private void observation(ObservationRecorded o) {
        if (o.testId() == null) throw invalid("test_id is required");
        if (!VARIANTS.contains(o.variant())) {
            throw invalid("variant must be one of " + VARIANTS + ", was '" + o.variant() + "'");
        }
        requiredText("unit_id", o.unitId(), MAX_ID);
        unitInterval("score", o.score());
        if (o.latencyMs() != null && o.latencyMs() < 0) throw invalid("latency_ms must be >= 0, was " + o.latencyMs());
    }

    private void metadata(Map<String, String> metadata) {
        if (metadata.size() > limits.maxMetadataEntries()) {
            throw new InvalidEventException(
                    OVERSIZED, "metadata has " + metadata.size() + " entries, limit " + limits.maxMetadataEntries());
        }
        metadata.forEach((k, v) -> {
            requiredText("metadata key", k, MAX_ID);
            optionalText("metadata['" + k + "']", v, limits.maxTextLength());
        });
    }

    private static void requiredText(String field, String value, int max) {
        if (value == null || value.isBlank()) throw invalid(field + " is required and must not be blank");
        length(field, value, max);
    }

    private static void optionalText(String field, String value, int max) {
        if (value != null) length(field, value, max);
    }

    private static void length(String field, String value, int max) {
        if (value.length() > max) {
            throw new InvalidEventException(OVERSIZED, field + " has " + value.length() + " characters, limit " + max);
        }
        if (value.indexOf('\u0000') >= 0) throw invalid(field + " contains a NUL character");
    }

    private static void positive(String field, int value) {
        if (value <= 0) throw invalid(field + " must be > 0, was " + value);
    }

    private static void nonNegative(String field, long value) {
        if (value < 0) throw invalid(field + " must be >= 0, was " + value);
    }

    private static void unitInterval(String field, Double value) {
        if (value != null && !(value >= 0.0 && value <= 1.0)) {
            throw invalid(field + " must be within [0, 1], was " + value);
        }
    }

    private static void rubric(String field, Double value) {
        if (value != null && !(value >= 1.0 && value <= 5.0)) {
            throw invalid(field + " must be within [1, 5], was " + value);
        }
    }

    private static InvalidEventException invalid(String message) {
        return new InvalidEventException(INVALID_VALUE, message);
    }
}
