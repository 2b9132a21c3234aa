package io.promptloop.ingest.ingestion.messaging;

import static io.promptloop.ingest.ingestion.domain.RejectionReason.INVALID_VALUE;
import static io.promptloop.ingest.ingestion.domain.RejectionReason.UNDECODABLE;

import io.promptloop.avro.common.AgentRef;
import io.promptloop.ingest.ingestion.domain.AgentId;
import io.promptloop.ingest.ingestion.domain.EvaluationRecorded;
import io.promptloop.ingest.ingestion.domain.ImprovementNoted;
import io.promptloop.ingest.ingestion.domain.IngestEvent;
import io.promptloop.ingest.ingestion.domain.InvalidEventException;
import io.promptloop.ingest.ingestion.domain.ObservationRecorded;
import io.promptloop.ingest.ingestion.domain.SessionEnded;
import io.promptloop.ingest.ingestion.domain.SessionStarted;
import io.promptloop.ingest.ingestion.domain.TurnRecorded;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/** Maps the generated Avro classes onto the ingest domain; malformed ids become rejections, not crashes. */
final class AvroEventMapper {

    private AvroEventMapper() {}

    static IngestEvent fromSession(io.promptloop.avro.session.SessionEvent e) {
        UUID eventId = uuid("event_id", e.getEventId());
        AgentId agent = agent(e.getAgent());
        UUID sessionId = uuid("session_id", e.getSessionId());
        var at = e.getOccurredAt();
        return switch (e.getPayload()) {
            case io.promptloop.avro.session.SessionStarted s -> {
                var tester = s.getTester();
                yield new SessionStarted(
                        eventId,
                        at,
                        agent,
                        sessionId,
                        s.getMasterPromptVersion(),
                        s.getBranchName(),
                        tester == null ? null : tester.getId(),
                        tester == null ? null : tester.getEmail(),
                        tester == null ? null : tester.getName(),
                        Map.copyOf(s.getMetadata()));
            }
            case io.promptloop.avro.session.TurnRecorded t ->
                new TurnRecorded(
                        eventId,
                        at,
                        agent,
                        sessionId,
                        t.getTurnNumber(),
                        t.getUserMessage(),
                        t.getAgentResponse(),
                        t.getProcessingTimeMs(),
                        searchResults(t.getSearchResults()),
                        t.getAvgSimilarity(),
                        t.getTotalChunks(),
                        t.getConfidenceScore(),
                        t.getTemplateUsed(),
                        optionalUuid("instruction_id", t.getInstructionId()),
                        Map.copyOf(t.getMetadata()));
            case io.promptloop.avro.session.ImprovementNoted n ->
                new ImprovementNoted(
                        eventId,
                        at,
                        agent,
                        sessionId,
                        n.getTurnNumber(),
                        n.getImprovementNote(),
                        n.getCategory() == null ? null : n.getCategory().name().toLowerCase(Locale.ROOT),
                        Map.copyOf(n.getMetadata()));
            case io.promptloop.avro.session.SessionEnded x ->
                new SessionEnded(eventId, at, agent, sessionId, x.getReason());
            case null -> throw new InvalidEventException(UNDECODABLE, "session event without payload");
            default ->
                throw new InvalidEventException(
                        UNDECODABLE,
                        "unknown session payload " + e.getPayload().getClass().getName());
        };
    }

    static IngestEvent fromEvaluation(io.promptloop.avro.evaluation.EvaluationRecorded e) {
        var s = e.getScores();
        return new EvaluationRecorded(
                uuid("event_id", e.getEventId()),
                e.getOccurredAt(),
                agent(e.getAgent()),
                e.getExampleId(),
                e.getInput(),
                e.getOutput(),
                e.getExpectedBehavior(),
                e.getCategory(),
                new EvaluationRecorded.Scores(
                        s.getFunctionality(),
                        s.getSafety(),
                        s.getConsistency(),
                        s.getEdgeCaseHandling(),
                        s.getFaithfulness(),
                        s.getAnswerRelevancy(),
                        s.getContextPrecision(),
                        s.getContextRecall(),
                        s.getRagasAggregate(),
                        s.getCausalValidity(),
                        s.getActionability(),
                        s.getRubricAggregate()),
                e.getOverallScore(),
                e.getReasoning(),
                e.getFeedback(),
                e.getEvaluator().name().toLowerCase(Locale.ROOT),
                optionalUuid("session_id", e.getSessionId()),
                e.getTurnNumber(),
                optionalUuid("run_id", e.getRunId()),
                optionalUuid("candidate_id", e.getCandidateId()),
                optionalUuid("request_id", e.getRequestId()));
    }

    static IngestEvent fromObservation(io.promptloop.avro.observation.ObservationRecorded o) {
        return new ObservationRecorded(
                uuid("event_id", o.getEventId()),
                o.getOccurredAt(),
                agent(o.getAgent()),
                uuid("test_id", o.getTestId()),
                o.getVariant(),
                o.getUnitId(),
                o.getScore(),
                o.getLatencyMs(),
                o.getSuccess(),
                optionalUuid("instruction_id", o.getInstructionId()));
    }

    private static AgentId agent(AgentRef ref) {
        if (ref == null) throw new InvalidEventException(INVALID_VALUE, "agent is required");
        return new AgentId(ref.getAgentName(), ref.getPredictorName());
    }

    private static List<TurnRecorded.SearchResult> searchResults(List<io.promptloop.avro.session.SearchResult> in) {
        return in.stream()
                .map(r -> new TurnRecorded.SearchResult(
                        r.getChunkId(), r.getDocumentTitle(), r.getChunkText(), r.getSimilarity()))
                .toList();
    }

    static UUID uuid(String field, String value) {
        if (value == null) throw new InvalidEventException(INVALID_VALUE, field + " is required");
        try {
            UUID parsed = UUID.fromString(value);
            // UUID.fromString accepts shortened forms like "1-2-3-4-5"; insist on the canonical one.
            if (!parsed.toString().equalsIgnoreCase(value)) throw new IllegalArgumentException(value);
            return parsed;
        } catch (IllegalArgumentException ex) {
            throw new InvalidEventException(INVALID_VALUE, field + " is not a UUID: '" + abbreviate(value) + "'");
        }
    }

    private static UUID optionalUuid(String field, String value) {
        return value == null ? null : uuid(field, value);
    }

    private static String abbreviate(String value) {
        return value.length() <= 60 ? value : value.substring(0, 60) + "...";
    }
}
