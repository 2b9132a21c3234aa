package io.promptloop.abtest.analysis.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class MomentsTest {

    @Test
    void shouldComputeMeanAndUnbiasedVariance() {
        // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, Σ(x − 5)² = 32, s² = 32/7 (python3 statistics.variance → 4.571428571428571)
        Moments m = Moments.EMPTY;
        for (double x : new double[] {2, 4, 4, 4, 5, 5, 7, 9}) {
            m = m.add(x);
        }

        assertThat(m.n()).isEqualTo(8);
        assertThat(m.mean()).isEqualTo(5.0);
        assertThat(m.variance()).isCloseTo(4.571428571428571, within(1e-12));
    }

    @Test
    void shouldMatchGrowthBookSampleMeanStatistic() {
        // gbstats tests: SampleMeanStatistic(sum=100, sum_squares=1002.25, n=10) has mean 10 and variance 0.25
        Moments m = Moments.fromSums(10, 100, 1002.25);

        assertThat(m.mean()).isEqualTo(10.0);
        assertThat(m.variance()).isCloseTo(0.25, within(1e-12));
    }

    @Test
    void shouldBeNaNWhenThereIsTooLittleData() {
        assertThat(Moments.EMPTY.mean()).isNaN();
        assertThat(Moments.EMPTY.add(3).variance()).isNaN();
        assertThat(Moments.EMPTY.add(3).mean()).isEqualTo(3.0);
    }

    @Test
    void shouldKeepTheVarianceOfALargeMeanWithCentredSums() {
        // Issue 11: latency in µs, mean 1e6, values 1e6 ± 1 alternating (python3 statistics.variance of the
        // same 10,000 values → 1.000100010001 = 10000/9999). Raw sums Σx² − (Σx)²/n lose it: the same data in
        // gbstats' SampleMeanStatistic form reads 0.99995 or worse.
        Moments m = Moments.EMPTY;
        double sum = 0;
        double sumSq = 0;
        for (int i = 0; i < 10_000; i++) {
            double x = 1e6 + (i % 2 == 0 ? 1 : -1);
            m = m.add(x);
            sum += x;
            sumSq += x * x;
        }

        assertThat(m.variance()).isCloseTo(10_000.0 / 9_999, within(1e-9));
        assertThat(Math.abs(Moments.fromSums(10_000, sum, sumSq).variance() - 10_000.0 / 9_999))
                .as("the raw-sum variance this replaces is off")
                .isGreaterThan(1e-5);
    }

    @Test
    void shouldKeepAConstantSampleAtZeroVariance() {
        Moments m = Moments.EMPTY;
        for (int i = 0; i < 1000; i++) {
            m = m.add(0.1);
        }

        assertThat(m.variance()).isGreaterThanOrEqualTo(0.0).isCloseTo(0.0, within(1e-15));
    }

    @Test
    void shouldMergePartialAggregatesAsOneSample() {
        // Chan et al.: merging in any split equals adding one by one (to rounding)
        Moments a = Moments.of(1, 2);
        Moments b = Moments.of(3, 4, 5);
        Moments all = Moments.of(1, 2, 3, 4, 5);

        Moments merged = a.plus(b);
        assertThat(merged.n()).isEqualTo(5);
        assertThat(merged.mean()).isCloseTo(3.0, within(1e-15));
        assertThat(merged.m2()).isCloseTo(all.m2(), within(1e-12)).isCloseTo(10.0, within(1e-12));
        assertThat(b.plus(a).m2()).isCloseTo(10.0, within(1e-12));
        assertThat(a.plus(Moments.EMPTY)).isEqualTo(a);
        assertThat(Moments.EMPTY.plus(a)).isEqualTo(a);
    }

    @Test
    void shouldMergeLargeMeansWithoutCancellation() {
        // two batches around 1e9 with variance 0.25 each side: M2 = 0.25·99 + 0.25·99 + δ²·n_A·n_B/n, δ = 1,
        // n_A = n_B = 100 → 49.5 + 50 = 99.5 (by hand)
        Moments a = new Moments(100, 1e9, 0.25 * 99);
        Moments b = new Moments(100, 1e9 + 1, 0.25 * 99);

        assertThat(a.plus(b).m2()).isCloseTo(99.5, within(1e-6));
        assertThat(a.plus(b).mean()).isCloseTo(1e9 + 0.5, within(1e-6));
    }

    @Test
    void shouldSummariseWithGrowthBooksZeroVarianceBelowTwoObservations() {
        assertThat(Moments.of(3).summary()).isEqualTo(new SampleSummary(1, 3, 0));
        assertThat(Moments.EMPTY.summary()).isEqualTo(new SampleSummary(0, 0, 0));
        assertThat(Moments.of(1, 3).summary()).isEqualTo(new SampleSummary(2, 2, 2));
    }

    @Test
    void shouldDescribeBernoulliTrialsAsGrowthBooksProportion() {
        // gbstats ProportionStatistic(sum=30, n=100): mean 0.3, variance p(1 − p) = 0.21 (not 100·0.21/99)
        SampleSummary s = SampleSummary.proportion(100, 30);

        assertThat(s.mean()).isEqualTo(0.3);
        assertThat(s.variance()).isCloseTo(0.21, within(1e-15));
        assertThat(SampleSummary.proportion(100, 100).hasZeroVariance()).isTrue();
    }

    @Test
    void shouldRejectImpossibleMoments() {
        assertThatThrownBy(() -> new Moments(-1, 0, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("n must be >= 0");
        assertThatThrownBy(() -> new Moments(3, 1, -1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("m2");
        assertThatThrownBy(() -> new Moments(0, 1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Moments(2, Double.NaN, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SampleSummary.proportion(10, 11))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("successes");
        assertThatThrownBy(() -> Moments.EMPTY.add(Double.POSITIVE_INFINITY))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
