package io.promptloop.ingest.ingestion.domain;

import java.time.Instant;
import java.util.UUID;

public record EvaluationRecorded(
        UUID eventId,
        Instant occurredAt,
        AgentId agent,
        String exampleId,
        String input,
        String output,
        String expectedBehavior,
        String category,
        Scores scores,
        double overallScore,
        String reasoning,
        String feedback,
        String evaluator,
        UUID sessionId,
        Integer turnNumber,
        UUID runId,
        UUID candidateId,
        UUID requestId)
        implements IngestEvent {

    /** Seed-004 dimensions and RAGAS metrics are 0..1, rubric scores 1..5; any may be absent. */
    public record Scores(
            Double functionality,
            Double safety,
            Double consistency,
            Double edgeCaseHandling,
            Double faithfulness,
            Double answerRelevancy,
            Double contextPrecision,
            Double contextRecall,
            Double ragasAggregate,
            Double causalValidity,
            Double actionability,
            Double rubricAggregate) {}
}
