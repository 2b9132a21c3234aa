package io.promptloop.abtest.analysis.domain;

/**
 * Asymptotic confidence sequence for the relative lift: an interval that covers the true lift at every sample size
 * simultaneously with probability ≥ 1 − α, so the test may be looked at after every observation.
 *
 * <p>Source: Waudby-Smith, Arbour, Sinha, Kennedy &amp; Ramdas, "Time-uniform central limit theory and asymptotic
 * confidence sequences" (arXiv:2103.06476, v7), eq. 9 (half-width) and eq. 161 (ρ from N*), as implemented by
 * GrowthBook gbstats {@code frequentist.tests.SequentialTwoSidedTTest} with N = n_control + n_treatment and the
 * per-observation variance s² = Var(lift)·N.
 */
public final class ConfidenceSequence {

    /** GrowthBook's default tuning parameter N*, also the DESIGN default. */
    public static final double DEFAULT_N_STAR = 5_000;

    /** The alpha that fixes ρ in {@link #pValue(Estimate, double)}: gbstats' default. */
    public static final double DEFAULT_ALPHA = 0.05;

    private ConfidenceSequence() {}

    /**
     * Mixing parameter ρ = √((−2 ln α + ln(−2 ln α + 1))/N*), which makes the sequence tightest near N = N*.
     * Source: Waudby-Smith et al. eq. 161; gbstats {@code sequential_rho}.
     */
    public static double rho(double alpha, double nStar) {
        FixedHorizon.requireAlpha(alpha);
        requireNStar(nStar);
        double minus2LogAlpha = -2 * Math.log(alpha);
        return Math.sqrt((minus2LogAlpha + Math.log(minus2LogAlpha + 1)) / nStar);
    }

    /**
     * Half-width √s² · √(2(Nρ²+1)·ln(√(Nρ²+1)/α) / (Nρ)²). Source: Waudby-Smith et al. eq. 9; gbstats
     * {@code sequential_interval_halfwidth}.
     */
    public static double halfWidth(Estimate e, double alpha, double nStar) {
        double rho = rho(alpha, nStar);
        double n = e.totalN();
        double s2 = e.variance() * n;
        double nRho2Plus1 = n * rho * rho + 1;
        return Math.sqrt(s2)
                * Math.sqrt(2 * nRho2Plus1 * Math.log(Math.sqrt(nRho2Plus1) / alpha) / ((n * rho) * (n * rho)));
    }

    /** lift ± {@link #halfWidth}. */
    public static Interval interval(Estimate e, double alpha, double nStar) {
        double hw = halfWidth(e, alpha, nStar);
        return new Interval(e.effect() - hw, e.effect() + hw);
    }

    /**
     * Anytime-valid p-value with ρ tuned for {@code alpha}: p = min(1, 1/E) with the mixture e-value E =
     * exp(ρ²·S/(2(Nρ²+1)))/√(Nρ²+1), S = N·lift²/s² (Waudby-Smith et al. eq. 155; gbstats
     * {@code SequentialTwoSidedTTest.p_value}). Closed form of the smallest level a at which the sequence with this
     * ρ excludes zero, so {@code pValue(e, alpha, nStar) < alpha} exactly when {@code interval(e, alpha, nStar)}
     * excludes zero. P(p ever ≤ a) ≤ a for every a (Ville's inequality), so it may be watched continuously.
     */
    public static double pValue(Estimate e, double alpha, double nStar) {
        double rho = rho(alpha, nStar);
        double n = e.totalN();
        double rho2 = rho * rho;
        double nRho2Plus1 = n * rho2 + 1;
        // N·lift²/s² with s² = Var·N is lift²/Var: the squared z statistic.
        double z2 = e.effect() * e.effect() / e.variance();
        double logEValue = rho2 * n * z2 / (2 * nRho2Plus1) - 0.5 * Math.log(nRho2Plus1);
        return Math.min(1.0, Math.exp(-logEValue));
    }

    /** {@link #pValue(Estimate, double, double)} with ρ tuned for α = 0.05, as gbstats does by default. */
    public static double pValue(Estimate e, double nStar) {
        return pValue(e, DEFAULT_ALPHA, nStar);
    }

    /**
     * One-sided half-width √(s²·2(Nρ²+1)/(Nρ)²·ln(1 + √(Nρ²+1)/(2α))) with ρ tuned for 2α. Source:
     * Waudby-Smith et al. eq. 134; gbstats {@code sequential_interval_halfwidth_one_sided} with {@code
     * sequential_rho(alpha, N*, two_sided=False)}.
     *
     * @throws IllegalArgumentException unless 0 &lt; α &lt; 0.5 (gbstats' ALPHA_GREATER_THAN_0.5 rule)
     */
    public static double oneSidedHalfWidth(Estimate e, double alpha, double nStar) {
        requireOneSidedAlpha(alpha);
        double rho = rho(2 * alpha, nStar);
        double n = e.totalN();
        double nRho2Plus1 = n * rho * rho + 1;
        double s2 = e.variance() * n;
        return Math.sqrt(
                s2 * 2 * nRho2Plus1 / ((n * rho) * (n * rho)) * Math.log(1 + Math.sqrt(nRho2Plus1) / (2 * alpha)));
    }

    /** greater → (effect − {@link #oneSidedHalfWidth}, +∞); lesser → (−∞, effect + half-width). */
    public static Interval oneSidedInterval(Estimate e, double alpha, double nStar, boolean greater) {
        double hw = oneSidedHalfWidth(e, alpha, nStar);
        return greater
                ? new Interval(e.effect() - hw, Double.POSITIVE_INFINITY)
                : new Interval(Double.NEGATIVE_INFINITY, e.effect() + hw);
    }

    /**
     * One-sided anytime-valid p-value: the level a at which the one-sided sequence (ρ fixed by the design's α, as
     * gbstats fixes it) has its bound at zero. gbstats {@code SequentialOneSidedTreatmentLesserTTest.compute_p_value}
     * finds it by bisection over [1e-5, 0.4999]; here it is the closed form of eq. 134 solved for a: with L =
     * effect²·(Nρ)²/(2·s²·(Nρ²+1)), a = √(Nρ²+1)/(2(e^L − 1)). An effect on the wrong side (or zero) has p = 0.5,
     * capped there as gbstats' search caps at 0.4999: a one-sided test never finds for the other side.
     */
    public static double oneSidedPValue(Estimate e, double alpha, double nStar, boolean greater) {
        requireOneSidedAlpha(alpha);
        boolean rightSide = greater ? e.effect() > 0 : e.effect() < 0;
        if (!rightSide) {
            return 0.5;
        }
        double rho = rho(2 * alpha, nStar);
        double n = e.totalN();
        double nRho2Plus1 = n * rho * rho + 1;
        double s2 = e.variance() * n;
        double l = e.effect() * e.effect() * (n * rho) * (n * rho) / (2 * s2 * nRho2Plus1);
        return Math.min(0.5, Math.sqrt(nRho2Plus1) / (2 * Math.expm1(l)));
    }

    static void requireOneSidedAlpha(double alpha) {
        if (!(alpha > 0 && alpha < 0.5)) {
            throw new IllegalArgumentException("a one-sided test needs alpha in (0, 0.5), got " + alpha);
        }
    }

    private static void requireNStar(double nStar) {
        if (!(nStar > 0) || !Double.isFinite(nStar)) {
            throw new IllegalArgumentException("nStar must be positive, got " + nStar);
        }
    }
}
