package io.promptloop.abtest.analysis.domain;

import static io.promptloop.abtest.analysis.domain.GbstatsFixtures.FIVE_DECIMALS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class FixedHorizonTest {

    @Test
    void shouldMatchGrowthBookTwoSidedTTest() {
        // gbstats test_two_sided_ttest (relative): ci=(-0.03526, 1.44989), pValue=0.06191
        Estimate e = EffectEstimator.of(GbstatsFixtures.TWO_SIDED_CONTROL, GbstatsFixtures.TWO_SIDED_TREATMENT);

        Interval ci = FixedHorizon.interval(e, 0.05);

        assertThat(ci.lower()).isCloseTo(-0.03526, within(FIVE_DECIMALS));
        assertThat(ci.upper()).isCloseTo(1.44989, within(FIVE_DECIMALS));
        assertThat(ci.excludesZero()).isFalse();
        assertThat(FixedHorizon.pValue(e)).isCloseTo(0.06191, within(FIVE_DECIMALS));
    }

    @Test
    void shouldMatchGrowthBookOneSidedTestToFullPrecision() {
        // gbstats test_one_sided_ttest (greater, unrounded): ci lower -0.045136675850396046, pValue
        // 0.06558262868467746. A one-sided 95% bound is the lower end of a two-sided 90% interval, and the two-sided
        // p-value of a positive lift is twice the one-sided one.
        Estimate e = EffectEstimator.of(GbstatsFixtures.SEQUENTIAL_CONTROL, GbstatsFixtures.SEQUENTIAL_TREATMENT);

        assertThat(e.effect()).isCloseTo(0.5033610858562358, within(1e-13));
        assertThat(e.standardError()).isCloseTo(0.3334122146400735, within(1e-13));
        assertThat(FixedHorizon.interval(e, 0.10).lower()).isCloseTo(-0.045136675850396046, within(1e-10));
        assertThat(FixedHorizon.pValue(e)).isCloseTo(2 * 0.06558262868467746, within(1e-10));
    }

    @Test
    void shouldGiveSmallPValuesWithTheirDigits() {
        // lift 0.1 with standard error 0.01 and df 1000: 2·P(T > 10) ≈ 2.2e-22; not 0 from 1 − 1
        Estimate e = new Estimate(1, 1.1, 0.1, 1e-4, 1000, 500, 500);

        assertThat(FixedHorizon.pValue(e)).isGreaterThan(0).isLessThan(1e-20);
    }

    @Test
    void shouldRejectAnAlphaOutsideTheUnitInterval() {
        Estimate e = EffectEstimator.of(GbstatsFixtures.TWO_SIDED_CONTROL, GbstatsFixtures.TWO_SIDED_TREATMENT);

        assertThatThrownBy(() -> FixedHorizon.interval(e, 1.0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("alpha must be in (0, 1)");
    }
}
