package io.promptloop.abtest.observation.domain;

import java.time.Instant;
import java.util.UUID;

/** One request served under a test, validated. */
public record Observation(
        UUID eventId,
        Instant occurredAt,
        UUID testId,
        String variant,
        String unitId,
        Double score,
        Long latencyMs,
        boolean success) {}
