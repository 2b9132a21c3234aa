package io.promptloop.abtest.analysis.domain;

import java.util.Locale;

/** The primary metric of a test. The lower-case code is what events, configuration and the database carry. */
public enum Metric {
    /** Mean evaluation score of an observation. */
    SCORE(true),
    /** Share of successful observations. */
    SUCCESS(true),
    /** Mean latency in milliseconds: lower is better. */
    LATENCY_MS(false),
    /**
     * Σ numerator / Σ denominator of the observations that carry both (e.g. resolved tasks per turn), by the delta
     * method ({@link Ratio}). Higher is better; for a cost ratio, read the effect with the opposite sign.
     */
    RATIO(true);

    private final boolean higherIsBetter;

    Metric(boolean higherIsBetter) {
        this.higherIsBetter = higherIsBetter;
    }

    public boolean higherIsBetter() {
        return higherIsBetter;
    }

    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException for an unknown or null code */
    public static Metric fromCode(String code) {
        for (Metric metric : values()) {
            if (metric.code().equals(code)) {
                return metric;
            }
        }
        throw new IllegalArgumentException(
                "unknown metric '" + code + "', expected one of score, success, latency_ms, ratio");
    }
}
