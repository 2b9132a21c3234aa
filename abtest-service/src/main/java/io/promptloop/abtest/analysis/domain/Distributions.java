package io.promptloop.abtest.analysis.domain;

/**
 * The few distribution functions the analysis needs, in plain Java so that the domain carries no numerical
 * library. Accuracy is about 1e-14 relative in the body and keeps relative (not only absolute) accuracy in the
 * tails, because alpha spending works with tail probabilities of 1e-7 and smaller.
 */
public final class Distributions {

    // a few ulps of 1: a tighter tolerance could never be met and would run to MAX_ITERATIONS
    private static final double EPSILON = 1e-15;
    private static final double TINY = 1e-300;
    private static final int MAX_ITERATIONS = 100_000;
    private static final double SQRT_2 = Math.sqrt(2.0);
    private static final double SQRT_2PI = Math.sqrt(2.0 * Math.PI);
    private static final double HALF_LN_2PI = 0.5 * Math.log(2.0 * Math.PI);

    /** Lanczos coefficients for g = 7, n = 9 (Godfrey; as tabulated in Press et al., Numerical Recipes, 3rd ed., §6.1). */
    private static final double[] LANCZOS = {
        0.99999999999980993,
        676.5203681218851,
        -1259.1392167224028,
        771.32342877765313,
        -176.61502916214059,
        12.507343278686905,
        -0.13857109526572012,
        9.9843695780195716e-6,
        1.5056327351493116e-7
    };

    // Coefficients of W. J. Cody's CALERF (SPECFUN), see erfc.
    private static final double ONE_OVER_SQRT_PI = 5.6418958354775628695e-1;
    private static final double[] ERF_A = {
        3.16112374387056560e00,
        1.13864154151050156e02,
        3.77485237685302021e02,
        3.20937758913846947e03,
        1.85777706184603153e-1
    };
    private static final double[] ERF_B = {
        2.36012909523441209e01, 2.44024637934444173e02, 1.28261652607737228e03, 2.84423683343917062e03
    };
    private static final double[] ERFC_C = {
        5.64188496988670089e-1, 8.88314979438837594e00, 6.61191906371416295e01, 2.98635138197400131e02,
        8.81952221241769090e02, 1.71204761263407058e03, 2.05107837782607147e03, 1.23033935479799725e03,
        2.15311535474403846e-8
    };
    private static final double[] ERFC_D = {
        1.57449261107098347e01, 1.17693950891312499e02, 5.37181101862009858e02, 1.62138957456669019e03,
        3.29079923573345963e03, 4.36261909014324716e03, 3.43936767414372164e03, 1.23033935480374942e03
    };
    private static final double[] ERFC_P = {
        3.05326634961232344e-1,
        3.60344899949804439e-1,
        1.25781726111229246e-1,
        1.60837851487422766e-2,
        6.58749161529837803e-4,
        1.63153871373020978e-2
    };
    private static final double[] ERFC_Q = {
        2.56852019228982242e00,
        1.87295284992346725e00,
        5.27905102951428412e-1,
        6.05183413124413191e-2,
        2.33520497626869185e-3
    };

    private Distributions() {}

    /**
     * Standard normal distribution function Φ(x).
     *
     * <p>Source: Φ(x) = erfc(−x/√2)/2 (Abramowitz &amp; Stegun 26.2.29), erfc by {@link #erfc}, so the lower tail
     * keeps full relative accuracy.
     */
    public static double normalCdf(double x) {
        if (Double.isNaN(x)) {
            return Double.NaN;
        }
        return 0.5 * erfc(-x / SQRT_2);
    }

    /** Standard normal density φ(x) = exp(−x²/2)/√(2π). */
    public static double normalPdf(double x) {
        return Math.exp(-0.5 * x * x) / SQRT_2PI;
    }

    /**
     * Standard normal quantile Φ⁻¹(p), accurate to about 1e-15 relative.
     *
     * <p>Source: P. J. Acklam's rational approximation (2003, relative error 1.15e-9) refined by two Halley steps on
     * {@link #normalCdf} (Acklam's own refinement; Halley's method, see Press et al., Numerical Recipes §9.4).
     *
     * @throws IllegalArgumentException if p is outside [0, 1]
     */
    public static double normalQuantile(double p) {
        if (!(p >= 0.0 && p <= 1.0)) {
            throw new IllegalArgumentException("probability must be in [0, 1], got " + p);
        }
        if (p == 0.0) {
            return Double.NEGATIVE_INFINITY;
        }
        if (p == 1.0) {
            return Double.POSITIVE_INFINITY;
        }
        // 1 - p is exact for p >= 0.5 (Sterbenz), so working on the lower half loses nothing.
        return p > 0.5 ? -lowerNormalQuantile(1.0 - p) : lowerNormalQuantile(p);
    }

    private static double lowerNormalQuantile(double p) {
        double x;
        if (p < 0.02425) {
            double q = Math.sqrt(-2.0 * Math.log(p));
            x = (((((-7.784894002430293e-03 * q - 3.223964580411365e-01) * q - 2.400758277161838e+00) * q
                                                            - 2.549732539343734e+00)
                                                    * q
                                            + 4.374664141464968e+00)
                                    * q
                            + 2.938163982698783e+00)
                    / ((((7.784695709041462e-03 * q + 3.224671290700398e-01) * q + 2.445134137142996e+00) * q
                                            + 3.754408661907416e+00)
                                    * q
                            + 1.0);
        } else {
            double q = p - 0.5;
            double r = q * q;
            x = (((((-3.969683028665376e+01 * r + 2.209460984245205e+02) * r - 2.759285104469687e+02) * r
                                                            + 1.383577518672690e+02)
                                                    * r
                                            - 3.066479806614716e+01)
                                    * r
                            + 2.506628277459239e+00)
                    * q
                    / (((((-5.447609879822406e+01 * r + 1.615858368580409e+02) * r - 1.556989798598866e+02) * r
                                                            + 6.680131188771972e+01)
                                                    * r
                                            - 1.328068155288572e+01)
                                    * r
                            + 1.0);
        }
        for (int i = 0; i < 2; i++) {
            double e = normalCdf(x) - p;
            double u = e * SQRT_2PI * Math.exp(0.5 * x * x);
            x = x - u / (1.0 + 0.5 * x * u);
        }
        return x;
    }

    /**
     * Student's t distribution function with {@code df} degrees of freedom (df may be fractional, as Welch's are).
     *
     * <p>Source: P(T &gt; t) = I_{df/(df+t²)}(df/2, 1/2)/2 for t ≥ 0 (Abramowitz &amp; Stegun 26.7.1 with 26.5.27),
     * the regularized incomplete beta function evaluated by its continued fraction (Press et al., Numerical Recipes
     * §6.4).
     *
     * @throws IllegalArgumentException if df is not positive
     */
    public static double studentTCdf(double t, double df) {
        requirePositiveDf(df);
        if (Double.isNaN(t)) {
            return Double.NaN;
        }
        return t >= 0 ? 1.0 - studentTUpperTail(t, df) : studentTUpperTail(-t, df);
    }

    /** P(T &gt; t) for t ≥ 0; computed directly so that small tails keep their relative accuracy. */
    static double studentTUpperTail(double t, double df) {
        if (t == Double.POSITIVE_INFINITY) {
            return 0.0;
        }
        if (df == Double.POSITIVE_INFINITY) {
            return normalCdf(-t);
        }
        double t2 = t * t;
        // x and 1 - x are both formed without cancellation.
        double x = df / (df + t2);
        double oneMinusX = t2 / (df + t2);
        return 0.5 * regularizedBeta(df / 2.0, 0.5, x, oneMinusX);
    }

    /** Density of Student's t. */
    static double studentTPdf(double t, double df) {
        if (df == Double.POSITIVE_INFINITY) {
            return normalPdf(t);
        }
        double logDensity = lnGamma((df + 1.0) / 2.0)
                - lnGamma(df / 2.0)
                - 0.5 * Math.log(df * Math.PI)
                - (df + 1.0) / 2.0 * Math.log1p(t * t / df);
        return Math.exp(logDensity);
    }

    /**
     * Quantile of Student's t distribution: the t with P(T ≤ t) = p.
     *
     * <p>Source: Cornish–Fisher start from the normal quantile (Abramowitz &amp; Stegun 26.7.5), then Newton steps on
     * {@link #studentTCdf} safeguarded by bisection (Press et al., Numerical Recipes §9.4, rtsafe).
     *
     * @throws IllegalArgumentException if p is outside [0, 1] or df is not positive
     */
    public static double studentTQuantile(double p, double df) {
        requirePositiveDf(df);
        if (!(p >= 0.0 && p <= 1.0)) {
            throw new IllegalArgumentException("probability must be in [0, 1], got " + p);
        }
        if (p == 0.5) {
            return 0.0;
        }
        if (p < 0.5) {
            return -upperStudentTQuantile(p, df);
        }
        return upperStudentTQuantile(1.0 - p, df);
    }

    /** The t ≥ 0 with P(T &gt; t) = tail, for tail in (0, 0.5]. */
    private static double upperStudentTQuantile(double tail, double df) {
        if (tail == 0.0) {
            return Double.POSITIVE_INFINITY;
        }
        double z = -normalQuantile(tail);
        if (df == Double.POSITIVE_INFINITY) {
            return z;
        }
        double guess =
                z + (z * z * z + z) / (4.0 * df) + (5 * Math.pow(z, 5) + 16 * z * z * z + 3 * z) / (96 * df * df);
        // Bracket the root: the tail is decreasing in t.
        double lo = 0.0;
        double hi = Math.max(guess, 1.0);
        while (studentTUpperTail(hi, df) > tail) {
            lo = hi;
            hi *= 2.0;
            if (hi > 1e300) {
                return Double.POSITIVE_INFINITY;
            }
        }
        double x = Math.min(Math.max(guess, lo), hi);
        for (int i = 0; i < 200; i++) {
            double f = studentTUpperTail(x, df) - tail; // decreasing in x
            if (f == 0.0) {
                return x;
            }
            if (f > 0) {
                lo = x;
            } else {
                hi = x;
            }
            double next = x + f / studentTPdf(x, df);
            if (!(next > lo && next < hi)) {
                next = 0.5 * (lo + hi);
            }
            if (Math.abs(next - x) <= 1e-14 * Math.max(1.0, Math.abs(x))) {
                return next;
            }
            x = next;
        }
        return x;
    }

    /**
     * Survival function of the χ² distribution, P(X &gt; x).
     *
     * <p>Source: P(X &gt; x) = Q(df/2, x/2), the regularized upper incomplete gamma function (Abramowitz &amp;
     * Stegun 26.4.19), by series or Lentz continued fraction (Press et al., Numerical Recipes §6.2).
     *
     * @throws IllegalArgumentException if df &lt; 1
     */
    public static double chiSquaredSurvival(double x, int df) {
        if (df < 1) {
            throw new IllegalArgumentException("degrees of freedom must be >= 1, got " + df);
        }
        if (Double.isNaN(x)) {
            return Double.NaN;
        }
        if (x <= 0) {
            return 1.0;
        }
        return regularizedGammaQ(df / 2.0, x / 2.0);
    }

    /**
     * Complementary error function, relative error about 1e-16 (1e-13 in the far tail), and fast: alpha spending
     * evaluates it hundreds of thousands of times per analysis.
     *
     * <p>Source: W. J. Cody, "Rational Chebyshev approximations for the error function", Math. Comp. 23 (1969) 631–637,
     * as in his SPECFUN routine CALERF: erf for |x| ≤ 0.46875, erfc on (0.46875, 4] and beyond 4 by rational
     * functions; exp(−x²) split as exp(−x₁²)·exp(−(x−x₁)(x+x₁)) with x₁ = ⌊16x⌋/16 to avoid its rounding error.
     */
    static double erfc(double x) {
        double y = Math.abs(x);
        if (y <= 0.46875) {
            double ysq = y > 1.11e-16 ? y * y : 0;
            double num = ERF_A[4] * ysq;
            double den = ysq;
            for (int i = 0; i < 3; i++) {
                num = (num + ERF_A[i]) * ysq;
                den = (den + ERF_B[i]) * ysq;
            }
            return 1.0 - x * (num + ERF_A[3]) / (den + ERF_B[3]);
        }
        double result;
        if (y <= 4.0) {
            double num = ERFC_C[8] * y;
            double den = y;
            for (int i = 0; i < 7; i++) {
                num = (num + ERFC_C[i]) * y;
                den = (den + ERFC_D[i]) * y;
            }
            result = (num + ERFC_C[7]) / (den + ERFC_D[7]);
        } else if (y >= 26.543) {
            result = 0.0; // below the smallest double
        } else {
            double inverseSquare = 1.0 / (y * y);
            double num = ERFC_P[5] * inverseSquare;
            double den = inverseSquare;
            for (int i = 0; i < 4; i++) {
                num = (num + ERFC_P[i]) * inverseSquare;
                den = (den + ERFC_Q[i]) * inverseSquare;
            }
            result = (ONE_OVER_SQRT_PI - inverseSquare * (num + ERFC_P[4]) / (den + ERFC_Q[4])) / y;
        }
        if (result != 0.0) {
            double head = Math.floor(y * 16.0) / 16.0;
            double rest = (y - head) * (y + head);
            result = Math.exp(-head * head) * Math.exp(-rest) * result;
        }
        return x < 0 ? 2.0 - result : result;
    }

    /**
     * ln Γ(x) for x &gt; 0.
     *
     * <p>Source: Lanczos approximation, g = 7, n = 9 (Lanczos 1964; Press et al., Numerical Recipes §6.1); reflection
     * formula for x &lt; 1/2.
     */
    static double lnGamma(double x) {
        if (x < 0.5) {
            return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lnGamma(1.0 - x);
        }
        double y = x - 1.0;
        double sum = LANCZOS[0];
        for (int i = 1; i < LANCZOS.length; i++) {
            sum += LANCZOS[i] / (y + i);
        }
        double t = y + 7.5;
        return HALF_LN_2PI + (y + 0.5) * Math.log(t) - t + Math.log(sum);
    }

    /** Q(a, x) = Γ(a, x)/Γ(a). Source: Press et al., Numerical Recipes §6.2 (gser / gcf). */
    static double regularizedGammaQ(double a, double x) {
        if (x <= 0) {
            return 1.0;
        }
        if (x == Double.POSITIVE_INFINITY) {
            return 0.0;
        }
        if (x < a + 1.0) {
            return 1.0 - gammaSeries(a, x);
        }
        return gammaContinuedFraction(a, x);
    }

    private static double gammaSeries(double a, double x) {
        double ap = a;
        double sum = 1.0 / a;
        double term = sum;
        for (int n = 0; n < MAX_ITERATIONS; n++) {
            ap += 1.0;
            term *= x / ap;
            sum += term;
            if (Math.abs(term) < Math.abs(sum) * EPSILON) {
                break;
            }
        }
        return sum * Math.exp(-x + a * Math.log(x) - lnGamma(a));
    }

    private static double gammaContinuedFraction(double a, double x) {
        // Modified Lentz's method.
        double b = x + 1.0 - a;
        double c = 1.0 / TINY;
        double d = 1.0 / b;
        double h = d;
        for (int i = 1; i < MAX_ITERATIONS; i++) {
            double an = -i * (i - a);
            b += 2.0;
            d = an * d + b;
            if (Math.abs(d) < TINY) {
                d = TINY;
            }
            c = b + an / c;
            if (Math.abs(c) < TINY) {
                c = TINY;
            }
            d = 1.0 / d;
            double delta = d * c;
            h *= delta;
            if (Math.abs(delta - 1.0) < EPSILON) {
                break;
            }
        }
        return Math.exp(-x + a * Math.log(x) - lnGamma(a)) * h;
    }

    /**
     * I_x(a, b), with 1 − x passed separately to avoid cancellation. Source: Press et al., Numerical Recipes §6.4
     * (betai / betacf).
     */
    static double regularizedBeta(double a, double b, double x, double oneMinusX) {
        if (x <= 0) {
            return 0.0;
        }
        if (oneMinusX <= 0) {
            return 1.0;
        }
        double logFront = lnGamma(a + b) - lnGamma(a) - lnGamma(b) + a * Math.log(x) + b * Math.log(oneMinusX);
        double front = Math.exp(logFront);
        if (x < (a + 1.0) / (a + b + 2.0)) {
            return front * betaContinuedFraction(a, b, x) / a;
        }
        return 1.0 - front * betaContinuedFraction(b, a, oneMinusX) / b;
    }

    private static double betaContinuedFraction(double a, double b, double x) {
        double qab = a + b;
        double qap = a + 1.0;
        double qam = a - 1.0;
        double c = 1.0;
        double d = 1.0 - qab * x / qap;
        if (Math.abs(d) < TINY) {
            d = TINY;
        }
        d = 1.0 / d;
        double h = d;
        for (int m = 1; m < MAX_ITERATIONS; m++) {
            int m2 = 2 * m;
            double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
            d = 1.0 + aa * d;
            if (Math.abs(d) < TINY) {
                d = TINY;
            }
            c = 1.0 + aa / c;
            if (Math.abs(c) < TINY) {
                c = TINY;
            }
            d = 1.0 / d;
            h *= d * c;
            aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
            d = 1.0 + aa * d;
            if (Math.abs(d) < TINY) {
                d = TINY;
            }
            c = 1.0 + aa / c;
            if (Math.abs(c) < TINY) {
                c = TINY;
            }
            d = 1.0 / d;
            double delta = d * c;
            h *= delta;
            if (Math.abs(delta - 1.0) < EPSILON) {
                break;
            }
        }
        return h;
    }

    private static void requirePositiveDf(double df) {
        if (!(df > 0)) {
            throw new IllegalArgumentException("degrees of freedom must be > 0, got " + df);
        }
    }
}
