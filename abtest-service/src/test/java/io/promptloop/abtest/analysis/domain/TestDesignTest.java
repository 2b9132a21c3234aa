package io.promptloop.abtest.analysis.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TestDesignTest {

    @Test
    void shouldUseTheDesignDefaultsForASequentialTest() {
        TestDesign design = TestDesign.sequential(Metric.SUCCESS, 100, null);

        assertThat(design.alpha()).isEqualTo(0.05);
        assertThat(design.nStar()).isEqualTo(5000);
        assertThat(design.srmThreshold()).isEqualTo(0.001);
        assertThat(design.trafficSplit()).isEqualTo(0.5);
        assertThat(design.guardrails()).isEqualTo(Guardrails.none());
    }

    @Test
    void shouldReadMissingGuardrailsAsNone() {
        TestDesign design =
                new TestDesign(Method.SEQUENTIAL, Metric.SCORE, 0.05, 5000, 1, null, null, 0.5, null, 0.001);

        assertThat(design.guardrails()).isEqualTo(Guardrails.none());
    }

    @Test
    void shouldRequireAMaximumAndLooksForAFixedDesign() {
        assertThatThrownBy(() -> design(Method.FIXED, 0.05, 100, null, 3, 0.5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("fixed design needs maxSamplePerVariant and plannedLooks");
        assertThatThrownBy(() -> design(Method.FIXED, 0.05, 100, 1000L, null, 0.5))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> design(Method.FIXED, 0.05, 100, 1000L, 0, 0.5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("plannedLooks must be >= 1");
        assertThat(design(Method.FIXED, 0.05, 100, 1000L, 3, 0.5).plannedLooks())
                .isEqualTo(3);
    }

    @Test
    void shouldRejectOutOfRangeParameters() {
        assertThatThrownBy(() -> design(Method.SEQUENTIAL, 0.0, 100, null, null, 0.5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("alpha");
        assertThatThrownBy(() -> design(Method.SEQUENTIAL, 0.05, 100, null, null, 1.0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("trafficSplit");
        assertThatThrownBy(() -> design(Method.SEQUENTIAL, 0.05, 0, null, null, 0.5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("minSamplePerVariant");
        assertThatThrownBy(() -> design(Method.SEQUENTIAL, 0.05, 100, 99L, null, 0.5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must be >= minSamplePerVariant");
        assertThatThrownBy(() -> new TestDesign(null, Metric.SCORE, 0.05, 5000, 1, null, null, 0.5, null, 0.001))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(
                        () -> new TestDesign(Method.SEQUENTIAL, Metric.SCORE, 0.05, 0, 1, null, null, 0.5, null, 0.001))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nStar");
        assertThatThrownBy(
                        () -> new TestDesign(Method.SEQUENTIAL, Metric.SCORE, 0.05, 5000, 1, null, null, 0.5, null, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("srmThreshold");
    }

    private static TestDesign design(Method method, double alpha, long min, Long max, Integer looks, double split) {
        return new TestDesign(method, Metric.SCORE, alpha, 5000, min, max, looks, split, Guardrails.none(), 0.001);
    }
}
