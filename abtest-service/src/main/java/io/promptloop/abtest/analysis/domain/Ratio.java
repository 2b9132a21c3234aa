package io.promptloop.abtest.analysis.domain;

/**
 * A ratio metric: Σ numerator / Σ denominator over an arm's units (e.g. tokens per resolved task, successful turns
 * per conversation), with the variance of one unit's share by the delta method — GrowthBook gbstats'
 * {@code RatioStatistic}. The comparison then treats the ratio like any mean ({@link EffectEstimator}), as gbstats
 * does ({@code frequentist_variance} on the ratio's {@code mean} and {@code variance}).
 */
public final class Ratio {

    private Ratio() {}

    /**
     * The ratio of one arm from its numerator/denominator co-moments (x = numerator, y = denominator): mean Σm/Σd (0
     * when Σd = 0, as gbstats), variance by {@link #varianceOfRatios} with the unbiased variances and covariance (0
     * below two units or when the denominator's mean is 0, as gbstats; a negative rounding residue reads 0 too, i.e.
     * no decision).
     */
    public static SampleSummary summary(CoMoments numeratorDenominator) {
        CoMoments m = numeratorDenominator;
        if (m.n() == 0) {
            return new SampleSummary(0, 0.0, 0.0);
        }
        if (m.n() < 2) {
            return new SampleSummary(m.n(), m.meanY() == 0 ? 0.0 : m.meanX() / m.meanY(), 0.0);
        }
        long n1 = m.n() - 1;
        return summary(m.n(), m.meanX(), m.m2x() / n1, m.meanY(), m.m2y() / n1, m.cxy() / n1);
    }

    /**
     * The ratio from its parts' means, variances and covariance — gbstats' {@code RatioStatistic.mean} and
     * {@code .variance} with its inputs spelled out (its unit tests give them as raw sums).
     */
    public static SampleSummary summary(
            long n,
            double meanNumerator,
            double varNumerator,
            double meanDenominator,
            double varDenominator,
            double cov) {
        double mean = meanDenominator == 0 ? 0.0 : meanNumerator / meanDenominator;
        double variance = meanDenominator == 0 || n <= 1
                ? 0.0
                : varianceOfRatios(meanNumerator, varNumerator, meanDenominator, varDenominator, cov);
        return new SampleSummary(n, mean, Double.isFinite(variance) ? Math.max(0.0, variance) : 0.0);
    }

    /**
     * Var(M/D) ≈ Var(M)/μ_D² + Var(D)·μ_M²/μ_D⁴ − 2·Cov(M, D)·μ_M/μ_D³ (first-order delta method). Source: Deng,
     * Knoblich &amp; Lu (2018), "Applying the Delta Method in Metric Analytics", KDD, eq. 3; gbstats
     * {@code utils.variance_of_ratios}.
     */
    public static double varianceOfRatios(double meanM, double varM, double meanD, double varD, double covMD) {
        if (meanD == 0) {
            return 0.0;
        }
        double d2 = meanD * meanD;
        return varM / d2 + varD * meanM * meanM / (d2 * d2) - 2 * covMD * meanM / (d2 * meanD);
    }
}
