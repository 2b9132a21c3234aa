package io.promptloop.abtest.analysis.domain;

import java.util.Locale;

/** How a test controls its false-positive rate. */
public enum Method {
    /** Anytime-valid confidence sequences: look as often as you like, stop whenever the sequence decides. */
    SEQUENTIAL,
    /** Fixed maximum sample with Lan–DeMets O'Brien–Fleming alpha spending over the looks actually taken. */
    FIXED,
    /**
     * GrowthBook's Bayesian engine: normal posterior of the effect (optional informative prior), stop when the chance
     * to win leaves [α, 1 − α]. Not error-controlled under continuous peeking, as in GrowthBook.
     */
    BAYESIAN;

    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException for an unknown or null code */
    public static Method fromCode(String code) {
        for (Method method : values()) {
            if (method.code().equals(code)) {
                return method;
            }
        }
        throw new IllegalArgumentException("unknown method '" + code + "', expected sequential, fixed or bayesian");
    }
}
