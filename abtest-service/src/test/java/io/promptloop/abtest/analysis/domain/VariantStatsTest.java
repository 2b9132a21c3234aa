package io.promptloop.abtest.analysis.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class VariantStatsTest {

    private final VariantStats a = new VariantStats(
            3, 2, Moments.EMPTY.add(0.5).add(0.7), Moments.EMPTY.add(100).add(300), LatencyDigest.of(100, 300));
    private final VariantStats b =
            new VariantStats(2, 1, Moments.EMPTY.add(0.9), Moments.EMPTY.add(200), LatencyDigest.of(200));

    @Test
    void shouldAddUpTwoPartialAggregates() {
        VariantStats sum = a.plus(b);

        assertThat(sum.n()).isEqualTo(5);
        assertThat(sum.successes()).isEqualTo(3);
        // merged moments equal adding one by one, to rounding (Chan et al. vs Welford: 0.08 vs 0.08000000000000002)
        assertThat(sum.score().mean()).isCloseTo(0.7, within(1e-15));
        assertThat(sum.score().m2()).isCloseTo(0.08, within(1e-15));
        assertThat(sum.latency()).isEqualTo(Moments.of(100, 300, 200));
        assertThat(sum.latencyDigest()).isEqualTo(LatencyDigest.of(100, 200, 300));
        assertThat(VariantStats.empty().plus(a)).isEqualTo(a);
    }

    @Test
    void shouldSummariseEachMetricWithGrowthBooksVariance() {
        assertThat(a.summary(Metric.SCORE)).isEqualTo(a.score().summary());
        assertThat(a.summary(Metric.LATENCY_MS)).isEqualTo(a.latency().summary());
        // gbstats ProportionStatistic: variance p(1 − p) = (2/3)(1/3)
        assertThat(a.summary(Metric.SUCCESS).mean()).isCloseTo(2.0 / 3, within(1e-15));
        assertThat(a.summary(Metric.SUCCESS).variance()).isCloseTo(2.0 / 9, within(1e-15));
        assertThat(a.successRate()).isEqualTo(2.0 / 3);
        assertThat(VariantStats.empty().successRate()).isNaN();
    }

    @Test
    void shouldReadAMissingDigestAsEmpty() {
        assertThat(new VariantStats(0, 0, Moments.EMPTY, Moments.EMPTY, null).latencyDigest())
                .isEqualTo(LatencyDigest.empty());
    }

    @Test
    void shouldRejectMoreSuccessesThanObservations() {
        assertThatThrownBy(() -> new VariantStats(1, 2, Moments.EMPTY, Moments.EMPTY, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("successes");
        assertThatThrownBy(() -> new VariantStats(1, 0, null, Moments.EMPTY, null))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
