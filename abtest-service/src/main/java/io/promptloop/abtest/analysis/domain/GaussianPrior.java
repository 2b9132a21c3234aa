package io.promptloop.abtest.analysis.domain;

/**
 * An informative normal prior on the relative effect, N(mean, variance): gbstats' {@code GaussianPrior(mean,
 * variance, proper=True)} with its default {@code prior_type="relative"}. No prior (null where one is taken) is
 * gbstats' default improper flat prior.
 *
 * @param mean prior mean of the relative effect
 * @param variance prior variance of the relative effect, &gt; 0 (GrowthBook's default proper prior has sd 0.3)
 */
public record GaussianPrior(double mean, double variance) {

    public GaussianPrior {
        if (!Double.isFinite(mean)) {
            throw new IllegalArgumentException("prior mean must be finite, got " + mean);
        }
        if (!(variance > 0) || !Double.isFinite(variance)) {
            throw new IllegalArgumentException("prior variance must be positive, got " + variance);
        }
    }
}
