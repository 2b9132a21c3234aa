package io.promptloop.abtest.analysis.domain;

import java.util.Optional;

/**
 * CUPED / regression adjustment with one pre-exposure covariate per unit — GrowthBook gbstats'
 * {@code RegressionAdjustedStatistic} and its use in {@code EffectMoments}, convention by convention. Each arm's
 * co-moments pair the covariate (x) with the metric (y).
 *
 * <ul>
 *   <li>θ is pooled over both arms: θ = Cov(y, x)/Var(x) of the two arms' observations taken together (gbstats
 *       {@code compute_theta} on {@code create_joint_statistic}), i.e. C/M2x of the merged co-moments; 0 when the
 *       pooled x or y has no spread, and then the analysis is the unadjusted one ({@code
 *       create_theta_adjusted_statistics} reverts to the post statistics).
 *   <li>adjusted mean per arm: ȳ − θ·x̄; adjusted variance per unit: Var(y) + θ²·Var(x) − 2θ·Cov(y, x) with the arm's
 *       own (co)variances — divisor n − 1 for scores and latencies ({@code SampleMeanStatistic}), n for the success
 *       rate ({@code ProportionStatistic}: p(1 − p) and {@code sum_of_products/n − ΣxΣy/n²}); 0 below two units.
 *   <li>absolute effect: adjusted mean difference, variance v_t/n_t + v_c/n_c of the adjusted variances; relative
 *       effect: the difference over |unadjusted control mean| with gbstats' {@code
 *       frequentist_variance_relative_cuped} (delta method on (ȳ_t − θx̄_t − ȳ_c + θx̄_c)/ȳ_c).
 *   <li>Welch degrees of freedom on the adjusted variances ({@code TTest.dof} reads {@code stat.variance}).
 *   <li>no estimate (gbstats' default result) when an arm has fewer than two units, when an adjusted variance or the
 *       effect's variance is ≤ 0, or when the adjusted or the unadjusted control mean is 0.
 * </ul>
 *
 * <p>Source of the method: Deng, Xu, Kohavi &amp; Walker (2013), "Improving the Sensitivity of Online Controlled
 * Experiments by Utilizing Pre-Experiment Data", WSDM (θ = Cov(Y, X)/Var(X), Var reduced by the factor 1 − ρ²).
 */
public final class Cuped {

    private Cuped() {}

    /** Pooled θ = C/M2x of both arms' merged co-moments; 0 when the pooled covariate or metric has no spread. */
    public static double theta(CoMoments control, CoMoments treatment) {
        CoMoments joint = control.plus(treatment);
        if (joint.n() < 2 || !(joint.m2x() > 0) || !(joint.m2y() > 0)) {
            return 0.0;
        }
        // Cov/Var with the same divisor (n − 1 for means, n for proportions): the divisor cancels
        return joint.cxy() / joint.m2x();
    }

    /** One arm regression-adjusted with θ. */
    record Adjusted(
            long n,
            double mean,
            double variance,
            double postMean,
            double postVariance,
            double preVariance,
            double covariance) {

        static Adjusted of(CoMoments m, double theta, boolean proportion) {
            long n = m.n();
            double divisor = proportion ? n : n - 1;
            double postVariance = n <= 1 ? 0 : m.m2y() / divisor;
            double preVariance = n <= 1 ? 0 : m.m2x() / divisor;
            double covariance = n <= 1 ? 0 : m.cxy() / divisor;
            double variance = n <= 1 ? 0 : postVariance + theta * theta * preVariance - 2 * theta * covariance;
            return new Adjusted(
                    n, m.meanY() - theta * m.meanX(), variance, m.meanY(), postVariance, preVariance, covariance);
        }
    }

    /**
     * The regression-adjusted estimate of the given type, or empty when not estimable ({@link #whyNot}).
     *
     * @param proportion the metric is a success rate (gbstats {@code ProportionStatistic}: divisor n)
     */
    public static Optional<Estimate> tryOf(
            EffectType type, boolean proportion, CoMoments control, CoMoments treatment) {
        if (whyNot(type, proportion, control, treatment).isPresent()) {
            return Optional.empty();
        }
        double theta = theta(control, treatment);
        if (theta == 0.0) {
            return EffectEstimator.tryOf(type, summary(control.y(), proportion), summary(treatment.y(), proportion));
        }
        return Optional.of(compute(type, proportion, control, treatment, theta));
    }

    /** Why the adjusted comparison is not estimable (the reasons of {@link EffectEstimator}), empty when it is. */
    public static Optional<String> whyNot(EffectType type, boolean proportion, CoMoments control, CoMoments treatment) {
        if (control.n() < 2 || treatment.n() < 2) {
            return Optional.of(EffectEstimator.NOT_ENOUGH_DATA);
        }
        double theta = theta(control, treatment);
        if (theta == 0.0) {
            return EffectEstimator.whyNot(summary(control.y(), proportion), summary(treatment.y(), proportion));
        }
        Adjusted a = Adjusted.of(control, theta, proportion);
        Adjusted b = Adjusted.of(treatment, theta, proportion);
        if (!(a.variance() > 0) || !(b.variance() > 0)) {
            return Optional.of(EffectEstimator.ZERO_VARIANCE);
        }
        double variance = variance(type, a, b, theta);
        if (!(variance > 0) || !Double.isFinite(variance)) {
            return Optional.of(EffectEstimator.ZERO_VARIANCE);
        }
        if (a.mean() == 0.0 || a.postMean() == 0.0) {
            return Optional.of(EffectEstimator.BASELINE_ZERO);
        }
        return Optional.empty();
    }

    private static Estimate compute(
            EffectType type, boolean proportion, CoMoments control, CoMoments treatment, double theta) {
        Adjusted a = Adjusted.of(control, theta, proportion);
        Adjusted b = Adjusted.of(treatment, theta, proportion);
        double difference = b.mean() - a.mean();
        double effect = type == EffectType.RELATIVE ? difference / Math.abs(a.postMean()) : difference;
        double perArmB = b.variance() / b.n();
        double perArmA = a.variance() / a.n();
        double df = (perArmB + perArmA)
                * (perArmB + perArmA)
                / (b.variance() * b.variance() / ((double) b.n() * b.n() * (b.n() - 1))
                        + a.variance() * a.variance() / ((double) a.n() * a.n() * (a.n() - 1)));
        return new Estimate(type, a.postMean(), b.postMean(), effect, variance(type, a, b, theta), df, a.n(), b.n());
    }

    /**
     * Absolute: v_t/n_t + v_c/n_c. Relative: gbstats {@code frequentist_variance_relative_cuped}, v_t/(n_t·ȳ_c²) +
     * (Var(y_c)·ȳ_t²/ȳ_c² − 2θ·Cov_c·ȳ_t/ȳ_c + θ²·Var(x_c))/(n_c·ȳ_c²), ȳ the unadjusted means.
     */
    private static double variance(EffectType type, Adjusted a, Adjusted b, double theta) {
        if (type == EffectType.ABSOLUTE) {
            return b.variance() / b.n() + a.variance() / a.n();
        }
        double uc2 = a.postMean() * a.postMean();
        if (uc2 == 0) {
            return 0;
        }
        double vTreatment = b.variance() / (b.n() * uc2);
        double c = -b.postMean();
        double numA = a.postVariance() * c * c / uc2;
        double numB = 2 * theta * a.covariance() * c / a.postMean();
        double numC = theta * theta * a.preVariance();
        return vTreatment + (numA + numB + numC) / (a.n() * uc2);
    }

    /** The unadjusted summary of the metric (y): p(1 − p) for a proportion, the unbiased variance otherwise. */
    static SampleSummary summary(Moments y, boolean proportion) {
        if (!proportion) {
            return y.summary();
        }
        long n = y.n();
        return new SampleSummary(n, n == 0 ? 0.0 : y.mean(), n == 0 ? 0.0 : y.m2() / n);
    }
}
