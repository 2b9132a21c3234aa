package io.promptloop.abtest.analysis.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The multi-arm building blocks (issue 11): SRM over K weighted arms and Holm–Bonferroni across arms. */
class MultiArmTest {

    @Test
    void shouldMatchGrowthBooksHolmBonferroniTest() {
        // growthbook/growthbook packages/shared/test/experiments.test.ts "does HB procedure correctly":
        // [0.01, 0.04, 0.03, 0.005, 0.55, 0.6] → sorted (0.03 idx 3, 0.05 idx 0, 0.12 idx 2, 0.12 idx 1, 1, 1)
        double[] adjusted = HolmBonferroni.adjust(new double[] {0.01, 0.04, 0.03, 0.005, 0.55, 0.6});

        assertThat(adjusted).containsExactly(new double[] {0.05, 0.12, 0.12, 0.03, 1, 1}, within(1e-15));
    }

    @Test
    void shouldCheckTheSampleRatioOverKWeightedArmsAsGbstats() {
        // gbstats utils.check_srm re-implemented in python with scipy 1.17.1 chi2.sf (x, len(users) − 1):
        // [1000, 1050, 950] / [1, 1, 1] → χ² 5.0, p 0.0820849986238988
        SrmResult equal = SampleRatioMismatch.check(new long[] {1000, 1050, 950}, new double[] {1, 1, 1});
        assertThat(equal.chiSquared()).isCloseTo(5.0, within(1e-12));
        assertThat(equal.pValue()).isCloseTo(0.0820849986238988, within(1e-13));
        // [3000, 1000, 1000] / [0.5, 0.25, 0.25] → χ² 200, p 3.7200759760208177e-44
        SrmResult weighted = SampleRatioMismatch.check(new long[] {3000, 1000, 1000}, new double[] {0.5, 0.25, 0.25});
        assertThat(weighted.chiSquared()).isCloseTo(200.0, within(1e-9));
        assertThat(weighted.pValue()).isCloseTo(3.7200759760208177e-44, within(1e-55));
    }

    @Test
    void shouldFollowGbstatsRulesForZeroWeightsAndEmptyArms() {
        // a zero-weight arm adds nothing to χ² but stays in the degrees of freedom (gbstats: len(users) − 1):
        // [1000, 1100, 0] / [0.5, 0.5, 0] → χ² 4.761904761904762, df 2, p 0.09246247606291999 (scipy 1.17.1)
        SrmResult zero = SampleRatioMismatch.check(new long[] {1000, 1100, 0}, new double[] {0.5, 0.5, 0});
        assertThat(zero.chiSquared()).isCloseTo(4.761904761904762, within(1e-12));
        assertThat(zero.pValue()).isCloseTo(0.09246247606291999, within(1e-13));
        // no observations at all: no evidence
        assertThat(SampleRatioMismatch.check(new long[] {0, 0, 0}, new double[] {1, 1, 1})
                        .pValue())
                .isEqualTo(1.0);
        assertThatThrownBy(() -> SampleRatioMismatch.check(new long[] {1, 2}, new double[] {0, 0}))
                .hasMessageContaining("positive weight");
        assertThatThrownBy(() -> SampleRatioMismatch.check(new long[] {1}, new double[] {1}))
                .hasMessageContaining("at least two arms");
    }
}
