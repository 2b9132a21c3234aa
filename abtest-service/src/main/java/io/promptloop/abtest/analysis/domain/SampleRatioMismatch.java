package io.promptloop.abtest.analysis.domain;

/**
 * Sample ratio mismatch: do the arms' counts fit the configured traffic split? A mismatch means assignment or
 * logging is broken, and then no comparison of the arms can be trusted.
 */
public final class SampleRatioMismatch {

    private SampleRatioMismatch() {}

    /**
     * Pearson's χ² goodness of fit, Σ (observed − expected)²/expected over both arms, against χ² with 1 degree of
     * freedom. Source: GrowthBook gbstats {@code utils.check_srm} (Fabijan et al. 2019, "Diagnosing Sample Ratio
     * Mismatch in Online Controlled Experiments", KDD). No observations at all is no evidence: χ² = 0, p = 1.
     *
     * @param treatmentShare expected share of the treatment arm, in (0, 1)
     * @throws IllegalArgumentException for negative counts or a share outside (0, 1)
     */
    public static SrmResult check(long controlCount, long treatmentCount, double treatmentShare) {
        if (controlCount < 0 || treatmentCount < 0) {
            throw new IllegalArgumentException("counts must be >= 0, got " + controlCount + " and " + treatmentCount);
        }
        if (!(treatmentShare > 0 && treatmentShare < 1)) {
            throw new IllegalArgumentException("treatment share must be in (0, 1), got " + treatmentShare);
        }
        double total = (double) controlCount + treatmentCount;
        if (total == 0) {
            return new SrmResult(0.0, 1.0, SrmResult.Severity.NONE);
        }
        double expectedTreatment = total * treatmentShare;
        double expectedControl = total - expectedTreatment;
        double dc = controlCount - expectedControl;
        double dt = treatmentCount - expectedTreatment;
        double chiSquared = dc * dc / expectedControl + dt * dt / expectedTreatment;
        double p = Distributions.chiSquaredSurvival(chiSquared, 1);
        return new SrmResult(chiSquared, p, SrmResult.Severity.of(p));
    }

    /**
     * SRM over K arms with their traffic weights (multi-arm tests): Pearson's χ² with K − 1 degrees of freedom.
     * Source: gbstats {@code utils.check_srm(users, weights)} with its rules — arms of weight ≤ 0 add nothing to χ²
     * but still count in the degrees of freedom, and no observations at all is no evidence (p = 1).
     *
     * @throws IllegalArgumentException for fewer than two arms, mismatched lengths, negative counts or weights, or
     *     no positive weight
     */
    public static SrmResult check(long[] counts, double[] weights) {
        if (counts == null || weights == null || counts.length < 2 || counts.length != weights.length) {
            throw new IllegalArgumentException("need counts and weights for at least two arms, of equal length");
        }
        double total = 0;
        double totalWeight = 0;
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] < 0 || !(weights[i] >= 0) || !Double.isFinite(weights[i])) {
                throw new IllegalArgumentException(
                        "counts and weights must be >= 0, got " + counts[i] + ", " + weights[i]);
            }
            total += counts[i];
            totalWeight += weights[i];
        }
        if (!(totalWeight > 0)) {
            throw new IllegalArgumentException("at least one arm needs a positive weight");
        }
        if (total == 0) {
            return new SrmResult(0.0, 1.0, SrmResult.Severity.NONE);
        }
        double chiSquared = 0;
        for (int i = 0; i < counts.length; i++) {
            if (weights[i] <= 0) {
                continue;
            }
            double expected = weights[i] / totalWeight * total;
            double d = counts[i] - expected;
            chiSquared += d * d / expected;
        }
        double p = Distributions.chiSquaredSurvival(chiSquared, counts.length - 1);
        return new SrmResult(chiSquared, p, SrmResult.Severity.of(p));
    }
}
