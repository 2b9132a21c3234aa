package io.promptloop.ingest.ingestion.domain;

import java.time.Instant;
import java.util.UUID;

public record SessionEnded(UUID eventId, Instant occurredAt, AgentId agent, UUID sessionId, String reason)
        implements IngestEvent, SessionEvent {}
