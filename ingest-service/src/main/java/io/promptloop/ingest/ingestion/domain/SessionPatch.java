package io.promptloop.ingest.ingestion.domain;

import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What a batch says about one session, merged so that the database can apply it in one upsert. Applying
 * a patch is idempotent and order-insensitive where it can be: the session starts at the earliest event
 * seen, ends at the latest SessionEnded, and explicit start details fill in what an implicit open left
 * empty. Counters are not part of a patch: they move only by rows actually inserted.
 */
public record SessionPatch(
        UUID sessionId,
        AgentId agent,
        Instant earliestEvent,
        SessionStarted started,
        Instant endedAt,
        String endReason) {

    /** Merges the session events of a batch, one patch per session, in order of first appearance. */
    public static List<SessionPatch> of(Collection<? extends IngestEvent> events) {
        Map<UUID, SessionPatch> patches = new LinkedHashMap<>();
        for (IngestEvent event : events) {
            if (event instanceof SessionEvent s) {
                patches.merge(s.sessionId(), single(event, s.sessionId()), SessionPatch::merge);
            }
        }
        return List.copyOf(patches.values());
    }

    private static SessionPatch single(IngestEvent event, UUID sessionId) {
        return switch (event) {
            case SessionStarted s -> new SessionPatch(sessionId, s.agent(), s.occurredAt(), s, null, null);
            case SessionEnded e ->
                new SessionPatch(sessionId, e.agent(), e.occurredAt(), null, e.occurredAt(), e.reason());
            default -> new SessionPatch(sessionId, event.agent(), event.occurredAt(), null, null, null);
        };
    }

    SessionPatch merge(SessionPatch later) {
        Instant earliest = earliestEvent.isAfter(later.earliestEvent) ? later.earliestEvent : earliestEvent;
        SessionStarted start = later.started != null ? later.started : started;
        AgentId agentId = start != null ? start.agent() : agent;
        Instant end = endedAt;
        String reason = endReason;
        if (later.endedAt != null && (end == null || !later.endedAt.isBefore(end))) {
            end = later.endedAt;
            reason = later.endReason;
        }
        return new SessionPatch(sessionId, agentId, earliest, start, end, reason);
    }
}
