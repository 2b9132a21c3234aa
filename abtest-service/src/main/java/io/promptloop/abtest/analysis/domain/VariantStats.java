package io.promptloop.abtest.analysis.domain;

/**
 * Everything the analysis needs about one arm of a test, kept incrementally per observation.
 *
 * @param n observations assigned to the arm (the SRM check and sample-size rules count these)
 * @param successes observations that succeeded
 * @param score moments of the scores (observations without a score are not in it)
 * @param latency moments of the latencies in ms (observations without a latency are not in it)
 * @param latencyDigest the same latencies as a quantile sketch; null is read as an empty digest
 * @param covariate CUPED: pairs (x = the observation's pre-exposure covariate, y = the value of the test's primary
 *     metric) of the observations that have both; null is read as empty
 * @param ratio ratio metric: pairs (x = numerator, y = denominator) of the observations that carry both; null is
 *     read as empty
 */
public record VariantStats(
        long n,
        long successes,
        Moments score,
        Moments latency,
        LatencyDigest latencyDigest,
        CoMoments covariate,
        CoMoments ratio) {

    public VariantStats {
        if (n < 0 || successes < 0 || successes > n) {
            throw new IllegalArgumentException("need 0 <= successes <= n, got successes=" + successes + ", n=" + n);
        }
        if (score == null || latency == null) {
            throw new IllegalArgumentException("score and latency moments are required (use Moments.EMPTY)");
        }
        // Rows written before any latency arrived have no digest yet.
        latencyDigest = latencyDigest == null ? LatencyDigest.empty() : latencyDigest;
        covariate = covariate == null ? CoMoments.EMPTY : covariate;
        ratio = ratio == null ? CoMoments.EMPTY : ratio;
        if (covariate.n() > n || ratio.n() > n) {
            throw new IllegalArgumentException(
                    "paired moments cannot count more than the arm's " + n + " observations");
        }
    }

    /** Statistics without covariate or ratio pairs. */
    public VariantStats(long n, long successes, Moments score, Moments latency, LatencyDigest latencyDigest) {
        this(n, successes, score, latency, latencyDigest, CoMoments.EMPTY, CoMoments.EMPTY);
    }

    public static VariantStats empty() {
        return new VariantStats(0, 0, Moments.EMPTY, Moments.EMPTY, LatencyDigest.empty());
    }

    /** The statistics of both arms' observations together (e.g. two partial aggregates of one arm). */
    public VariantStats plus(VariantStats other) {
        return new VariantStats(
                n + other.n,
                successes + other.successes,
                score.plus(other.score),
                latency.plus(other.latency),
                latencyDigest.merge(other.latencyDigest),
                covariate.plus(other.covariate),
                ratio.plus(other.ratio));
    }

    /**
     * What a comparison uses of the given metric: the unbiased variance for scores and latencies, p(1 − p) for the
     * success rate (gbstats {@code SampleMeanStatistic} and {@code ProportionStatistic}), the delta-method ratio
     * for a ratio metric (gbstats {@code RatioStatistic}).
     */
    public SampleSummary summary(Metric metric) {
        return switch (metric) {
            case SCORE -> score.summary();
            case SUCCESS -> SampleSummary.proportion(n, successes);
            case LATENCY_MS -> latency.summary();
            case RATIO -> Ratio.summary(ratio);
        };
    }

    /** The metric's mean over this arm; NaN when the arm has no value of it. */
    public double mean(Metric metric) {
        return switch (metric) {
            case SCORE -> score.mean();
            case SUCCESS -> successRate();
            case LATENCY_MS -> latency.mean();
            case RATIO -> ratio.n() == 0 || ratio.meanY() == 0 ? Double.NaN : ratio.meanX() / ratio.meanY();
        };
    }

    /**
     * The moments of the metric's values over every observation that has one (success: 0/1 per observation), the
     * population CUPED adjusts.
     */
    public Moments values(Metric metric) {
        return switch (metric) {
            case SCORE -> score;
            case SUCCESS ->
                n == 0 ? Moments.EMPTY : new Moments(n, successRate(), (double) successes * (n - successes) / n);
            case LATENCY_MS -> latency;
            case RATIO -> throw new IllegalArgumentException("a ratio metric has no per-observation values");
        };
    }

    /** successes / n; NaN when empty. */
    public double successRate() {
        return n == 0 ? Double.NaN : (double) successes / n;
    }
}
