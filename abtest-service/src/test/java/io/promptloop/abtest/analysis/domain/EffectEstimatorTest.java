package io.promptloop.abtest.analysis.domain;

import static io.promptloop.abtest.analysis.domain.GbstatsFixtures.FIVE_DECIMALS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class EffectEstimatorTest {

    @Test
    void shouldMatchGrowthBookRelativeLiftAndDeltaMethodStandardError() {
        // gbstats test_two_sided_ttest: expected=0.70732, uplift stddev=0.37879
        Estimate e = EffectEstimator.of(GbstatsFixtures.TWO_SIDED_CONTROL, GbstatsFixtures.TWO_SIDED_TREATMENT);

        assertThat(e.effect()).isCloseTo(0.70732, within(FIVE_DECIMALS));
        assertThat(e.standardError()).isCloseTo(0.37879, within(FIVE_DECIMALS));
        assertThat(e.controlMean()).isCloseTo(0.41, within(1e-12));
        assertThat(e.treatmentMean()).isCloseTo(0.70, within(1e-12));
        assertThat(e.controlN()).isEqualTo(3407);
        assertThat(e.treatmentN()).isEqualTo(3461);
        assertThat(e.totalN()).isEqualTo(6868);
    }

    @Test
    void shouldComputeWelchDegreesOfFreedomOnTheRawVariances() {
        // python3 -c "df=(vb/nb+va/na)**2/(vb**2/(nb**2*(nb-1))+va**2/(na**2*(na-1)))" with the fixture's moments
        Estimate e = EffectEstimator.of(GbstatsFixtures.TWO_SIDED_CONTROL, GbstatsFixtures.TWO_SIDED_TREATMENT);

        assertThat(e.welchDf()).isCloseTo(5841.742032093565, within(1e-8));
    }

    @Test
    void shouldUseTheDeltaMethodVarianceFormula() {
        // control mean 10, var 0.25, n 10; treatment mean 10.5, var 1, n 10:
        // 1/(10·100) + 10.5²·0.25/(10·10⁴) = 0.001275625 (by hand)
        Estimate e =
                EffectEstimator.of(GbstatsFixtures.summary(10, 100, 1002.25), GbstatsFixtures.summary(10, 105, 1111.5));

        assertThat(e.effect()).isCloseTo(0.05, within(1e-12));
        assertThat(e.variance()).isCloseTo(0.001275625, within(1e-12));
    }

    @Test
    void shouldDivideByTheAbsoluteControlMean() {
        // gbstats utils.frequentist_diff: (mean_b − mean_a)/abs(mean_a). Control mean −2, treatment −1: the
        // treatment is higher, so the lift is +0.5 (before issue 11: −1/−2 − 1 = −0.5, and a higher-is-better
        // analysis stopped for the baseline). Variance as frequentist_variance: v_t/(n_t·m_c²) + m_t²·v_c/(n_c·m_c⁴)
        // with v = 1, n = 10: 1/40 + 1/160 = 0.03125 (by hand).
        SampleSummary control = new SampleSummary(10, -2, 1);
        SampleSummary treatment = new SampleSummary(10, -1, 1);

        Estimate e = EffectEstimator.of(control, treatment);

        assertThat(e.effect()).isCloseTo(0.5, within(1e-15));
        assertThat(e.variance()).isCloseTo(0.03125, within(1e-15));
    }

    @Test
    void shouldDecideNothingWhenOneArmHasZeroVariance() {
        // control 100/100 successes, treatment 90/100: gbstats returns its default result (ZERO_NEGATIVE_VARIANCE);
        // before issue 11 promptloop estimated a lift of −0.1 with fixed p = 0.0013.
        assertThat(EffectEstimator.whyNot(SampleSummary.proportion(100, 100), SampleSummary.proportion(100, 90)))
                .contains(EffectEstimator.ZERO_VARIANCE);
        assertThat(EffectEstimator.tryOf(SampleSummary.proportion(100, 100), SampleSummary.proportion(100, 90)))
                .isEmpty();
    }

    @Test
    void shouldNotEstimateWithTooLittleDataOrAZeroBaseline() {
        SampleSummary some = GbstatsFixtures.summary(10, 100, 1002.25);

        assertThat(EffectEstimator.whyNot(Moments.of(1).summary(), some)).contains(EffectEstimator.NOT_ENOUGH_DATA);
        assertThat(EffectEstimator.tryOf(some, Moments.EMPTY.summary())).isEmpty();
        // control never succeeds: p(1 − p) = 0 is caught as zero variance first, as in gbstats
        assertThat(EffectEstimator.whyNot(SampleSummary.proportion(100, 0), SampleSummary.proportion(100, 5)))
                .contains(EffectEstimator.ZERO_VARIANCE);
        // a score metric centred on 0 has variance but no relative effect: gbstats ZERO_NEGATIVE_BASELINE_VARIATION
        assertThat(EffectEstimator.whyNot(Moments.of(-1, 1, -2, 2).summary(), some))
                .contains(EffectEstimator.BASELINE_ZERO);
        assertThat(EffectEstimator.isEstimable(some, some)).isTrue();
        assertThatThrownBy(() -> EffectEstimator.of(some, Moments.EMPTY.summary()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not enough data");
        assertThatThrownBy(() -> EffectEstimator.of(Moments.of(-1, 1, -2, 2).summary(), some))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("control mean is 0");
    }
}
