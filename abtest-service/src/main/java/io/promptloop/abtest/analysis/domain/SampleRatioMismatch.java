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
}
