package io.promptloop.abtest.analysis.domain;

/**
 * Limits the treatment must respect whatever the primary metric says. Each is optional (null = off).
 *
 * @param minSuccessRateRatio lowest tolerated success rate of treatment relative to control, in (0, 1] (0.98 =
 *     at most 2% relatively worse)
 * @param maxLatencyRatio highest tolerated mean latency relative to control, ≥ 1
 * @param maxLatencyP95Ratio highest tolerated p95 latency relative to control, ≥ 1
 */
public record Guardrails(Double minSuccessRateRatio, Double maxLatencyRatio, Double maxLatencyP95Ratio) {

    private static final Guardrails NONE = new Guardrails(null, null, null);

    public Guardrails {
        if (minSuccessRateRatio != null && !(minSuccessRateRatio > 0 && minSuccessRateRatio <= 1)) {
            throw new IllegalArgumentException("minSuccessRateRatio must be in (0, 1], got " + minSuccessRateRatio);
        }
        if (maxLatencyRatio != null && !(maxLatencyRatio >= 1 && Double.isFinite(maxLatencyRatio))) {
            throw new IllegalArgumentException("maxLatencyRatio must be >= 1, got " + maxLatencyRatio);
        }
        if (maxLatencyP95Ratio != null && !(maxLatencyP95Ratio >= 1 && Double.isFinite(maxLatencyP95Ratio))) {
            throw new IllegalArgumentException("maxLatencyP95Ratio must be >= 1, got " + maxLatencyP95Ratio);
        }
    }

    /** No guardrail. */
    public static Guardrails none() {
        return NONE;
    }
}
