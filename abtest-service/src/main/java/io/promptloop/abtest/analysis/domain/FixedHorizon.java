package io.promptloop.abtest.analysis.domain;

/**
 * Two-sided Welch t-test on the relative lift, valid for one look at a sample size fixed in advance.
 *
 * <p>Source: GrowthBook gbstats {@code frequentist.tests.TwoSidedTTest} (relative difference).
 */
public final class FixedHorizon {

    private FixedHorizon() {}

    /**
     * lift ± t_{1−α/2, df}·√var. Source: gbstats {@code TwoSidedTTest.confidence_interval}.
     *
     * @throws IllegalArgumentException if alpha is outside (0, 1)
     */
    public static Interval interval(Estimate e, double alpha) {
        requireAlpha(alpha);
        double width = Distributions.studentTQuantile(1 - alpha / 2, e.welchDf()) * e.standardError();
        return new Interval(e.lift() - width, e.lift() + width);
    }

    /**
     * 2·(1 − T_df(|lift|/√var)). Source: gbstats {@code TwoSidedTTest.p_value}; the upper tail is computed directly
     * so that small p-values keep their digits.
     */
    public static double pValue(Estimate e) {
        double t = Math.abs(e.lift()) / e.standardError();
        return Math.min(1.0, 2.0 * Distributions.studentTUpperTail(t, e.welchDf()));
    }

    static void requireAlpha(double alpha) {
        if (!(alpha > 0 && alpha < 1)) {
            throw new IllegalArgumentException("alpha must be in (0, 1), got " + alpha);
        }
    }
}
