package io.promptloop.ingest.ingestion.domain;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/** A tester's note on an earlier turn; {@code category} is lower case (tone, content, ...) or null. */
public record ImprovementNoted(
        UUID eventId,
        Instant occurredAt,
        AgentId agent,
        UUID sessionId,
        int turnNumber,
        String note,
        String category,
        Map<String, String> metadata)
        implements IngestEvent, SessionEvent {

    public TurnRef turnRef() {
        return new TurnRef(sessionId, turnNumber);
    }
}
