package io.promptloop.abtest.analysis.domain;

import java.util.Optional;

/**
 * The effect of treatment over control — relative or absolute — and its variance, with GrowthBook gbstats'
 * conventions ({@code models.tests.EffectMoments}).
 *
 * <p>A comparison is not estimable — {@link #of} throws, {@link #tryOf} returns empty and {@link #whyNot} names the
 * reason — when (gbstats {@code EffectMoments.compute_result}, in its order):
 *
 * <ul>
 *   <li>either arm has fewer than two observations ({@link #NOT_ENOUGH_DATA}; gbstats reads that as zero variance);
 *   <li>either arm's variance, or the lift's, is zero or negative ({@link #ZERO_VARIANCE}, gbstats
 *       {@code ZERO_NEGATIVE_VARIANCE}): e.g. control 100/100 successes against treatment 90/100 decides nothing,
 *       since a constant arm carries no information about its own noise;
 *   <li>the control mean is 0 ({@link #BASELINE_ZERO}, gbstats {@code ZERO_NEGATIVE_BASELINE_VARIATION}): a lift
 *       relative to nothing is undefined. (A success metric whose control never succeeds is already caught by the
 *       rule before: p(1 − p) = 0.)
 * </ul>
 */
public final class EffectEstimator {

    /** Reason: an arm has fewer than two observations. */
    public static final String NOT_ENOUGH_DATA = "not enough data";
    /** Reason: gbstats {@code ZERO_NEGATIVE_VARIANCE}. */
    public static final String ZERO_VARIANCE = "zero variance in an arm: no decision (gbstats ZERO_NEGATIVE_VARIANCE)";
    /** Reason: gbstats {@code ZERO_NEGATIVE_BASELINE_VARIATION}. */
    public static final String BASELINE_ZERO =
            "control mean is 0: no relative effect (gbstats ZERO_NEGATIVE_BASELINE_VARIATION)";

    private EffectEstimator() {}

    /**
     * The estimate of lift = (m_t − m_c)/|m_c|, so that its sign is the sign of m_t − m_c even when the control mean
     * is negative. Source: gbstats {@code utils.frequentist_diff} (relative).
     *
     * <p>Variance by the delta method, Var = v_t/(n_t·m_c²) + m_t²·v_c/(n_c·m_c⁴) (Deng, Knoblich &amp; Lu 2018,
     * "Applying the Delta Method in Metric Analytics", eq. 4 with independent arms; gbstats
     * {@code utils.frequentist_variance}, relative — unchanged by the absolute value, as it squares m_c). Degrees of
     * freedom by Welch–Satterthwaite on the raw arm variances, df = (v_t/n_t + v_c/n_c)² / (v_t²/(n_t²(n_t−1)) +
     * v_c²/(n_c²(n_c−1))), as gbstats {@code TTest.dof} computes them for the relative case too (Welch 1947).
     *
     * @throws IllegalArgumentException if the comparison is not estimable
     */
    public static Estimate of(SampleSummary control, SampleSummary treatment) {
        return tryOf(control, treatment)
                .orElseThrow(() -> new IllegalArgumentException("relative lift not estimable: "
                        + whyNot(control, treatment).orElse("?")));
    }

    /** The relative estimate, or empty when the comparison is not estimable. */
    public static Optional<Estimate> tryOf(SampleSummary control, SampleSummary treatment) {
        return tryOf(EffectType.RELATIVE, control, treatment);
    }

    /**
     * The estimate of the given type, or empty when not estimable. Absolute: m_t − m_c with variance v_t/n_t +
     * v_c/n_c (gbstats {@code utils.frequentist_diff} and {@code frequentist_variance}, absolute) and the same
     * Welch degrees of freedom. gbstats refuses a zero control mean for the absolute effect too, and so does this.
     */
    public static Optional<Estimate> tryOf(EffectType type, SampleSummary control, SampleSummary treatment) {
        if (whyNot(control, treatment).isPresent()) {
            return Optional.empty();
        }
        Estimate relative = compute(control, treatment);
        if (type == EffectType.RELATIVE) {
            return Optional.of(relative);
        }
        double variance = treatment.variance() / treatment.n() + control.variance() / control.n();
        return Optional.of(new Estimate(
                EffectType.ABSOLUTE,
                relative.controlMean(),
                relative.treatmentMean(),
                relative.treatmentMean() - relative.controlMean(),
                variance,
                relative.welchDf(),
                relative.controlN(),
                relative.treatmentN()));
    }

    /**
     * The estimate for a guardrail: like {@link #tryOf} but one constant arm is allowed as long as the lift's
     * variance is positive. Deliberately not gbstats' rule: a treatment that fails every call (0/n successes, zero
     * variance) is the case a safety guardrail exists for, and must still be able to break it.
     */
    static Optional<Estimate> tryOfForGuardrail(SampleSummary control, SampleSummary treatment) {
        if (control.n() < 2 || treatment.n() < 2 || control.mean() == 0.0) {
            return Optional.empty();
        }
        double mc = control.mean();
        double variance = treatment.variance() / (treatment.n() * mc * mc)
                + treatment.mean() * treatment.mean() * control.variance() / (control.n() * mc * mc * mc * mc);
        if (!(variance > 0) || !Double.isFinite(variance)) {
            return Optional.empty();
        }
        return Optional.of(compute(control, treatment));
    }

    private static Estimate compute(SampleSummary control, SampleSummary treatment) {
        double mc = control.mean();
        double mt = treatment.mean();
        double vc = control.variance();
        double vt = treatment.variance();
        long nc = control.n();
        long nt = treatment.n();
        double variance = vt / (nt * mc * mc) + mt * mt * vc / (nc * mc * mc * mc * mc);
        double perArmT = vt / nt;
        double perArmC = vc / nc;
        double df = (perArmT + perArmC)
                * (perArmT + perArmC)
                / (vt * vt / ((double) nt * nt * (nt - 1)) + vc * vc / ((double) nc * nc * (nc - 1)));
        return new Estimate(mc, mt, (mt - mc) / Math.abs(mc), variance, df, nc, nt);
    }

    /** True when {@link #of} would succeed. */
    public static boolean isEstimable(SampleSummary control, SampleSummary treatment) {
        return whyNot(control, treatment).isEmpty();
    }

    /** Why the comparison is not estimable ({@link #NOT_ENOUGH_DATA}, ...), empty when it is. */
    public static Optional<String> whyNot(SampleSummary control, SampleSummary treatment) {
        if (control.n() < 2 || treatment.n() < 2) {
            return Optional.of(NOT_ENOUGH_DATA);
        }
        if (control.hasZeroVariance() || treatment.hasZeroVariance()) {
            return Optional.of(ZERO_VARIANCE);
        }
        if (control.mean() == 0.0) {
            return Optional.of(BASELINE_ZERO);
        }
        double mc = control.mean();
        double variance = treatment.variance() / (treatment.n() * mc * mc)
                + treatment.mean() * treatment.mean() * control.variance() / (control.n() * mc * mc * mc * mc);
        if (!(variance > 0) || !Double.isFinite(variance)) {
            return Optional.of(ZERO_VARIANCE);
        }
        return Optional.empty();
    }
}
