package io.promptloop.ingest.ingestion.domain;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Builders of valid domain events for tests; each test changes what it is about. */
public final class Events {

    static final Instant T0 = Instant.parse("2025-10-24T10:00:00Z");
    static final AgentId AGENT = new AgentId("era", "answer");

    private Events() {}

    public static TurnRecorded turn(UUID session, int number) {
        return turn(UUID.randomUUID(), session, number);
    }

    static TurnRecorded turn(UUID eventId, UUID session, int number) {
        return new TurnRecorded(
                eventId,
                T0.plusSeconds(number),
                AGENT,
                session,
                number,
                "My employee didn't show up",
                "Got it - that's definitely frustrating.",
                1200,
                List.of(new TurnRecorded.SearchResult("chunk-789", "No Show Policy", "Employees who fail...", 0.89)),
                0.85,
                1,
                0.7,
                null,
                null,
                Map.of());
    }

    public static ImprovementNoted note(UUID session, int turnNumber) {
        return new ImprovementNoted(
                UUID.randomUUID(),
                T0.plusSeconds(100 + turnNumber),
                AGENT,
                session,
                turnNumber,
                "Should ask clarifying questions first",
                "content",
                Map.of());
    }

    static SessionStarted started(UUID session, Instant at) {
        return new SessionStarted(
                UUID.randomUUID(),
                at,
                AGENT,
                session,
                "fc26922",
                "prompt-tuning",
                "aad-1",
                "meg@fc.com",
                "Meg",
                Map.of());
    }

    static SessionEnded ended(UUID session, Instant at, String reason) {
        return new SessionEnded(UUID.randomUUID(), at, AGENT, session, reason);
    }

    static ObservationRecorded observation(String variant, Double score, Long latency) {
        return new ObservationRecorded(
                UUID.randomUUID(), T0, AGENT, UUID.randomUUID(), variant, "user-1", score, latency, true, null);
    }
}
