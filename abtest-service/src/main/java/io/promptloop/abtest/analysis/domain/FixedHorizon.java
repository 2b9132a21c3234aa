package io.promptloop.abtest.analysis.domain;

/**
 * Welch t-test on the effect (relative or absolute), valid for one look at a sample size fixed in advance; two-sided
 * or one-sided.
 *
 * <p>Source: GrowthBook gbstats {@code frequentist.tests.TwoSidedTTest}, {@code OneSidedTreatmentGreaterTTest} and
 * {@code OneSidedTreatmentLesserTTest}.
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
        return new Interval(e.effect() - width, e.effect() + width);
    }

    /**
     * 2·(1 − T_df(|lift|/√var)). Source: gbstats {@code TwoSidedTTest.p_value}; the upper tail is computed directly
     * so that small p-values keep their digits.
     */
    public static double pValue(Estimate e) {
        double t = Math.abs(e.effect()) / e.standardError();
        return Math.min(1.0, 2.0 * Distributions.studentTUpperTail(t, e.welchDf()));
    }

    /**
     * One-sided interval: greater → (effect − t_{1−α, df}·√var, +∞), lesser → (−∞, effect + t_{1−α, df}·√var).
     * Source: gbstats {@code OneSidedTreatment(Greater|Lesser)TTest.confidence_interval}.
     *
     * @param greater the alternative is "treatment greater than control"; false for "lesser"
     */
    public static Interval oneSidedInterval(Estimate e, double alpha, boolean greater) {
        requireAlpha(alpha);
        double width = Distributions.studentTQuantile(1 - alpha, e.welchDf()) * e.standardError();
        return greater
                ? new Interval(e.effect() - width, Double.POSITIVE_INFINITY)
                : new Interval(Double.NEGATIVE_INFINITY, e.effect() + width);
    }

    /**
     * One-sided p-value: greater → P(T &gt; effect/√var), lesser → P(T &lt; effect/√var), each tail computed
     * directly. Source: gbstats {@code OneSidedTreatment(Greater|Lesser)TTest.p_value}.
     */
    public static double oneSidedPValue(Estimate e, boolean greater) {
        double t = e.effect() / e.standardError();
        return Distributions.studentTUpperTail(greater ? t : -t, e.welchDf());
    }

    static void requireAlpha(double alpha) {
        if (!(alpha > 0 && alpha < 1)) {
            throw new IllegalArgumentException("alpha must be in (0, 1), got " + alpha);
        }
    }
}
