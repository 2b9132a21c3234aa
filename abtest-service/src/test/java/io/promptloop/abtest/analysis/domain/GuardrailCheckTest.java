package io.promptloop.abtest.analysis.domain;

import static io.promptloop.abtest.analysis.domain.Arms.arm;
import static io.promptloop.abtest.analysis.domain.Arms.withLatencies;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class GuardrailCheckTest {

    private static final double ALPHA = 0.05;
    private static final double N_STAR = 5000;

    private final VariantStats control = arm(1000, 950, 0.7, 0.2, 1000, 200);

    @Test
    void shouldBreakTheSuccessRateGuardrailWhenTheSequenceLiesBelowTheTolerance() {
        // 60% vs 95% success: lift −0.37, the sequence's upper bound is far below −0.02
        VariantStats failing = arm(1000, 600, 0.7, 0.2, 1000, 200);

        GuardrailResult result =
                GuardrailCheck.evaluate(new Guardrails(0.98, null, null), control, failing, ALPHA, N_STAR, 100);

        assertThat(result.ok()).isFalse();
        assertThat(result.breaches())
                .singleElement()
                .asString()
                .startsWith("success_rate: upper bound -0.")
                .endsWith("below -0.0200");
    }

    @Test
    void shouldNotBreakTheSuccessRateGuardrailOnANoisyDip() {
        // 92% vs 95%: the point estimate −3.2% is beyond the −2% tolerance, but the sequence still reaches +0.4%
        VariantStats dip = arm(1000, 920, 0.7, 0.2, 1000, 200);

        assertThat(GuardrailCheck.evaluate(new Guardrails(0.98, null, null), control, dip, ALPHA, N_STAR, 100)
                        .ok())
                .isTrue();
    }

    @Test
    void shouldBreakTheMeanLatencyGuardrailWhenTheLowerBoundExceedsTheTolerance() {
        // mean latency 1500 vs 1000 ms: lift 0.5, lower bound ≈ 0.46
        VariantStats slow = arm(1000, 950, 0.7, 0.2, 1500, 200);

        GuardrailResult tight =
                GuardrailCheck.evaluate(new Guardrails(null, 1.2, null), control, slow, ALPHA, N_STAR, 100);
        GuardrailResult loose =
                GuardrailCheck.evaluate(new Guardrails(null, 1.6, null), control, slow, ALPHA, N_STAR, 100);

        assertThat(tight.breaches())
                .singleElement()
                .asString()
                .startsWith("latency_mean: lower bound 0.4")
                .endsWith("above 0.2000");
        assertThat(loose.ok()).isTrue(); // the whole sequence lies below +0.6
    }

    @Test
    void shouldBreakTheP95GuardrailOnThePointEstimateOnceBothArmsHaveTheMinimumSample() {
        // control latencies spread over 1..1000 ms (p95 ≈ 950), treatment over 1..1500 ms (p95 ≈ 1425): ratio 1.5
        VariantStats c = withLatencies(control, 1000, 1000);
        VariantStats t = withLatencies(arm(1000, 950, 0.7, 0.2, 1000, 200), 1000, 1500);
        Guardrails p95 = new Guardrails(null, null, 1.3);

        GuardrailResult checked = GuardrailCheck.evaluate(p95, c, t, ALPHA, N_STAR, 1000);
        GuardrailResult tooEarly = GuardrailCheck.evaluate(p95, c, t, ALPHA, N_STAR, 1001);
        GuardrailResult tolerated = GuardrailCheck.evaluate(new Guardrails(null, null, 1.6), c, t, ALPHA, N_STAR, 100);

        // exact p95s 1424 and 949 ms (ratio 1.5005), each estimated within 1%
        assertThat(checked.breaches())
                .singleElement()
                .asString()
                .matches("latency_p95: ratio 1\\.(4[89]|5[0-2])\\d* above 1\\.3000 \\(.* ms vs .* ms\\)");
        assertThat(tooEarly.ok()).isTrue();
        assertThat(tolerated.ok()).isTrue();
    }

    @Test
    void shouldReportEveryBrokenGuardrail() {
        VariantStats bad = withLatencies(arm(1000, 600, 0.7, 0.2, 1500, 200), 1000, 1500);

        GuardrailResult result = GuardrailCheck.evaluate(
                new Guardrails(0.98, 1.2, 1.3), withLatencies(control, 1000, 1000), bad, ALPHA, N_STAR, 100);

        assertThat(result.breaches()).hasSize(3);
    }

    @Test
    void shouldNotBreakAnythingThatIsNotEstimable() {
        VariantStats tiny = arm(1, 0, 0.7, 0, 5000, 0);

        GuardrailResult result =
                GuardrailCheck.evaluate(new Guardrails(0.98, 1.2, 1.3), control, tiny, ALPHA, N_STAR, 100);

        assertThat(result.ok()).isTrue();
        assertThat(GuardrailCheck.evaluate(Guardrails.none(), control, tiny, ALPHA, N_STAR, 100))
                .isEqualTo(GuardrailResult.passed());
    }

    @Test
    void shouldValidateGuardrailRanges() {
        assertThatThrownBy(() -> new Guardrails(1.1, null, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("minSuccessRateRatio must be in (0, 1]");
        assertThatThrownBy(() -> new Guardrails(0.0, null, null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Guardrails(null, 0.9, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxLatencyRatio must be >= 1");
        assertThatThrownBy(() -> new Guardrails(null, null, Double.NaN))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxLatencyP95Ratio");
        assertThat(new Guardrails(1.0, 1.0, 1.0).minSuccessRateRatio()).isEqualTo(1.0);
    }

    @Test
    void shouldKeepOkConsistentWithTheBreaches() {
        assertThatThrownBy(() -> new GuardrailResult(true, List.of("x"))).isInstanceOf(IllegalArgumentException.class);
    }
}
