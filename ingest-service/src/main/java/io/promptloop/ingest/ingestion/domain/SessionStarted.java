package io.promptloop.ingest.ingestion.domain;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

public record SessionStarted(
        UUID eventId,
        Instant occurredAt,
        AgentId agent,
        UUID sessionId,
        String masterPromptVersion,
        String branchName,
        String testerId,
        String testerEmail,
        String testerName,
        Map<String, String> metadata)
        implements IngestEvent, SessionEvent {}
