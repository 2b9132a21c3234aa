package io.promptloop.abtest.analysis.domain;

/**
 * Mergeable moments of paired observations (x, y): count, both means, the centred sums of squares Σ(x − x̄)²,
 * Σ(y − ȳ)² and the centred sum of cross-products C = Σ(x − x̄)(y − ȳ). One implementation serves both paired
 * methods: CUPED (x = pre-exposure covariate, y = the metric; {@link Cuped}) and ratio metrics (x = numerator, y =
 * denominator; {@link Ratio}). Like {@link Moments} it merges per observation and per partial aggregate without the
 * cancellation of raw power sums (Σxy − ΣxΣy/n).
 *
 * <p>Source: Welford (1962) for one pair (δx = x − x̄, x̄' = x̄ + δx/n', M2x += δx·(x − x̄'), C += δx·(y − ȳ')); Chan,
 * Golub &amp; LeVeque (1979/1983) for merging A and B, extended to the cross term as in P. Pébay (2008), "Formulas for
 * robust, one-pass parallel computation of covariances and arbitrary-order statistical moments", Sandia SAND2008-6212,
 * eq. 3.12: C = C_A + C_B + δx·δy·n_A·n_B/n with δ = mean_B − mean_A.
 *
 * @param n number of pairs
 * @param meanX mean of x (0 when empty)
 * @param meanY mean of y (0 when empty)
 * @param m2x Σ(x − x̄)², ≥ 0
 * @param m2y Σ(y − ȳ)², ≥ 0
 * @param cxy Σ(x − x̄)(y − ȳ)
 */
public record CoMoments(long n, double meanX, double meanY, double m2x, double m2y, double cxy) {

    public static final CoMoments EMPTY = new CoMoments(0, 0.0, 0.0, 0.0, 0.0, 0.0);

    public CoMoments {
        if (n < 0) {
            throw new IllegalArgumentException("n must be >= 0, got " + n);
        }
        if (!Double.isFinite(meanX)
                || !Double.isFinite(meanY)
                || !Double.isFinite(m2x)
                || !Double.isFinite(m2y)
                || !Double.isFinite(cxy)) {
            throw new IllegalArgumentException(
                    "co-moments must be finite, got " + meanX + ", " + meanY + ", " + m2x + ", " + m2y + ", " + cxy);
        }
        if (m2x < 0 || m2y < 0) {
            throw new IllegalArgumentException("m2x and m2y must be >= 0, got " + m2x + ", " + m2y);
        }
        if (n == 0 && (meanX != 0.0 || meanY != 0.0 || m2x != 0.0 || m2y != 0.0 || cxy != 0.0)) {
            throw new IllegalArgumentException("an empty sample has all co-moments 0");
        }
    }

    /**
     * Co-moments from raw power sums as gbstats' fixtures give them ({@code sum}, {@code sum_squares} of both
     * statistics and their {@code sum_of_products}): M2 = Σx² − (Σx)²/n clamped at 0, C = Σxy − ΣxΣy/n. The
     * conversion has the cancellation the centred form avoids afterwards.
     */
    public static CoMoments fromSums(
            long n, double sumX, double sumSquaresX, double sumY, double sumSquaresY, double sumOfProducts) {
        if (n == 0) {
            return EMPTY;
        }
        return new CoMoments(
                n,
                sumX / n,
                sumY / n,
                Math.max(0.0, sumSquaresX - sumX * sumX / n),
                Math.max(0.0, sumSquaresY - sumY * sumY / n),
                sumOfProducts - sumX * sumY / n);
    }

    /** These co-moments with one more pair (Welford's update). */
    public CoMoments add(double x, double y) {
        if (!Double.isFinite(x) || !Double.isFinite(y)) {
            throw new IllegalArgumentException("a pair must be finite, got " + x + ", " + y);
        }
        long n1 = n + 1;
        double dx = x - meanX;
        double dy = y - meanY;
        double meanX1 = meanX + dx / n1;
        double meanY1 = meanY + dy / n1;
        return new CoMoments(
                n1, meanX1, meanY1, m2x + dx * (x - meanX1), m2y + dy * (y - meanY1), cxy + dx * (y - meanY1));
    }

    /** The co-moments of the union of both samples (Chan, Golub &amp; LeVeque; Pébay eq. 3.12 for C). */
    public CoMoments plus(CoMoments other) {
        if (other.n == 0) {
            return this;
        }
        if (n == 0) {
            return other;
        }
        long total = n + other.n;
        double dx = other.meanX - meanX;
        double dy = other.meanY - meanY;
        double share = (double) other.n / total;
        double weight = (double) n * other.n / total;
        return new CoMoments(
                total,
                meanX + dx * share,
                meanY + dy * share,
                m2x + other.m2x + dx * dx * weight,
                m2y + other.m2y + dy * dy * weight,
                cxy + other.cxy + dx * dy * weight);
    }

    /** The moments of x alone. */
    public Moments x() {
        return n == 0 ? Moments.EMPTY : new Moments(n, meanX, m2x);
    }

    /** The moments of y alone. */
    public Moments y() {
        return n == 0 ? Moments.EMPTY : new Moments(n, meanY, m2y);
    }

    /** Σx = n·x̄. */
    public double sumX() {
        return n * meanX;
    }

    /** Σy = n·ȳ. */
    public double sumY() {
        return n * meanY;
    }

    /** Unbiased sample covariance C/(n − 1); NaN below two pairs. */
    public double covariance() {
        return n < 2 ? Double.NaN : cxy / (n - 1);
    }

    /** Pearson's correlation C/√(M2x·M2y); NaN when either has no spread. */
    public double correlation() {
        double denominator = Math.sqrt(m2x * m2y);
        return denominator > 0 ? Math.max(-1.0, Math.min(1.0, cxy / denominator)) : Double.NaN;
    }
}
