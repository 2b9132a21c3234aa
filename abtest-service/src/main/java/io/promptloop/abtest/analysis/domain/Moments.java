package io.promptloop.abtest.analysis.domain;

/**
 * Sufficient statistics of one sample: count, sum and sum of squares. They add up across observations and across
 * partial aggregates, so an arm's statistics can be kept incrementally (one UPDATE per observation) and merged.
 *
 * @param n number of observations
 * @param sum Σx
 * @param sumSq Σx²
 */
public record Moments(long n, double sum, double sumSq) {

    public static final Moments EMPTY = new Moments(0, 0.0, 0.0);

    public Moments {
        if (n < 0) {
            throw new IllegalArgumentException("n must be >= 0, got " + n);
        }
        if (!Double.isFinite(sum) || !Double.isFinite(sumSq)) {
            throw new IllegalArgumentException("sum and sumSq must be finite, got " + sum + ", " + sumSq);
        }
        if (sumSq < 0) {
            throw new IllegalArgumentException("sumSq must be >= 0, got " + sumSq);
        }
        if (n == 0 && (sum != 0.0 || sumSq != 0.0)) {
            throw new IllegalArgumentException("an empty sample has zero sums, got " + sum + ", " + sumSq);
        }
    }

    /**
     * Moments of n Bernoulli trials: x² = x for x in {0, 1}, so Σx = Σx² = successes. The variance is then the
     * unbiased n·p(1−p)/(n−1), a factor n/(n−1) above GrowthBook's ProportionStatistic p(1−p).
     */
    public static Moments ofBernoulli(long n, long successes) {
        if (n < 0 || successes < 0 || successes > n) {
            throw new IllegalArgumentException("need 0 <= successes <= n, got successes=" + successes + ", n=" + n);
        }
        return new Moments(n, successes, successes);
    }

    /** These moments with one more observation. */
    public Moments add(double x) {
        if (!Double.isFinite(x)) {
            throw new IllegalArgumentException("observation must be finite, got " + x);
        }
        return new Moments(n + 1, sum + x, sumSq + x * x);
    }

    /** The moments of the union of both samples. */
    public Moments plus(Moments other) {
        return new Moments(n + other.n, sum + other.sum, sumSq + other.sumSq);
    }

    /** Sample mean; NaN when empty. */
    public double mean() {
        return n == 0 ? Double.NaN : sum / n;
    }

    /**
     * Unbiased sample variance, NaN below two observations.
     *
     * <p>Source: s² = (Σx² − (Σx)²/n)/(n − 1), as GrowthBook gbstats {@code SampleMeanStatistic.variance}. Clamped at
     * zero because rounding can push a constant sample's value slightly negative.
     */
    public double variance() {
        if (n < 2) {
            return Double.NaN;
        }
        return Math.max(0.0, (sumSq - sum * sum / n) / (n - 1));
    }
}
