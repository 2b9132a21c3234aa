package io.promptloop.abtest.analysis.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class EnumCodesTest {

    @Test
    void shouldMapMetricCodesBothWays() {
        assertThat(Metric.fromCode("score")).isEqualTo(Metric.SCORE);
        assertThat(Metric.fromCode("success")).isEqualTo(Metric.SUCCESS);
        assertThat(Metric.fromCode("latency_ms")).isEqualTo(Metric.LATENCY_MS);
        assertThat(Metric.LATENCY_MS.code()).isEqualTo("latency_ms");
        assertThat(Metric.SCORE.higherIsBetter()).isTrue();
        assertThat(Metric.SUCCESS.higherIsBetter()).isTrue();
        assertThat(Metric.LATENCY_MS.higherIsBetter()).isFalse();
    }

    @Test
    void shouldRejectUnknownCodes() {
        assertThatThrownBy(() -> Metric.fromCode("SCORE"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown metric 'SCORE'");
        assertThatThrownBy(() -> Metric.fromCode(null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Method.fromCode("frequentist"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown method");
    }

    @Test
    void shouldUseTheCodesOfThePostgresEnums() {
        assertThat(Method.fromCode("sequential")).isEqualTo(Method.SEQUENTIAL);
        assertThat(Method.FIXED.code()).isEqualTo("fixed");
        assertThat(Method.fromCode("bayesian")).isEqualTo(Method.BAYESIAN);
        assertThat(EffectType.fromCode("absolute")).isEqualTo(EffectType.ABSOLUTE);
        assertThat(Sidedness.ONE_SIDED.code()).isEqualTo("one_sided");
        assertThat(Decision.CONTINUE.code()).isEqualTo("continue");
        assertThat(Decision.STOP_EFFICACY.code()).isEqualTo("stop_efficacy");
        assertThat(Decision.STOP_FUTILITY.code()).isEqualTo("stop_futility");
        assertThat(Decision.STOP_SAFETY.code()).isEqualTo("stop_safety");
        assertThat(Decision.fromCode("stop_safety")).isEqualTo(Decision.STOP_SAFETY);
        assertThat(Winner.TREATMENT.code()).isEqualTo("treatment");
        assertThat(SrmResult.Severity.MODERATE.code()).isEqualTo("moderate");
    }
}
