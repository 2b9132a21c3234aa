package io.promptloop.abtest.analysis.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class VariantStatsTest {

    private final VariantStats a = new VariantStats(
            3, 2, Moments.EMPTY.add(0.5).add(0.7), Moments.EMPTY.add(100).add(300), LatencyDigest.of(100, 300));
    private final VariantStats b =
            new VariantStats(2, 1, Moments.EMPTY.add(0.9), Moments.EMPTY.add(200), LatencyDigest.of(200));

    @Test
    void shouldAddUpTwoPartialAggregates() {
        VariantStats sum = a.plus(b);

        assertThat(sum)
                .isEqualTo(new VariantStats(
                        5,
                        3,
                        Moments.EMPTY.add(0.5).add(0.7).add(0.9),
                        Moments.EMPTY.add(100).add(300).add(200),
                        LatencyDigest.of(100, 200, 300)));
        assertThat(VariantStats.empty().plus(a)).isEqualTo(a);
    }

    @Test
    void shouldGiveTheMomentsOfEachMetric() {
        assertThat(a.moments(Metric.SCORE)).isEqualTo(a.score());
        assertThat(a.moments(Metric.LATENCY_MS)).isEqualTo(a.latency());
        assertThat(a.moments(Metric.SUCCESS)).isEqualTo(Moments.ofBernoulli(3, 2));
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
