package io.promptloop.abtest.analysis.domain;

import java.util.Locale;

/**
 * Which alternative a test can conclude. The lower-case code is what the API and the database carry.
 *
 * <p>One-sided tests look only for the treatment being better in the metric's direction (gbstats
 * {@code OneSidedTreatmentGreaterTTest} for higher-is-better metrics, {@code OneSidedTreatmentLesserTTest} for
 * latency): they stop sooner for a real improvement, but never conclude that the baseline is better.
 */
public enum Sidedness {
    TWO_SIDED,
    ONE_SIDED;

    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException for an unknown or null code */
    public static Sidedness fromCode(String code) {
        for (Sidedness s : values()) {
            if (s.code().equals(code)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown sides '" + code + "', expected two_sided or one_sided");
    }
}
