package io.promptloop.abtest.analysis.domain;

/**
 * Power and minimum detectable effect of a test before it starts, for the relative effect: GrowthBook's power
 * calculator ({@code packages/shared/src/power/power.ts}: {@code powerEstFrequentist}, {@code powerFrequentist},
 * {@code findMdeFrequentist}, {@code sequentialPowerSequentialVariance}), normal approximation.
 *
 * <p>Fixed horizon: Var(lift) by the delta method with both arms of variance σ² and means m and m(1 + δ); power =
 * 1 − Φ(z* − δ/se) (+ Φ(−z* − δ/se) two-tailed). Sequential (N* &gt; 0): the variance is inflated so that the
 * fixed-horizon z* reproduces the confidence sequence's half-width at that sample (GrowthBook's approximation).
 *
 * @param mean baseline mean of the metric (conversion rate for the success metric), ≠ 0
 * @param variance per-unit variance of the metric (p(1 − p) for the success metric), &gt; 0
 * @param alpha significance level, in (0, 1)
 * @param twoTailed two-sided test (one-sided: the treatment better)
 * @param nStar tuning parameter of the confidence sequence; 0 for a fixed-horizon test
 */
public record PowerPlan(double mean, double variance, double alpha, boolean twoTailed, double nStar) {

    public PowerPlan {
        if (!Double.isFinite(mean) || mean == 0) {
            throw new IllegalArgumentException("the baseline mean must be finite and non-zero, got " + mean);
        }
        if (!(variance > 0) || !Double.isFinite(variance)) {
            throw new IllegalArgumentException("the variance must be positive, got " + variance);
        }
        FixedHorizon.requireAlpha(alpha);
        if (!(nStar >= 0) || !Double.isFinite(nStar)) {
            throw new IllegalArgumentException("nStar must be >= 0 (0 = fixed horizon), got " + nStar);
        }
    }

    /** Power to detect a relative effect with {@code perArm} units in each of two arms. */
    public double power(double relativeEffect, long perArm) {
        requirePerArm(perArm);
        double m = mean;
        double relativeVariance = variance / (m * m * perArm)
                + variance * (m * (1 + relativeEffect)) * (m * (1 + relativeEffect)) / (m * m * m * m * perArm);
        if (nStar > 0) {
            relativeVariance = sequentialVariance(relativeVariance, 2.0 * perArm);
        }
        double zStar = Distributions.normalQuantile(twoTailed ? 1 - alpha / 2 : 1 - alpha);
        double standardized = relativeEffect / Math.sqrt(relativeVariance);
        double power = Distributions.normalCdf(standardized - zStar);
        if (twoTailed) {
            power += Distributions.normalCdf(-zStar - standardized);
        }
        return power;
    }

    /**
     * The smallest positive relative effect detected with the given power (GrowthBook {@code findMdeFrequentist},
     * which uses the two-sided z* and the power quantile; solved as its quadratic).
     *
     * @throws IllegalArgumentException when no effect is detectable with that many units (GrowthBook: "need to
     *     increase number of users") or power ≤ α
     */
    public double minimumDetectableEffect(double targetPower, long perArm) {
        requirePerArm(perArm);
        if (!(targetPower > alpha && targetPower < 1)) {
            throw new IllegalArgumentException("power must be in (alpha, 1), got " + targetPower);
        }
        double z = Distributions.normalQuantile(1 - alpha / 2) - Distributions.normalQuantile(1 - targetPower);
        double m = mean;
        double v = nStar > 0 ? sequentialVariance(variance, 2.0 * perArm) : variance;
        if (perArm <= v * z * z / (m * m)) {
            throw new IllegalArgumentException(
                    "no effect is detectable with " + perArm + " units per arm: increase the number of units");
        }
        double sigma2 = v / perArm;
        double a = 1 - z * z * sigma2 / (m * m);
        double b = -2 * m;
        double c = m * m - z * z * sigma2;
        double root = (-b + Math.sqrt(b * b - 4 * a * c)) / (2 * a);
        return (root - m) / m;
    }

    /** The smallest number of units per arm (at most {@code maxPerArm}) that reaches the power; -1 if none. */
    public long unitsPerArm(double relativeEffect, double targetPower, long maxPerArm) {
        if (!(targetPower > 0 && targetPower < 1)) {
            throw new IllegalArgumentException("power must be in (0, 1), got " + targetPower);
        }
        if (power(relativeEffect, maxPerArm) < targetPower) {
            return -1;
        }
        long lo = 1;
        long hi = maxPerArm;
        while (lo < hi) {
            long mid = lo + (hi - lo) / 2;
            if (power(relativeEffect, mid) >= targetPower) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    /** GrowthBook {@code sequentialPowerSequentialVariance}: n·(se·z_seq/z*)² with z_seq from eq. 9's half-width. */
    private double sequentialVariance(double v, double n) {
        double rho = ConfidenceSequence.rho(alpha, nStar);
        double nRho2Plus1 = n * rho * rho + 1;
        double discriminant = 2 * nRho2Plus1 * Math.log(Math.sqrt(nRho2Plus1) / alpha) / ((n * rho) * (n * rho));
        double zSequential = Math.sqrt(n) * Math.sqrt(discriminant);
        double zStar = Distributions.normalQuantile(1 - alpha / 2);
        double se = Math.sqrt(v / n) * zSequential / zStar;
        return n * se * se;
    }

    private static void requirePerArm(long perArm) {
        if (perArm < 2) {
            throw new IllegalArgumentException("need at least 2 units per arm, got " + perArm);
        }
    }
}
