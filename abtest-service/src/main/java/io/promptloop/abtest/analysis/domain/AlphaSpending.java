package io.promptloop.abtest.analysis.domain;

import java.util.Arrays;

/**
 * Group-sequential boundaries for a fixed-horizon design looked at a few times: Lan–DeMets alpha spending with the
 * O'Brien–Fleming-type spending function, two-sided and symmetric.
 *
 * <p>The spending function is applied to each tail's α/2, as ldbounds ({@code sides = 2}), gsDesign
 * ({@code sfLDOF}) and rpact ({@code asOF}) do: the published boundaries 4.8769, 3.3569, 2.6803, 2.2898, 2.0310
 * (K = 5, α = 0.05) follow from that convention.
 */
public final class AlphaSpending {

    /** Stands for "this look cannot stop": its alpha increment underflows to 0. */
    public static final double UNREACHABLE = Double.POSITIVE_INFINITY;

    // Grid spacing is at most (smallest standard deviation of the neighbouring increments) / POINTS_PER_SD.
    private static final double POINTS_PER_SD = 12;
    // Beyond 9 standard deviations the continuation density is below 1e-18 of its peak: the grid stops there.
    private static final double GRID_SDS = 9;
    // The transition kernel is dropped where it is below φ(8.5) ≈ 1e-16 of its peak.
    private static final double KERNEL_SDS = 8.5;
    private static final double MAX_Z = 40;

    private AlphaSpending() {}

    /**
     * Cumulative two-sided alpha spent by information fraction t: α(t) = 2·[2 − 2Φ(z_{1−α/4}/√t)], i.e. the
     * O'Brien–Fleming-type function 2 − 2Φ(z_{1−a/2}/√t) of Lan &amp; DeMets (1983, "Discrete sequential boundaries
     * for clinical trials", Biometrika 70:659) applied to each tail's a = α/2. α(0) = 0 and α(1) = α.
     *
     * @throws IllegalArgumentException if t is outside [0, 1] or alpha outside (0, 1)
     */
    public static double spent(double t, double alpha) {
        FixedHorizon.requireAlpha(alpha);
        if (!(t >= 0 && t <= 1)) {
            throw new IllegalArgumentException("information fraction must be in [0, 1], got " + t);
        }
        if (t == 0) {
            return 0.0;
        }
        if (t == 1) {
            return alpha;
        }
        double zTail = Distributions.normalQuantile(1 - alpha / 4);
        return 4 * Distributions.normalCdf(-zTail / Math.sqrt(t));
    }

    /**
     * Two-sided critical values |Z_k| ≥ c_k, one per look, such that the probability of crossing first at look k
     * under the null is exactly α(t_k) − α(t_{k−1}).
     *
     * <p>Source: recursive numerical integration of the density of the score statistic S_k = Z_k·√t_k, a Brownian
     * motion observed at t_1 &lt; … &lt; t_K, over the continuation regions (Armitage, McPherson &amp; Rowe 1969,
     * "Repeated significance tests on accumulating data", JRSS A 132:235; Jennison &amp; Turnbull 2000, "Group
     * Sequential Methods with Applications to Clinical Trials", ch. 19), with Simpson's rule on a grid of at most
     * 1/12 of the increments' standard deviations, and each c_k found by safeguarded Newton
     * iteration. Looks whose increment underflows
     * get {@link #UNREACHABLE}. Cost grows with the number of looks and the smallness of their spacing: meant for
     * a handful of planned looks (K = 20 equally spaced looks take milliseconds).
     *
     * @param informationFractions strictly increasing, in (0, 1]
     * @throws IllegalArgumentException if the fractions are empty, not strictly increasing or outside (0, 1]
     */
    public static double[] boundaries(double[] informationFractions, double alpha) {
        FixedHorizon.requireAlpha(alpha);
        double[] t = requireFractions(informationFractions);
        int looks = t.length;
        double[] c = new double[looks];

        double firstSpent = spent(t[0], alpha);
        c[0] = firstSpent <= 0 ? UNREACHABLE : -Distributions.normalQuantile(firstSpent / 2);
        if (looks == 1) {
            return c;
        }
        // Continuation density of S_1 ~ N(0, t_1), truncated to |Z_1| < c_1, as Simpson weight × density.
        Grid grid = Grid.of(c[0], t[0], Math.min(Math.sqrt(t[0]), Math.sqrt(t[1] - t[0])));
        double[] mass = new double[grid.points.length];
        for (int i = 0; i < mass.length; i++) {
            double sd = Math.sqrt(t[0]);
            mass[i] = grid.weights[i] * Distributions.normalPdf(grid.points[i] / sd) / sd;
        }
        double previousSpent = firstSpent;
        for (int k = 1; k < looks; k++) {
            double spentK = spent(t[k], alpha);
            double target = spentK - previousSpent;
            previousSpent = spentK;
            double sd = Math.sqrt(t[k] - t[k - 1]);
            c[k] = target <= 0 ? UNREACHABLE : solveBoundary(grid.points, mass, sd, Math.sqrt(t[k]), target);
            if (k == looks - 1) {
                break;
            }
            double nextSd = Math.min(sd, Math.sqrt(t[k + 1] - t[k]));
            Grid next = Grid.of(c[k], t[k], nextSd);
            mass = propagate(grid.points, mass, sd, next);
            grid = next;
        }
        return c;
    }

    /**
     * The c with P(first crossing at this look) = target. That probability falls as c grows, so Newton steps are
     * kept inside a shrinking bisection bracket; they converge in a handful of iterations where bisection needs 45.
     */
    private static double solveBoundary(double[] u, double[] mass, double sd, double sqrtT, double target) {
        double lo = 0;
        double hi = MAX_Z;
        // the boundary as if there were no earlier look: earlier looks remove paths, so the root lies below it
        double c = Math.min(MAX_Z, -Distributions.normalQuantile(Math.min(0.5, target / 2)));
        for (int iteration = 0; iteration < 100; iteration++) {
            double b = c * sqrtT;
            double excess = -target; // P(cross at c) − target
            double slope = 0; // its derivative in c
            for (int j = 0; j < u.length; j++) {
                double below = (-b - u[j]) / sd;
                double above = (u[j] - b) / sd;
                excess += mass[j] * (Distributions.normalCdf(below) + Distributions.normalCdf(above));
                slope -= mass[j] * (Distributions.normalPdf(below) + Distributions.normalPdf(above));
            }
            slope *= sqrtT / sd;
            if (excess > 0) {
                lo = c;
            } else {
                hi = c;
            }
            double next = slope < 0 ? c - excess / slope : 0.5 * (lo + hi);
            if (!(next > lo && next < hi)) {
                next = 0.5 * (lo + hi);
            }
            if (Math.abs(next - c) < 1e-12 || hi - lo < 1e-12) {
                return next;
            }
            c = next;
        }
        return c;
    }

    /** Density of the next look's S on its grid: Σ mass(u)·φ((s − u)/sd)/sd, times the new Simpson weights. */
    private static double[] propagate(double[] u, double[] mass, double sd, Grid next) {
        double[] out = new double[next.points.length];
        double reach = KERNEL_SDS * sd;
        for (int i = 0; i < out.length; i++) {
            double s = next.points[i];
            int from = lowerBound(u, s - reach);
            double density = 0;
            for (int j = from; j < u.length && u[j] <= s + reach; j++) {
                density += mass[j] * Distributions.normalPdf((s - u[j]) / sd);
            }
            out[i] = next.weights[i] * density / sd;
        }
        return out;
    }

    private static int lowerBound(double[] sorted, double value) {
        int pos = Arrays.binarySearch(sorted, value);
        return pos >= 0 ? pos : -pos - 1;
    }

    private static double[] requireFractions(double[] fractions) {
        if (fractions == null || fractions.length == 0) {
            throw new IllegalArgumentException("need at least one information fraction");
        }
        double previous = 0;
        for (double f : fractions) {
            if (!(f > previous && f <= 1)) {
                throw new IllegalArgumentException("information fractions must be strictly increasing in (0, 1], got "
                        + Arrays.toString(fractions));
            }
            previous = f;
        }
        return fractions.clone();
    }

    /** Simpson grid over the continuation region of S_k = Z_k·√t_k, i.e. |s| &lt; c·√t, cut at 9 standard deviations. */
    private record Grid(double[] points, double[] weights) {

        static Grid of(double c, double t, double minSd) {
            double halfWidth = Math.min(c, GRID_SDS) * Math.sqrt(t);
            int intervals = (int) Math.ceil(2 * halfWidth / (minSd / POINTS_PER_SD));
            intervals = Math.max(32, intervals + (intervals & 1)); // Simpson needs an even count
            double h = 2 * halfWidth / intervals;
            double[] points = new double[intervals + 1];
            double[] weights = new double[intervals + 1];
            for (int i = 0; i <= intervals; i++) {
                points[i] = -halfWidth + i * h;
                weights[i] = (i == 0 || i == intervals ? 1 : (i % 2 == 1 ? 4 : 2)) * h / 3;
            }
            return new Grid(points, weights);
        }
    }
}
