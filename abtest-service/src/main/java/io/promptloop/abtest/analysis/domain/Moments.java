package io.promptloop.abtest.analysis.domain;

/**
 * Mergeable moments of one sample: count, mean and the centred sum of squares M2 = Σ(x − mean)². They merge across
 * observations and partial aggregates (one row update per batch, two phases of one arm) without the cancellation of
 * raw power sums: with Σx² a latency metric in µs (mean 1e6, variance 1) reads a variance of 0.99995; with M2 it
 * reads 1 to 1e-9.
 *
 * <p>Source: B. P. Welford (1962), "Note on a method for calculating corrected sums of squares and products",
 * Technometrics 4(3) for one observation; T. F. Chan, G. H. Golub &amp; R. J. LeVeque (1979/1983), "Updating formulae
 * and a pairwise algorithm for computing sample variances" for merging two samples: δ = mean_B − mean_A, mean =
 * mean_A + δ·n_B/n, M2 = M2_A + M2_B + δ²·n_A·n_B/n.
 *
 * @param n number of observations
 * @param mean their mean (0 when empty)
 * @param m2 Σ(x − mean)², ≥ 0 (0 below two observations)
 */
public record Moments(long n, double mean, double m2) {

    public static final Moments EMPTY = new Moments(0, 0.0, 0.0);

    public Moments {
        if (n < 0) {
            throw new IllegalArgumentException("n must be >= 0, got " + n);
        }
        if (!Double.isFinite(mean) || !Double.isFinite(m2)) {
            throw new IllegalArgumentException("mean and m2 must be finite, got " + mean + ", " + m2);
        }
        if (m2 < 0) {
            throw new IllegalArgumentException("m2 must be >= 0, got " + m2);
        }
        if (n == 0 && (mean != 0.0 || m2 != 0.0)) {
            throw new IllegalArgumentException("an empty sample has mean and m2 0, got " + mean + ", " + m2);
        }
    }

    /**
     * Moments from raw power sums Σx and Σx², as gbstats' {@code SampleMeanStatistic(n, sum, sum_squares)} takes
     * them (its test fixtures) and as rows written before the centred columns were: M2 = Σx² − (Σx)²/n, clamped at
     * zero. This conversion has the cancellation the centred form avoids afterwards; it cannot restore lost digits.
     */
    public static Moments fromSums(long n, double sum, double sumOfSquares) {
        if (n == 0) {
            return new Moments(0, 0.0, 0.0);
        }
        return new Moments(n, sum / n, Math.max(0.0, sumOfSquares - sum * sum / n));
    }

    /** The moments of the given observations. */
    public static Moments of(double... xs) {
        Moments m = EMPTY;
        for (double x : xs) {
            m = m.add(x);
        }
        return m;
    }

    /** These moments with one more observation (Welford's update). */
    public Moments add(double x) {
        if (!Double.isFinite(x)) {
            throw new IllegalArgumentException("observation must be finite, got " + x);
        }
        long n1 = n + 1;
        double delta = x - mean;
        double mean1 = mean + delta / n1;
        return new Moments(n1, mean1, m2 + delta * (x - mean1));
    }

    /** The moments of the union of both samples (Chan, Golub &amp; LeVeque). */
    public Moments plus(Moments other) {
        if (other.n == 0) {
            return this;
        }
        if (n == 0) {
            return other;
        }
        long total = n + other.n;
        double delta = other.mean - mean;
        double merged = mean + delta * ((double) other.n / total);
        return new Moments(total, merged, m2 + other.m2 + delta * delta * ((double) n * other.n / total));
    }

    /**
     * The moments of the observations of this sample that are not in {@code part} (a sub-sample of it): Chan et
     * al.'s merge solved for B, n_B = n − n_A, mean_B = (n·mean − n_A·mean_A)/n_B, M2_B = M2 − M2_A −
     * δ²·n_A·n_B/n (clamped at 0 against rounding).
     */
    public Moments minus(Moments part) {
        if (part.n > n) {
            throw new IllegalArgumentException("a part of " + part.n + " cannot come out of " + n);
        }
        long rest = n - part.n;
        if (rest == 0) {
            return EMPTY;
        }
        if (part.n == 0) {
            return this;
        }
        double restMean = (n * mean - part.n * part.mean) / rest;
        double delta = restMean - part.mean;
        return new Moments(rest, restMean, Math.max(0.0, m2 - part.m2 - delta * delta * ((double) part.n * rest / n)));
    }

    /** Σx = n·mean. */
    public double sum() {
        return n * mean;
    }

    /** Sample mean; NaN when empty. */
    @Override
    public double mean() {
        return n == 0 ? Double.NaN : mean;
    }

    /** Unbiased sample variance M2/(n − 1), NaN below two observations. */
    public double variance() {
        return n < 2 ? Double.NaN : m2 / (n - 1);
    }

    /**
     * The summary a comparison uses: n, mean and the unbiased variance, 0 below two observations as gbstats'
     * {@code SampleMeanStatistic.variance} (which then reports zero variance and decides nothing).
     */
    public SampleSummary summary() {
        return new SampleSummary(n, n == 0 ? 0.0 : mean, n < 2 ? 0.0 : m2 / (n - 1));
    }
}
