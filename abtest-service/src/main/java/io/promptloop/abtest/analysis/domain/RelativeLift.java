package io.promptloop.abtest.analysis.domain;

import java.util.Optional;

/**
 * Relative lift of treatment over control and its variance.
 *
 * <p>A comparison is not estimable when either arm has fewer than two observations, the control mean is zero, or
 * the variance of the lift is not positive (both arms constant): {@link #of} then throws and {@link #tryOf} returns
 * empty — as GrowthBook returns its default (uninformative) result in those cases.
 */
public final class RelativeLift {

    private RelativeLift() {}

    /**
     * The estimate of lift = m_t/m_c − 1.
     *
     * <p>Source: delta method, Var = v_t/(n_t·m_c²) + m_t²·v_c/(n_c·m_c⁴) (Deng, Knoblich &amp; Lu 2018, "Applying
     * the Delta Method in Metric Analytics", eq. 4 with independent arms; GrowthBook gbstats
     * {@code frequentist.tests.TTest.variance}, relative). Degrees of freedom by Welch–Satterthwaite on the raw arm
     * variances, df = (v_t/n_t + v_c/n_c)² / (v_t²/(n_t²(n_t−1)) + v_c²/(n_c²(n_c−1))), exactly as gbstats
     * {@code TTest.dof} computes them for the relative case too (Welch 1947).
     *
     * @throws IllegalArgumentException if the comparison is not estimable
     */
    public static Estimate of(Moments control, Moments treatment) {
        return tryOf(control, treatment)
                .orElseThrow(() ->
                        new IllegalArgumentException("relative lift not estimable: " + whyNot(control, treatment)));
    }

    /** The estimate, or empty when the comparison is not estimable. */
    public static Optional<Estimate> tryOf(Moments control, Moments treatment) {
        if (whyNot(control, treatment) != null) {
            return Optional.empty();
        }
        double mc = control.mean();
        double mt = treatment.mean();
        double vc = control.variance();
        double vt = treatment.variance();
        long nc = control.n();
        long nt = treatment.n();
        double variance = vt / (nt * mc * mc) + mt * mt * vc / (nc * mc * mc * mc * mc);
        if (!(variance > 0) || !Double.isFinite(variance)) {
            return Optional.empty();
        }
        double perArmT = vt / nt;
        double perArmC = vc / nc;
        double df = (perArmT + perArmC)
                * (perArmT + perArmC)
                / (vt * vt / ((double) nt * nt * (nt - 1)) + vc * vc / ((double) nc * nc * (nc - 1)));
        return Optional.of(new Estimate(mc, mt, mt / mc - 1.0, variance, df, nc, nt));
    }

    /** True when {@link #of} would succeed. */
    public static boolean isEstimable(Moments control, Moments treatment) {
        return tryOf(control, treatment).isPresent();
    }

    private static String whyNot(Moments control, Moments treatment) {
        if (control.n() < 2 || treatment.n() < 2) {
            return "each arm needs at least 2 observations, got " + control.n() + " and " + treatment.n();
        }
        if (control.mean() == 0.0) {
            return "control mean is 0";
        }
        if (control.variance() == 0.0 && treatment.variance() == 0.0) {
            return "both arms have zero variance";
        }
        return null;
    }
}
