package io.promptloop.abtest.analysis.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/*
 * "tref.py" below is this stdlib-only python3 script (independent of the Java code): Student's t density from
 * math.lgamma, integrated by Simpson's rule, and inverted by bisection.
 *
 *   import math
 *   def tpdf(x, v):
 *       return math.exp(math.lgamma((v+1)/2) - math.lgamma(v/2) - 0.5*math.log(v*math.pi) - (v+1)/2*math.log1p(x*x/v))
 *   def tcdf(t, v, m=200000):  # 1/2 + integral of the density from 0 to t
 *       h = t/m; s = tpdf(0, v) + tpdf(t, v)
 *       for i in range(1, m): s += (4 if i % 2 else 2)*tpdf(i*h, v)
 *       return 0.5 + s*h/3
 *   def tq(p, v):
 *       lo, hi = 0.0, 100.0
 *       for _ in range(60):
 *           mid = (lo + hi)/2
 *           if tcdf(mid, v, 20000) < p: lo = mid
 *           else: hi = mid
 *       return (lo + hi)/2
 *   for v in (10, 30): print(v, repr(tq(0.975, v)))
 *   for t, v in [(2.0, 5), (1.5, 7.5), (-0.7, 3), (3.2, 40)]: print(t, v, repr(tcdf(t, v)))
 */
class DistributionsTest {

    @ParameterizedTest
    @CsvSource({
        // x, Φ(x): python3 -c "import math; print(repr(0.5*math.erfc(-x/math.sqrt(2))))"
        "-10, 7.619853024160593e-24", // also Abramowitz & Stegun table 26.1: Q(10) = 7.6198530242e-24
        "-5, 2.866515718791946e-07",
        "-3, 0.0013498980316300957",
        "-1.5, 0.06680720126885809",
        "0, 0.5",
        "0.5, 0.6914624612740131",
        "1, 0.8413447460685429",
        "4, 0.9999683287581669",
    })
    void shouldComputeTheNormalCdfWithRelativeAccuracyInTheTail(double x, double expected) {
        assertThat(Distributions.normalCdf(x)).isCloseTo(expected, within(Math.abs(expected) * 1e-12));
    }

    @ParameterizedTest
    @CsvSource({
        // p, Φ⁻¹(p): python3 -c "from statistics import NormalDist; print(repr(NormalDist().inv_cdf(p)))" (AS241)
        "1e-12, -7.034483825301132",
        "1e-06, -4.753424308822899",
        "0.001, -3.090232306167813", // published: z_0.999 = 3.090232306
        "0.025, -1.9599639845400538", // published: z_0.975 = 1.959963985
        "0.3, -0.5244005127080407",
        "0.5, 0.0",
        "0.8, 0.8416212335729144",
        "0.975, 1.9599639845400536",
    })
    void shouldInvertTheNormalCdfToNineDigitsAndMore(double p, double expected) {
        assertThat(Distributions.normalQuantile(p)).isCloseTo(expected, within(1e-12));
    }

    @Test
    void shouldMatchThePublishedTwoSidedFivePercentNormalQuantile() {
        assertThat(Distributions.normalQuantile(0.975)).isCloseTo(1.959963985, within(5e-10));
        assertThat(Distributions.normalQuantile(0.0)).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(Distributions.normalQuantile(1.0)).isEqualTo(Double.POSITIVE_INFINITY);
    }

    @ParameterizedTest
    @CsvSource({
        // p, df, t_p,df — published (e.g. NIST/SEMATECH e-Handbook 1.3.6.7.2, to 3 decimals; more digits from
        // tref.py: Simpson integration of the t density with math.lgamma, then bisection)
        "0.975, 10, 2.228138852",
        "0.975, 30, 2.042272456",
        // df = 1 is Cauchy: t = tan(π(p − 1/2)); python3 -c "import math; print(repr(math.tan(math.pi*0.49)))"
        "0.99, 1, 31.820515953773853",
        // df = 2: t = (2p − 1)/√(2p(1 − p)); python3 -c "import math; print(repr(0.8/math.sqrt(2*0.9*0.1)))"
        "0.9, 2, 1.8856180831641267",
        "0.975, 2, 4.302652730",
    })
    void shouldComputeStudentTQuantiles(double p, double df, double expected) {
        assertThat(Distributions.studentTQuantile(p, df)).isCloseTo(expected, within(expected * 5e-10));
        assertThat(Distributions.studentTQuantile(1 - p, df)).isCloseTo(-expected, within(expected * 5e-10));
    }

    @ParameterizedTest
    @CsvSource({
        // t, df, P(T ≤ t): tref.py tcdf (Simpson, 200,000 intervals, stdlib only)
        "2.0, 5, 0.9490302605850673",
        "1.5, 7.5, 0.9127597147067672",
        "-0.7, 3, 0.26716349915238047",
        "3.2, 40, 0.9986546737954012",
        // df = 1: 1/2 + atan(t)/π = python3 -c "import math; print(repr(0.5+math.atan(2.5)/math.pi))"
        "2.5, 1, 0.8788810584091566",
        // df = 2: 1/2 + t/(2√(2 + t²)) = python3 -c "import math; print(repr(0.5-1.3/(2*math.sqrt(3.69))))"
        "-1.3, 2, 0.1616235159080202",
    })
    void shouldComputeTheStudentTCdf(double t, double df, double expected) {
        assertThat(Distributions.studentTCdf(t, df)).isCloseTo(expected, within(1e-11));
    }

    @Test
    void shouldApproachTheNormalForManyDegreesOfFreedom() {
        // Welch df of large tests reach millions: the t tail must still be computed, not replaced by the normal.
        // First-order expansion F_ν(t) = Φ(t) − φ(t)(t³ + t)/(4ν) + O(ν⁻²) (R. A. Fisher 1925, "Expansion of
        // 'Student's' integral in powers of n⁻¹", Metron 5:109): python3 -c "import math;
        // p=0.5*math.erfc(3/math.sqrt(2));
        // phi=math.exp(-4.5)/math.sqrt(2*math.pi); print(p+phi*30/(4*2e6))" → 0.0013499146510616404
        assertThat(Distributions.studentTCdf(-3, 2_000_000)).isCloseTo(0.0013499146510616404, within(5e-12));
        assertThat(Distributions.studentTQuantile(0.975, 2_000_000)).isCloseTo(1.959963985, within(1e-5));
        assertThat(Distributions.studentTCdf(1.0, Double.POSITIVE_INFINITY)).isEqualTo(Distributions.normalCdf(1.0));
    }

    @ParameterizedTest
    @CsvSource({
        // x, df, P(χ² > x) — published critical values (NIST/SEMATECH e-Handbook 1.3.6.7.4; A&S table 26.8)
        "3.841458821, 1, 0.05",
        "10.82756617, 1, 0.001",
        "6.634896601, 1, 0.01",
        "5.991464547, 2, 0.05",
        "18.30703805, 10, 0.05",
    })
    void shouldMatchPublishedChiSquaredCriticalValues(double x, int df, double expected) {
        assertThat(Distributions.chiSquaredSurvival(x, df)).isCloseTo(expected, within(expected * 1e-8));
    }

    @Test
    void shouldMatchClosedFormsOfTheChiSquaredSurvival() {
        // df 1: erfc(√(x/2)); df 3: erfc(√(x/2)) + √(2x/π)·e^(−x/2); df 4: e^(−x/2)(1 + x/2) — python3 math
        assertThat(Distributions.chiSquaredSurvival(30, 1)).isCloseTo(4.320463057827492e-08, within(1e-20));
        assertThat(Distributions.chiSquaredSurvival(7, 3)).isCloseTo(0.07189777249646513, within(1e-14));
        assertThat(Distributions.chiSquaredSurvival(9, 4)).isCloseTo(0.061099480960332686, within(1e-14));
        assertThat(Distributions.chiSquaredSurvival(0, 1)).isEqualTo(1.0);
    }

    @Test
    void shouldBeMorePreciseThanThePlainHipparchusCallsWhereTheyCancel() {
        // Issue 11 item 4: the precision test that decides where Hipparchus is used as it is.
        // Φ⁻¹(1e-12) = -7.034483825301132 (python3 statistics.NormalDist().inv_cdf, AS241; scipy 1.17.1
        // scipy.stats.norm.ppf(1e-12) agrees to 1e-15): Hipparchus' erfInv(2p − 1) is off by 3.1e-6.
        double raw =
                new org.hipparchus.distribution.continuous.NormalDistribution().inverseCumulativeProbability(1e-12);
        assertThat(Math.abs(raw - -7.034483825301132)).isGreaterThan(1e-6);
        assertThat(Distributions.normalQuantile(1e-12)).isCloseTo(-7.034483825301132, within(1e-12));
        // P(χ²₁ > 30) = erfc(√15) = 4.320463057827492e-08 (python3 math.erfc): 1 − cdf keeps 9 digits only.
        double viaCdf =
                1 - new org.hipparchus.distribution.continuous.ChiSquaredDistribution(1).cumulativeProbability(30);
        assertThat(Math.abs(viaCdf - 4.320463057827492e-08) / 4.320463057827492e-08)
                .isGreaterThan(1e-10);
        assertThat(Distributions.chiSquaredSurvival(30, 1)).isCloseTo(4.320463057827492e-08, within(1e-20));
    }

    @Test
    void shouldRejectArgumentsOutsideTheDomain() {
        assertThatThrownBy(() -> Distributions.normalQuantile(1.5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[0, 1]");
        assertThatThrownBy(() -> Distributions.studentTCdf(1, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("degrees of freedom");
        assertThatThrownBy(() -> Distributions.studentTQuantile(Double.NaN, 3))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Distributions.chiSquaredSurvival(1, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
