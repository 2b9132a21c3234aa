package io.promptloop.abtest.analysis.domain;

/**
 * What a comparison needs of one arm's metric: count, mean and variance of one unit's value — GrowthBook gbstats'
 * {@code Statistic} ({@code n}, {@code mean}, {@code variance}).
 *
 * @param n units
 * @param mean mean per unit (0 when empty, as gbstats)
 * @param variance variance of one unit's value, ≥ 0
 */
public record SampleSummary(long n, double mean, double variance) {

    public SampleSummary {
        if (n < 0) {
            throw new IllegalArgumentException("n must be >= 0, got " + n);
        }
        if (!Double.isFinite(mean) || !Double.isFinite(variance) || variance < 0) {
            throw new IllegalArgumentException(
                    "mean must be finite and variance finite and >= 0, got " + mean + ", " + variance);
        }
    }

    /**
     * n Bernoulli trials: mean p = successes/n and variance p(1 − p), the population (not the n/(n − 1)-corrected)
     * variance. Source: gbstats {@code ProportionStatistic.variance = mean * (1 - mean)}; promptloop matches it so
     * that every binomial figure equals the engine users compare against.
     */
    public static SampleSummary proportion(long n, long successes) {
        if (n < 0 || successes < 0 || successes > n) {
            throw new IllegalArgumentException("need 0 <= successes <= n, got successes=" + successes + ", n=" + n);
        }
        if (n == 0) {
            return new SampleSummary(0, 0.0, 0.0);
        }
        double p = (double) successes / n;
        return new SampleSummary(n, p, p * (1 - p));
    }

    /** True when gbstats would report {@code ZERO_NEGATIVE_VARIANCE} for this arm. */
    public boolean hasZeroVariance() {
        return !(variance > 0);
    }
}
