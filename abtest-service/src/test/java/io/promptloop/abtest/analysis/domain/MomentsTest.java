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
        Moments m = new Moments(10, 100, 1002.25);

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
    void shouldClampTheVarianceOfAConstantSampleAtZero() {
        Moments m = Moments.EMPTY;
        for (int i = 0; i < 1000; i++) {
            m = m.add(0.1); // Σx² − (Σx)²/n rounds to a tiny negative number
        }

        assertThat(m.variance()).isGreaterThanOrEqualTo(0.0).isCloseTo(0.0, within(1e-15));
    }

    @Test
    void shouldAddUpPartialAggregates() {
        Moments a = Moments.EMPTY.add(1).add(2);
        Moments b = Moments.EMPTY.add(3).add(4).add(5);

        assertThat(a.plus(b))
                .isEqualTo(Moments.EMPTY.add(1).add(2).add(3).add(4).add(5));
        assertThat(a.plus(Moments.EMPTY)).isEqualTo(a);
    }

    @Test
    void shouldDescribeBernoulliTrials() {
        // 30 successes in 100: p = 0.3, unbiased variance n·p(1−p)/(n−1) = 100·0.21/99
        Moments m = Moments.ofBernoulli(100, 30);

        assertThat(m.mean()).isEqualTo(0.3);
        assertThat(m.variance()).isCloseTo(100 * 0.21 / 99, within(1e-12));
    }

    @Test
    void shouldRejectImpossibleMoments() {
        assertThatThrownBy(() -> new Moments(-1, 0, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("n must be >= 0");
        assertThatThrownBy(() -> new Moments(3, 1, -1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sumSq");
        assertThatThrownBy(() -> new Moments(0, 1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Moments(2, Double.NaN, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Moments.ofBernoulli(10, 11))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("successes");
        assertThatThrownBy(() -> Moments.EMPTY.add(Double.POSITIVE_INFINITY))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
