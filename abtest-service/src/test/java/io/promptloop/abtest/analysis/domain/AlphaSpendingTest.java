package io.promptloop.abtest.analysis.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/*
 * Two-look references ("ldref.py" below) come from this stdlib-only python3 script, independent of the Java code:
 *
 *   # Two-look Lan-DeMets OBF (alpha/2 per tail) boundaries, stdlib only: c1 closed form, c2 by bisection on
 *   # P(|Z1| < c1, |Z2| >= c2) = alpha(t2) - alpha(t1), the integral over z1 by composite Simpson (20,000 intervals).
 *   import math
 *   from statistics import NormalDist
 *   N = NormalDist()
 *   def Phi(x): return 0.5 * math.erfc(-x / math.sqrt(2))
 *   def spent(t, alpha):  # two-sided total
 *       z = N.inv_cdf(1 - alpha / 4)
 *       return 4 * Phi(-z / math.sqrt(t))
 *   def c1(t1, alpha): return -N.inv_cdf(spent(t1, alpha) / 2)
 *   def cross(c1_, c2, t1, t2, m=20000):
 *       d = math.sqrt(t2 - t1); h = 2 * c1_ / m; s = 0.0
 *       for i in range(m + 1):
 *           z = -c1_ + i * h
 *           w = 1 if i in (0, m) else (4 if i % 2 else 2)
 *           b, u = c2 * math.sqrt(t2), z * math.sqrt(t1)
 *           f = math.exp(-z * z / 2) / math.sqrt(2 * math.pi) * (Phi((-b - u) / d) + Phi((u - b) / d))
 *           s += w * f
 *       return s * h / 3
 *   def c2(t1, t2, alpha):
 *       a = c1(t1, alpha); target = spent(t2, alpha) - spent(t1, alpha); lo, hi = 0.0, 10.0
 *       for _ in range(50):
 *           mid = (lo + hi) / 2
 *           if cross(a, mid, t1, t2) > target: lo = mid
 *           else: hi = mid
 *       return a, (lo + hi) / 2
 *   print(c2(0.5, 1.0, 0.05))
 *   print(c2(0.3, 0.8, 0.05))
 *   print(c1(0.2, 0.05), c1(0.2, 0.01))
 */
class AlphaSpendingTest {

    @Test
    void shouldReproduceThePublishedFiveLookBoundaries() {
        // ldbounds (Reboussin, DeMets, Kim & Lan; R package ldbounds, sides=2, alpha=0.05, iuse=1) and
        // Jennison & Turnbull (2000): Lan–DeMets O'Brien–Fleming type, K = 5 equally spaced looks
        double[] c = AlphaSpending.boundaries(new double[] {0.2, 0.4, 0.6, 0.8, 1.0}, 0.05);

        assertThat(c).containsExactly(new double[] {4.8769, 3.3569, 2.6803, 2.2898, 2.0310}, within(0.002));
    }

    @Test
    void shouldReproduceTheCommonlyTabulatedThreeAndFourLookBoundaries() {
        // Lan–DeMets OBF, two-sided 0.05, equally spaced, as tabulated by gsDesign (sfLDOF) and ldbounds; quoted
        // from those tables, consistent with the K = 5 row above
        assertThat(AlphaSpending.boundaries(new double[] {1 / 3.0, 2 / 3.0, 1.0}, 0.05))
                .containsExactly(new double[] {3.7103, 2.5114, 1.9930}, within(0.002));
        assertThat(AlphaSpending.boundaries(new double[] {0.25, 0.5, 0.75, 1.0}, 0.05))
                .containsExactly(new double[] {4.3326, 2.9631, 2.3590, 2.0141}, within(0.002));
    }

    @Test
    void shouldMatchAnIndependentTwoLookIntegration() {
        // ldref.py: (0.5, 1.0) → 2.962588042727568, 1.9685956405936578; (0.3, 0.8) → 3.9285725426260374,
        // 2.250880765413892
        assertThat(AlphaSpending.boundaries(new double[] {0.5, 1.0}, 0.05))
                .containsExactly(new double[] {2.962588042727568, 1.9685956405936578}, within(1e-6));
        assertThat(AlphaSpending.boundaries(new double[] {0.3, 0.8}, 0.05))
                .containsExactly(new double[] {3.9285725426260374, 2.250880765413892}, within(1e-6));
    }

    @Test
    void shouldGiveTheFixedSampleCriticalValueForOneLook() {
        assertThat(AlphaSpending.boundaries(new double[] {1.0}, 0.05)[0]).isCloseTo(1.95996, within(1e-5));
        // first look in closed form, ldref.py c1(0.2, 0.01)
        assertThat(AlphaSpending.boundaries(new double[] {0.2}, 0.01)[0]).isCloseTo(6.16800091769434, within(1e-9));
    }

    @Test
    void shouldSpendAlphaLikeTheOBrienFlemingFunction() {
        assertThat(AlphaSpending.spent(0, 0.05)).isZero();
        assertThat(AlphaSpending.spent(1, 0.05)).isEqualTo(0.05);
        // 4Φ(−z_{0.9875}/√0.5): python3 -c "from statistics import NormalDist as N; import math;
        // z=N().inv_cdf(1-0.0125); print(2*math.erfc(z/math.sqrt(2*0.5)))" → 0.003050645515977803
        assertThat(AlphaSpending.spent(0.5, 0.05)).isCloseTo(0.003050645515977803, within(1e-15));
        assertThat(AlphaSpending.spent(0.2, 0.05)).isLessThan(AlphaSpending.spent(0.4, 0.05));
    }

    @Test
    void shouldKeepTheFalsePositiveRateAtAlphaInMonteCarlo() {
        // Brownian motion at the looks, 200,000 paths: the share crossing any boundary is α ± 3 standard errors
        // (√(0.05·0.95/200,000) ≈ 0.00049).
        double[] t = {0.2, 0.4, 0.6, 0.8, 1.0};
        double[] c = AlphaSpending.boundaries(t, 0.05);
        SplittableRandom random = new SplittableRandom(2024);
        int paths = 200_000;
        int crossed = 0;
        for (int p = 0; p < paths; p++) {
            double s = 0;
            double previous = 0;
            for (int k = 0; k < t.length; k++) {
                s += Math.sqrt(t[k] - previous) * random.nextGaussian();
                previous = t[k];
                if (Math.abs(s / Math.sqrt(t[k])) >= c[k]) {
                    crossed++;
                    break;
                }
            }
        }

        assertThat((double) crossed / paths).isCloseTo(0.05, within(0.0015));
    }

    @Test
    void shouldHandleUnequalAndManyLooks() {
        double[] twenty = new double[20];
        for (int i = 0; i < 20; i++) {
            twenty[i] = (i + 1) / 20.0;
        }

        double[] c = AlphaSpending.boundaries(twenty, 0.05);

        for (int k = 1; k < c.length; k++) {
            assertThat(c[k]).isLessThan(c[k - 1]);
        }
        // The final boundary is above 1.96 (alpha was spent earlier) and below the five-look one (2.031)
        assertThat(c[19]).isBetween(1.96, 2.20);
    }

    @Test
    void shouldMakeLooksTooEarlyToSpendAnythingUnreachable() {
        // α(0.001) = 4Φ(−2.2414/√0.001) = 4Φ(−70.9) underflows to 0
        double[] c = AlphaSpending.boundaries(new double[] {0.001, 0.5, 1.0}, 0.05);

        assertThat(c[0]).isEqualTo(AlphaSpending.UNREACHABLE);
        assertThat(c[1]).isCloseTo(2.962588042727568, within(1e-6)); // as if the first look never happened
    }

    @Test
    void shouldRejectFractionsThatDoNotIncreaseOrLeaveTheUnitInterval() {
        assertThatThrownBy(() -> AlphaSpending.boundaries(new double[] {0.5, 0.5}, 0.05))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("strictly increasing");
        assertThatThrownBy(() -> AlphaSpending.boundaries(new double[] {0.5, 1.2}, 0.05))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AlphaSpending.boundaries(new double[] {0.0, 1.0}, 0.05))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AlphaSpending.boundaries(new double[0], 0.05))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least one");
        assertThatThrownBy(() -> AlphaSpending.spent(1.5, 0.05)).isInstanceOf(IllegalArgumentException.class);
    }
}
