package io.promptloop.abtest.observation.domain;

import java.time.Instant;
import java.util.UUID;

/**
 * One request served under a test, validated.
 *
 * @param covariate CUPED: the unit's pre-exposure value of the test's metric, null when it has none
 * @param ratioNumerator ratio metric: numerator, null together with {@code ratioDenominator}
 * @param ratioDenominator ratio metric: denominator
 */
public record Observation(
        UUID eventId,
        Instant occurredAt,
        UUID testId,
        String variant,
        String unitId,
        Double score,
        Long latencyMs,
        boolean success,
        Double covariate,
        Double ratioNumerator,
        Double ratioDenominator) {

    /** An observation without covariate and ratio parts. */
    public Observation(
            UUID eventId,
            Instant occurredAt,
            UUID testId,
            String variant,
            String unitId,
            Double score,
            Long latencyMs,
            boolean success) {
        this(eventId, occurredAt, testId, variant, unitId, score, latencyMs, success, null, null, null);
    }
}
