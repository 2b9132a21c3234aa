package io.promptloop.abtest.analysis.domain;

import java.util.Locale;

/**
 * Outcome of a sample ratio mismatch check.
 *
 * @param chiSquared Pearson's χ² statistic (1 degree of freedom)
 * @param pValue P(χ²₁ ≥ chiSquared)
 * @param severity how strongly the counts contradict the configured split
 */
public record SrmResult(double chiSquared, double pValue, Severity severity) {

    public SrmResult {
        if (!(chiSquared >= 0)) {
            throw new IllegalArgumentException("chiSquared must be >= 0, got " + chiSquared);
        }
        if (!(pValue >= 0 && pValue <= 1)) {
            throw new IllegalArgumentException("pValue must be in [0, 1], got " + pValue);
        }
        if (severity == null) {
            throw new IllegalArgumentException("severity is required");
        }
    }

    /** True when the mismatch is too strong to trust any comparison: p &lt; threshold (DESIGN default 0.001). */
    public boolean blocksDecision(double threshold) {
        return pValue < threshold;
    }

    /** Severity by p-value: &lt; 0.05 minor, &lt; 0.01 moderate, &lt; 0.001 severe. */
    public enum Severity {
        NONE,
        MINOR,
        MODERATE,
        SEVERE;

        public String code() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Severity of(double pValue) {
            if (pValue < 0.001) {
                return SEVERE;
            }
            if (pValue < 0.01) {
                return MODERATE;
            }
            if (pValue < 0.05) {
                return MINOR;
            }
            return NONE;
        }
    }
}
