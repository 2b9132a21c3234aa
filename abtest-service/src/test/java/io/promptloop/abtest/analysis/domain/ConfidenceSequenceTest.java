package io.promptloop.abtest.analysis.domain;

import static io.promptloop.abtest.analysis.domain.GbstatsFixtures.FIVE_DECIMALS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/*
 * Unrounded references come from this stdlib-only python3 script of Waudby-Smith et al. eq. 9, 155 and 161 as gbstats
 * implements them (independent of the Java code):
 *
 *   import math
 *   def ms(s, ss, n): return s/n, (ss - s*s/n)/(n-1), n
 *   def seq(a, b, alpha, N):
 *       (ma, va, na), (mb, vb, nb) = a, b
 *       pe = mb/ma - 1; var = vb/(ma**2*nb) + va*mb**2/(ma**4*na); n = na + nb
 *       rho = math.sqrt((-2*math.log(alpha) + math.log(-2*math.log(alpha) + 1))/N); tr = n*rho**2 + 1
 *       hw = math.sqrt(var*n)*math.sqrt(2*tr*math.log(math.sqrt(tr)/alpha)/(n*rho)**2)
 *       p = min(1, math.sqrt(tr)/math.exp(rho**2*(pe**2*n/var)/(2*tr)))
 *       return pe - hw, pe + hw, p
 *   print(seq(ms(1396.87, 52377.9767, 3000), ms(2422.7, 134698.29, 3461), 0.05, 1000))
 *   print(seq(ms(1396, 1396, 3000), ms(2422, 2422, 3461), 0.05, 5000))
 */
class ConfidenceSequenceTest {

    @Test
    void shouldMatchGrowthBookSequentialTest() {
        // gbstats test_sequential_test_runs, sequential_tuning_parameter=1000:
        // expected=0.50336, ci=(-0.55844, 1.56516), pValue=1
        Estimate e = EffectEstimator.of(GbstatsFixtures.SEQUENTIAL_CONTROL, GbstatsFixtures.SEQUENTIAL_TREATMENT);

        Interval cs = ConfidenceSequence.interval(e, 0.05, 1000);

        assertThat(cs.lower()).isCloseTo(-0.55844, within(FIVE_DECIMALS));
        assertThat(cs.upper()).isCloseTo(1.56516, within(FIVE_DECIMALS));
        assertThat(ConfidenceSequence.pValue(e, 0.05, 1000)).isEqualTo(1.0);
        // unrounded, from the script above
        assertThat(cs.lower()).isCloseTo(-0.5584405051077315, within(1e-12));
        assertThat(cs.upper()).isCloseTo(1.5651626768202032, within(1e-12));
    }

    @Test
    void shouldMatchGrowthBookSequentialProportionTest() {
        // gbstats test_sequential_test_runs_prop, default N*=5000: ProportionStatistic(1396, 3000) vs (2422, 3461)
        // expected=0.50386, ci=(0.40098, 0.60675), pValue=0.0. Since issue 11 the proportion variance is gbstats'
        // p(1−p) (before: n·p(1−p)/(n−1), giving (0.40096, 0.60676)), so the bounds match to gbstats' 5 decimals.
        Estimate e = EffectEstimator.of(SampleSummary.proportion(3000, 1396), SampleSummary.proportion(3461, 2422));

        Interval cs = ConfidenceSequence.interval(e, 0.05, 5000);

        assertThat(e.effect()).isCloseTo(0.50386, within(FIVE_DECIMALS));
        assertThat(cs.lower()).isCloseTo(0.40098, within(FIVE_DECIMALS));
        assertThat(cs.upper()).isCloseTo(0.60675, within(FIVE_DECIMALS));
        assertThat(ConfidenceSequence.pValue(e, 0.05, 5000)).isLessThan(5e-6); // gbstats rounds it to 0.0
    }

    @Test
    void shouldComputeRhoFromTheTuningParameter() {
        // python3 -c "import math; a=0.05; print(math.sqrt((-2*math.log(a)+math.log(-2*math.log(a)+1))/5000))"
        assertThat(ConfidenceSequence.rho(0.05, 5000)).isCloseTo(0.03984006677137368, within(1e-15));
    }

    @Test
    void shouldComputeHalfWidthAndPValueOfAHandMadeEstimate() {
        // lift 0.05, Var 1e-4, N = 8000, N* = 5000, α = 0.05 — the script's formulas with pe, var, n set directly:
        // half-width 0.030474036168768304, p = 3.43527491976838e-05
        Estimate e = new Estimate(1.0, 1.05, 0.05, 1e-4, 7998, 4000, 4000);

        assertThat(ConfidenceSequence.halfWidth(e, 0.05, 5000)).isCloseTo(0.030474036168768304, within(1e-14));
        assertThat(ConfidenceSequence.pValue(e, 0.05, 5000)).isCloseTo(3.43527491976838e-05, within(1e-15));
    }

    @Test
    void shouldRejectZeroExactlyWhenThePValueIsBelowAlpha() {
        for (double alpha : new double[] {0.01, 0.05, 0.1}) {
            for (double lift = 0.0; lift < 0.08; lift += 0.0005) {
                Estimate e = new Estimate(1.0, 1 + lift, lift, 1e-4, 5000, 3000, 3000);
                boolean excludes = ConfidenceSequence.interval(e, alpha, 5000).excludesZero();
                boolean significant = ConfidenceSequence.pValue(e, alpha, 5000) < alpha;
                assertThat(significant).as("alpha %s lift %s", alpha, lift).isEqualTo(excludes);
            }
        }
    }

    @Test
    void shouldBeWiderThanTheFixedHorizonInterval() {
        Estimate e = EffectEstimator.of(GbstatsFixtures.SEQUENTIAL_CONTROL, GbstatsFixtures.SEQUENTIAL_TREATMENT);

        assertThat(ConfidenceSequence.halfWidth(e, 0.05, 5000))
                .isGreaterThan(FixedHorizon.interval(e, 0.05).halfWidth());
    }

    @Test
    void shouldBeTightestNearTheTuningParameter() {
        // gbstats test_sequential_test_tuning_as_expected: N = 6461; N* = 10 is worse than 10,000, which is worse
        // than 6,461
        Estimate e = EffectEstimator.of(GbstatsFixtures.SEQUENTIAL_CONTROL, GbstatsFixtures.SEQUENTIAL_TREATMENT);

        double below = ConfidenceSequence.halfWidth(e, 0.05, 10);
        double near = ConfidenceSequence.halfWidth(e, 0.05, 6461);
        double above = ConfidenceSequence.halfWidth(e, 0.05, 10_000);

        assertThat(below).isGreaterThan(above);
        assertThat(above).isGreaterThan(near);
    }

    @Test
    void shouldTuneRhoForFivePercentWhenNoAlphaIsGiven() {
        Estimate e = new Estimate(1.0, 1.05, 0.05, 1e-4, 7998, 4000, 4000);

        assertThat(ConfidenceSequence.pValue(e, 5000)).isEqualTo(ConfidenceSequence.pValue(e, 0.05, 5000));
    }

    @Test
    void shouldRejectANonPositiveTuningParameter() {
        Estimate e = new Estimate(1.0, 1.05, 0.05, 1e-4, 7998, 4000, 4000);

        assertThatThrownBy(() -> ConfidenceSequence.interval(e, 0.05, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nStar");
    }
}
