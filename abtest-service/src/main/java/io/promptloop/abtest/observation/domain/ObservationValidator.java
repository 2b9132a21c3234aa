package io.promptloop.abtest.observation.domain;

import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * Field rules of an observation (DESIGN: score 0..1, latency ≥ 0, unit id 1..200 characters, UUID ids; covariate and
 * ratio parts finite with |x| ≤ 10¹², the parts of a ratio both or neither).
 */
public final class ObservationValidator {

    public static final int MAX_UNIT_ID = 200;

    /** Bound of covariates and ratio parts: their squares and products stay far from overflowing a double sum. */
    public static final double MAX_MAGNITUDE = 1e12;

    private ObservationValidator() {}

    /** The raw fields as they arrived. */
    public record Raw(
            String eventId,
            Instant occurredAt,
            String testId,
            String variant,
            String unitId,
            Double score,
            Long latencyMs,
            boolean success,
            Double covariate,
            Double ratioNumerator,
            Double ratioDenominator) {

        /** Raw fields without covariate and ratio parts. */
        public Raw(
                String eventId,
                Instant occurredAt,
                String testId,
                String variant,
                String unitId,
                Double score,
                Long latencyMs,
                boolean success) {
            this(eventId, occurredAt, testId, variant, unitId, score, latencyMs, success, null, null, null);
        }
    }

    /** Either a valid observation or the problem, stated for a human. */
    public record Result(Observation observation, String problem) {
        public boolean valid() {
            return observation != null;
        }
    }

    public static Result validate(Raw raw) {
        Optional<UUID> eventId = uuid(raw.eventId());
        if (eventId.isEmpty()) return problem("event_id is not a UUID: " + clip(raw.eventId()));
        Optional<UUID> testId = uuid(raw.testId());
        if (testId.isEmpty()) return problem("test_id is not a UUID: " + clip(raw.testId()));
        if (raw.occurredAt() == null) return problem("occurred_at is missing");
        if (raw.variant() == null || raw.variant().isBlank()) return problem("variant is empty");
        if (raw.unitId() == null || raw.unitId().isEmpty() || raw.unitId().length() > MAX_UNIT_ID) {
            return problem("unit_id must be 1.." + MAX_UNIT_ID + " characters");
        }
        if (raw.score() != null && !(raw.score() >= 0 && raw.score() <= 1)) {
            return problem("score must be within 0..1, got " + raw.score());
        }
        if (raw.latencyMs() != null && raw.latencyMs() < 0) {
            return problem("latency_ms must be ≥ 0, got " + raw.latencyMs());
        }
        String bad = bounded("covariate", raw.covariate());
        if (bad == null) bad = bounded("ratio_numerator", raw.ratioNumerator());
        if (bad == null) bad = bounded("ratio_denominator", raw.ratioDenominator());
        if (bad != null) return problem(bad);
        if ((raw.ratioNumerator() == null) != (raw.ratioDenominator() == null)) {
            return problem("ratio_numerator and ratio_denominator go together: one of them is missing");
        }
        return new Result(
                new Observation(
                        eventId.get(),
                        raw.occurredAt(),
                        testId.get(),
                        raw.variant(),
                        raw.unitId(),
                        raw.score(),
                        raw.latencyMs(),
                        raw.success(),
                        raw.covariate(),
                        raw.ratioNumerator(),
                        raw.ratioDenominator()),
                null);
    }

    private static String bounded(String field, Double value) {
        if (value == null || (Double.isFinite(value) && Math.abs(value) <= MAX_MAGNITUDE)) return null;
        return field + " must be finite with |x| ≤ 1e12, got " + value;
    }

    private static Result problem(String text) {
        return new Result(null, text);
    }

    private static Optional<UUID> uuid(String text) {
        if (text == null || text.length() != 36) return Optional.empty();
        try {
            return Optional.of(UUID.fromString(text));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static String clip(String s) {
        if (s == null) return "null";
        return s.length() > 60 ? s.substring(0, 60) + "…" : s;
    }
}
