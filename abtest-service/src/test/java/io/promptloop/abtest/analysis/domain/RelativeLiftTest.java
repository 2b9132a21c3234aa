package io.promptloop.abtest.analysis.domain;

import static io.promptloop.abtest.analysis.domain.GbstatsFixtures.FIVE_DECIMALS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class RelativeLiftTest {

    @Test
    void shouldMatchGrowthBookRelativeLiftAndDeltaMethodStandardError() {
        // gbstats test_two_sided_ttest: expected=0.70732, uplift stddev=0.37879
        Estimate e = RelativeLift.of(GbstatsFixtures.TWO_SIDED_CONTROL, GbstatsFixtures.TWO_SIDED_TREATMENT);

        assertThat(e.lift()).isCloseTo(0.70732, within(FIVE_DECIMALS));
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
        Estimate e = RelativeLift.of(GbstatsFixtures.TWO_SIDED_CONTROL, GbstatsFixtures.TWO_SIDED_TREATMENT);

        assertThat(e.welchDf()).isCloseTo(5841.742032093565, within(1e-8));
    }

    @Test
    void shouldUseTheDeltaMethodVarianceFormula() {
        // control mean 10, var 0.25, n 10; treatment mean 10.5, var 1, n 10:
        // 1/(10·100) + 10.5²·0.25/(10·10⁴) = 0.001275625 (by hand)
        Estimate e = RelativeLift.of(new Moments(10, 100, 1002.25), new Moments(10, 105, 1111.5));

        assertThat(e.lift()).isCloseTo(0.05, within(1e-12));
        assertThat(e.variance()).isCloseTo(0.001275625, within(1e-12));
    }

    @Test
    void shouldNotEstimateWithTooLittleDataOrAZeroBaseline() {
        Moments some = new Moments(10, 100, 1002.25);

        assertThat(RelativeLift.tryOf(Moments.EMPTY.add(1), some)).isEmpty();
        assertThat(RelativeLift.tryOf(some, Moments.EMPTY)).isEmpty();
        assertThat(RelativeLift.tryOf(Moments.ofBernoulli(100, 0), Moments.ofBernoulli(100, 5)))
                .isEmpty(); // control mean 0
        assertThat(RelativeLift.tryOf(Moments.ofBernoulli(100, 100), Moments.ofBernoulli(100, 100)))
                .isEmpty(); // both constant
        assertThat(RelativeLift.isEstimable(some, some)).isTrue();
        assertThatThrownBy(() -> RelativeLift.of(some, Moments.EMPTY))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 2 observations");
        assertThatThrownBy(() -> RelativeLift.of(Moments.ofBernoulli(100, 0), some))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("control mean is 0");
    }
}
