package io.promptloop.abtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;

/**
 * Issue 11's methods end to end: chosen by HTTP, analysed on real observations, stored in
 * {@code ab_interim_analyses} and shown by {@code analytics.v_ab_test_results}.
 */
@DirtiesContext
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class StatisticsMethodsIT extends AbtestTestSupport {

    @LocalServerPort
    int port;

    @Test
    void shouldRunABayesianTestOnTheAbsoluteEffectWithAnInformativePrior() {
        String agent = "bayes-" + UUID.randomUUID();
        UUID baseline = instruction(agent, "answer", 1, "Answer.", true);
        UUID treatment = instruction(agent, "answer", 2, "Answer and cite.", false);
        var test = createStarted(
                port,
                testBody(
                        agent,
                        baseline,
                        treatment,
                        "\"method\":\"bayesian\",\"effectType\":\"absolute\",\"priorMean\":0,\"priorVariance\":0.09,"
                                + "\"minSamplePerVariant\":100,\"start\":true"));
        UUID testId = UUID.fromString(test.get("testId").asString());
        assertThat(test.get("method").asString()).isEqualTo("bayesian");
        assertThat(test.get("effectType").asString()).isEqualTo("absolute");
        assertThat(test.get("sides").asString()).isEqualTo("two_sided");
        assertThat(test.get("priorVariance").asDouble()).isEqualTo(0.09);

        publish(traffic(
                testId,
                test.get("salt").asString(),
                0.5,
                "u",
                1200,
                new Arm(0.60, 0.15, 0.97, 300),
                new Arm(0.70, 0.15, 0.97, 300),
                11));
        awaitWinner(testId);

        Map<String, Object> look = sql().queryForMap(
                        "SELECT method, effect_type, effect, relative_lift, chance_to_win, risk_control, risk_treatment,"
                                + " ci_lower, decision::text FROM abtest.ab_interim_analyses"
                                + " WHERE test_id = ? AND metric <> 'guardrails' ORDER BY analysis_number DESC LIMIT 1",
                        testId);
        assertThat(look.get("method")).isEqualTo("bayesian");
        assertThat(look.get("decision")).isEqualTo("stop_efficacy");
        assertThat(look.get("effect_type")).isEqualTo("absolute");
        // absolute effect of the score means, about +0.1 (scores clipped to 0..1)
        assertThat(((Number) look.get("effect")).doubleValue()).isBetween(0.05, 0.15);
        assertThat(look.get("relative_lift")).isNull();
        assertThat(((Number) look.get("chance_to_win")).doubleValue()).isGreaterThan(0.95);
        assertThat(((Number) look.get("risk_treatment")).doubleValue())
                .isLessThan(((Number) look.get("risk_control")).doubleValue());
        assertThat(((Number) look.get("ci_lower")).doubleValue()).isPositive();

        Map<String, Object> view = sql().queryForMap(
                        "SELECT effect_type, sidedness, prior_variance, last_effect, last_risk_treatment,"
                                + " baseline_score_variance FROM analytics.v_ab_test_results WHERE test_id = ?",
                        testId);
        assertThat(view.get("effect_type")).isEqualTo("absolute");
        assertThat(view.get("sidedness")).isEqualTo("two_sided");
        assertThat(((Number) view.get("prior_variance")).doubleValue()).isEqualTo(0.09);
        assertThat(((Number) view.get("last_effect")).doubleValue())
                .isEqualTo(((Number) look.get("effect")).doubleValue());
        assertThat(view.get("last_risk_treatment")).isNotNull();
        // N(0.6, 0.15) clipped to 0..1: variance a little under 0.0225
        assertThat(((Number) view.get("baseline_score_variance")).doubleValue()).isBetween(0.015, 0.025);
    }

    @Test
    void shouldPlanPowerAndMinimumDetectableEffectBeforeATestStarts() {
        // GrowthBook's power test (packages/shared/test/power.test.ts): mean 10, variance 3909.9997749994377,
        // 133,333 per arm, effect 5 %: fixed power 0.52144, MDE 0.07027 (GrowthBook rounds to 5 decimals)
        var response = call(
                port,
                "POST",
                "/api/tests/plan",
                "{\"primaryMetric\":\"score\",\"baselineMean\":10,\"standardDeviation\":"
                        + Math.sqrt(3909.9997749994377)
                        + ",\"effect\":0.05,\"power\":0.8,\"method\":\"fixed\",\"unitsPerArm\":133333}",
                "operator");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        var plan = json(response);
        assertThat(plan.get("power").asDouble()).isCloseTo(0.52144, org.assertj.core.api.Assertions.within(2e-5));
        assertThat(plan.get("minimumDetectableEffect").asDouble())
                .isCloseTo(0.07027, org.assertj.core.api.Assertions.within(2e-5));
        assertThat(plan.get("unitsPerArmForPower").asLong()).isGreaterThan(133_333L);

        for (String bad : new String[] {
            "{\"primaryMetric\":\"score\",\"baselineMean\":10,\"effect\":0.05}",
            "{\"primaryMetric\":\"success\",\"baselineMean\":1.5,\"effect\":0.05}",
            "{\"primaryMetric\":\"success\",\"baselineMean\":0.3}",
            "{\"primaryMetric\":\"success\",\"baselineMean\":0.3,\"effect\":0.05,\"method\":\"bayesian\"}"
        }) {
            var r = call(port, "POST", "/api/tests/plan", bad, "operator");
            assertThat(r.statusCode()).as(bad + " → " + r.body()).isEqualTo(400);
        }
    }

    @Test
    void shouldRunAOneSidedSequentialTestAndRejectImpossibleChoices() {
        String agent = "onesided-" + UUID.randomUUID();
        UUID baseline = instruction(agent, "answer", 1, "Answer.", true);
        UUID treatment = instruction(agent, "answer", 2, "Answer and cite.", false);
        for (String bad : new String[] {
            "\"sides\":\"both\"",
            "\"effectType\":\"ratio\"",
            "\"sides\":\"one_sided\",\"alpha\":0.6",
            "\"method\":\"bayesian\",\"sides\":\"one_sided\"",
            "\"method\":\"bayesian\",\"priorMean\":0.1",
            "\"method\":\"bayesian\",\"priorMean\":0,\"priorVariance\":-1"
        }) {
            var response = call(port, "POST", "/api/tests", testBody(agent, baseline, treatment, bad), "operator");
            assertThat(response.statusCode()).as(bad + " → " + response.body()).isEqualTo(400);
        }

        var test = createStarted(
                port,
                testBody(
                        agent,
                        baseline,
                        treatment,
                        "\"sides\":\"one_sided\",\"minSamplePerVariant\":100,\"start\":true"));
        UUID testId = UUID.fromString(test.get("testId").asString());
        publish(traffic(
                testId,
                test.get("salt").asString(),
                0.5,
                "u",
                1500,
                new Arm(0.60, 0.15, 0.97, 300),
                new Arm(0.72, 0.15, 0.97, 300),
                12));
        awaitWinner(testId);

        Map<String, Object> look = sql().queryForMap(
                        "SELECT effect_type, ci_lower, ci_upper, p_value FROM abtest.ab_interim_analyses"
                                + " WHERE test_id = ? AND metric <> 'guardrails' ORDER BY analysis_number DESC LIMIT 1",
                        testId);
        assertThat(look.get("effect_type")).isEqualTo("relative");
        assertThat(((Number) look.get("ci_lower")).doubleValue()).isPositive();
        assertThat(look.get("ci_upper")).as("one-sided: no upper bound").isNull();
        assertThat(((Number) look.get("p_value")).doubleValue()).isLessThan(0.05);
        assertThat(sql().queryForObject(
                                "SELECT sidedness FROM analytics.v_ab_test_results WHERE test_id = ?",
                                String.class,
                                testId))
                .isEqualTo("one_sided");
    }

    /** With the default rollout steps ([1.0]) a won test may pass rolling_out before the first poll. */
    private static void awaitWinner(UUID testId) {
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> assertThat(status(testId)).isIn("rolling_out", "rolled_out"));
    }
}
