package io.promptloop.abtest.analysis.domain;

import static io.promptloop.abtest.analysis.domain.GbstatsFixtures.FIVE_DECIMALS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/**
 * Against GrowthBook gbstats' own tests (growthbook/growthbook, packages/stats/tests/bayesian/test_tests.py:
 * TestBinom.test_bayesian_binomial_ab_test, TestNorm.test_bayesian_gaussian_ab_test and
 * test_bayesian_gaussian_ab_test_informative), which compare rounded to 5 decimals.
 */
class BayesianEffectTest {

    private static final SampleSummary A = GbstatsFixtures.summary(10, 100, 1002.25);
    private static final SampleSummary B = GbstatsFixtures.summary(10, 105, 1111.5);

    @Test
    void shouldMatchGrowthBookFlatPriorGaussianTest() {
        // expected 0.05, ci (−0.02, 0.12), stddev 0.03572, chanceToWin 0.91923, risk [0.05131, 0.00131]
        BayesianEffect b = BayesianEffect.of(EffectEstimator.of(A, B), null, 0.05, true);

        assertThat(b.mean()).isCloseTo(0.05, within(FIVE_DECIMALS));
        assertThat(b.sd()).isCloseTo(0.03572, within(FIVE_DECIMALS));
        assertThat(b.credible().lower()).isCloseTo(-0.02, within(FIVE_DECIMALS));
        assertThat(b.credible().upper()).isCloseTo(0.12, within(FIVE_DECIMALS));
        assertThat(b.chanceToWin()).isCloseTo(0.91923, within(FIVE_DECIMALS));
        assertThat(b.riskControl()).isCloseTo(0.05131, within(FIVE_DECIMALS));
        assertThat(b.riskTreatment()).isCloseTo(0.00131, within(FIVE_DECIMALS));
    }

    @Test
    void shouldMatchGrowthBookInformativePriorGaussianTest() {
        // GaussianPrior(mean=0.1, variance=0.1, proper=True): expected 0.05063, ci (−0.01893, 0.12019),
        // stddev 0.03549, chanceToWin 0.92315, risk [0.05186, 0.00123]
        BayesianEffect b = BayesianEffect.of(EffectEstimator.of(A, B), new GaussianPrior(0.1, 0.1), 0.05, true);

        assertThat(b.mean()).isCloseTo(0.05063, within(FIVE_DECIMALS));
        assertThat(b.sd()).isCloseTo(0.03549, within(FIVE_DECIMALS));
        assertThat(b.credible().lower()).isCloseTo(-0.01893, within(FIVE_DECIMALS));
        assertThat(b.credible().upper()).isCloseTo(0.12019, within(FIVE_DECIMALS));
        assertThat(b.chanceToWin()).isCloseTo(0.92315, within(FIVE_DECIMALS));
        assertThat(b.riskControl()).isCloseTo(0.05186, within(FIVE_DECIMALS));
        assertThat(b.riskTreatment()).isCloseTo(0.00123, within(FIVE_DECIMALS));
    }

    @Test
    void shouldMatchGrowthBookBinomialTest() {
        // ProportionStatistic(49, 100) vs (51, 100): expected 0.04082, ci (−0.24779, 0.32943), stddev 0.14725,
        // chanceToWin 0.60918, risk [0.0814, 0.04058]
        BayesianEffect b = BayesianEffect.of(
                EffectEstimator.of(SampleSummary.proportion(100, 49), SampleSummary.proportion(100, 51)),
                null,
                0.05,
                true);

        assertThat(b.mean()).isCloseTo(0.04082, within(FIVE_DECIMALS));
        assertThat(b.sd()).isCloseTo(0.14725, within(FIVE_DECIMALS));
        assertThat(b.credible().lower()).isCloseTo(-0.24779, within(FIVE_DECIMALS));
        assertThat(b.credible().upper()).isCloseTo(0.32943, within(FIVE_DECIMALS));
        assertThat(b.chanceToWin()).isCloseTo(0.60918, within(FIVE_DECIMALS));
        assertThat(b.riskControl()).isCloseTo(0.0814, within(FIVE_DECIMALS));
        assertThat(b.riskTreatment()).isCloseTo(0.04058, within(FIVE_DECIMALS));
    }

    @Test
    void shouldFlipChanceAndRiskForLowerIsBetterMetrics() {
        // gbstats inverse=True: chance_to_win = 1 − norm.sf(0, μ, σ) and the risks swap
        Estimate e = EffectEstimator.of(A, B);
        BayesianEffect up = BayesianEffect.of(e, null, 0.05, true);
        BayesianEffect down = BayesianEffect.of(e, null, 0.05, false);

        assertThat(down.chanceToWin()).isCloseTo(1 - up.chanceToWin(), within(1e-15));
        assertThat(down.riskControl()).isEqualTo(up.riskTreatment());
        assertThat(down.riskTreatment()).isEqualTo(up.riskControl());
    }

    @Test
    void shouldDecideByGrowthBooksChanceToWinThresholds() {
        assertThat(new BayesianEffect(0, 1, new Interval(-1, 1), 0.96, 0, 0).decision(0.95))
                .isEqualTo(1);
        assertThat(new BayesianEffect(0, 1, new Interval(-1, 1), 0.04, 0, 0).decision(0.95))
                .isEqualTo(-1);
        assertThat(new BayesianEffect(0, 1, new Interval(-1, 1), 0.95, 0, 0).decision(0.95))
                .isZero();
    }

    @Test
    void shouldScaleARelativePriorToAnAbsoluteEffect() {
        // absolute effect 0.5 (10 → 10.5), var_abs = 1/10 + 0.25/10 = 0.125; prior N(0.1, 0.1) relative becomes
        // N(1.0, 10) absolute: mean = (0.5/0.125 + 1/10)/(8 + 0.1) = 4.1/8.1 (by hand)
        Estimate e = EffectEstimator.tryOf(EffectType.ABSOLUTE, A, B).orElseThrow();

        BayesianEffect b = BayesianEffect.of(e, new GaussianPrior(0.1, 0.1), 0.05, true);

        assertThat(b.mean()).isCloseTo(4.1 / 8.1, within(1e-12));
        assertThat(b.sd()).isCloseTo(Math.sqrt(1 / 8.1), within(1e-12));
    }
}
