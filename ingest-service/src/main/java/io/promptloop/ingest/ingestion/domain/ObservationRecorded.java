package io.promptloop.ingest.ingestion.domain;

import java.time.Instant;
import java.util.UUID;

public record ObservationRecorded(
        UUID eventId,
        Instant occurredAt,
        AgentId agent,
        UUID testId,
        String variant,
        String unitId,
        Double score,
        Long latencyMs,
        boolean success,
        UUID instructionId)
        implements IngestEvent {}
