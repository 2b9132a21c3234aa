package io.promptloop.abtest.analysis.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ChanceToWinTest {

    // gbstats tests/bayesian/test_tests.py TestNorm.test_bayesian_gaussian_ab_test: GaussianEffectABTest with the
    // default flat improper prior, SampleMeanStatistic(sum=100, sum_squares=1002.25, n=10) vs (105, 1111.5, 10):
    // expected 0.05, uplift stddev 0.03572, chance_to_win 0.91923
    private final Estimate e =
            EffectEstimator.of(GbstatsFixtures.summary(10, 100, 1002.25), GbstatsFixtures.summary(10, 105, 1111.5));

    @Test
    void shouldMatchGrowthBookChanceToWin() {
        assertThat(e.standardError()).isCloseTo(0.03572, within(5.000001e-6));
        assertThat(ChanceToWin.of(e, true)).isCloseTo(0.91923, within(5.000001e-6));
        // unrounded: python3 -c "import math; print(0.5*math.erfc(-(0.05/math.sqrt(0.001275625))/math.sqrt(2)))"
        assertThat(ChanceToWin.of(e, true)).isCloseTo(0.9192339081566245, within(1e-13));
    }

    @Test
    void shouldFlipForLowerIsBetterMetrics() {
        assertThat(ChanceToWin.of(e, false)).isCloseTo(1 - 0.9192339081566245, within(1e-13));
    }

    @Test
    void shouldBeAHalfWithoutAnyLift() {
        Estimate none = new Estimate(1, 1, 0, 1e-4, 100, 50, 50);

        assertThat(ChanceToWin.of(none, true)).isEqualTo(0.5);
    }
}
