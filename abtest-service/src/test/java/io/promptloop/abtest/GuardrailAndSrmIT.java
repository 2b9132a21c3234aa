package io.promptloop.abtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.promptloop.avro.abtest.AbDecisionEvent;
import io.promptloop.avro.abtest.RolloutChanged;
import io.promptloop.avro.observation.ObservationRecorded;
import io.promptloop.avro.routing.InstructionRouting;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;

/** The two ways a winner is denied: a sample ratio mismatch blocks the decision; a broken guardrail rolls back. */
@DirtiesContext
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class GuardrailAndSrmIT extends AbtestTestSupport {

    @LocalServerPort
    int port;

    @Autowired
    MeterRegistry meters;

    @Test
    void shouldBlockADecisionWhileTheSampleRatioIsMismatched() {
        String agent = "srm-" + UUID.randomUUID();
        UUID baseline = instruction(agent, "answer", 1, "Answer.", true);
        UUID treatment = instruction(agent, "answer", 2, "Answer well.", false);
        var test =
                createStarted(port, testBody(agent, baseline, treatment, "\"minSamplePerVariant\":50,\"start\":true"));
        UUID testId = UUID.fromString(test.get("testId").asString());
        double alertsBefore = meters.counter("promptloop.abtest.srm.alerts").count();

        // a broken assignment: 70 % of units reach the treatment although the split is 50 %, and it looks much better
        var random = new SplittableRandom(11);
        List<ObservationRecorded> skewed = new ArrayList<>();
        for (int i = 0; i < 1200; i++) {
            boolean treated = i % 10 < 7;
            Arm arm = treated ? new Arm(0.8, 0.1, 0.97, 300) : new Arm(0.5, 0.1, 0.97, 300);
            skewed.add(observation(testId, treated ? "treatment" : "baseline", "unit-" + i, arm.draw(random)));
        }
        publish(skewed);

        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(sql().queryForObject(
                                        "SELECT analyzed_n FROM abtest.prompt_ab_tests WHERE test_id = ?",
                                        Long.class,
                                        testId))
                        .isEqualTo(1200));
        assertThat(status(testId)).isEqualTo("running");
        assertThat(sql().queryForList(
                                "SELECT DISTINCT decision::text FROM abtest.ab_interim_analyses WHERE test_id = ?",
                                String.class,
                                testId))
                .containsExactly("continue");
        var srm = sql().queryForMap(
                        "SELECT severity::text, p_value, chi_squared_statistic, actual_counts::text FROM abtest.ab_srm_checks"
                                + " WHERE test_id = ? ORDER BY checked_at DESC LIMIT 1",
                        testId);
        assertThat(srm.get("severity")).isEqualTo("severe");
        // 360 vs 840 at 50/50: chi² = (240² + 240²) / 600 = 192
        assertThat(((Number) srm.get("chi_squared_statistic")).doubleValue())
                .isCloseTo(192.0, org.assertj.core.api.Assertions.within(1e-6));
        assertThat(((Number) srm.get("p_value")).doubleValue()).isLessThan(0.001);
        assertThat(sql().queryForObject(
                                "SELECT srm_alerted FROM abtest.prompt_ab_tests WHERE test_id = ?",
                                Boolean.class,
                                testId))
                .isTrue();
        assertThat(meters.counter("promptloop.abtest.srm.alerts").count()).isEqualTo(alertsBefore + 1);
        var inspected = json(call(port, "GET", "/api/tests/" + testId, null, "reader"));
        assertThat(inspected.get("analysis").get("reason").asString()).containsIgnoringCase("srm");
        assertThat(valuesWithKey("ab-decisions", testId.toString())).hasSize(1); // TestStarted only
    }

    @Test
    void shouldRollBackWhenAGuardrailBreaksAfterRollout() {
        String agent = "guardrail-" + UUID.randomUUID();
        String key = agent + "/answer";
        UUID baseline = instruction(agent, "answer", 1, "Answer.", true);
        UUID treatment = instruction(agent, "answer", 2, "Answer in depth.", false);
        var test = createStarted(
                port,
                testBody(
                        agent,
                        baseline,
                        treatment,
                        "\"minSamplePerVariant\":100,\"guardrails\":{\"minSuccessRateRatio\":0.95},"
                                + "\"rolloutSteps\":[1.0],\"rolloutStepObservations\":5000,\"start\":true"));
        UUID testId = UUID.fromString(test.get("testId").asString());
        String salt = test.get("salt").asString();

        publish(traffic(
                testId, salt, 0.5, "u", 1200, new Arm(0.6, 0.15, 0.98, 300), new Arm(0.75, 0.15, 0.98, 300), 5));
        awaitStatus(testId, "rolled_out", Duration.ofSeconds(60));
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(valuesWithKey("instruction-routing", key))
                        .extracting(r -> ((InstructionRouting) r)
                                .getActiveInstructionId()
                                .toString())
                        .last()
                        .isEqualTo(treatment.toString()));

        // after the rollout the new instruction starts failing: success drops from 98 % to 60 %
        publish(traffic(testId, salt, 1.0, "p", 600, new Arm(0.6, 0.15, 0.98, 300), new Arm(0.75, 0.15, 0.60, 300), 6));
        awaitStatus(testId, "rolled_back", Duration.ofSeconds(60));

        var look = sql().queryForMap(
                        "SELECT decision::text, guardrails_ok, details::text FROM abtest.ab_interim_analyses WHERE test_id = ?"
                                + " ORDER BY analysis_number DESC LIMIT 1",
                        testId);
        assertThat(look.get("decision")).isEqualTo("stop_safety");
        assertThat(look.get("guardrails_ok")).isEqualTo(false);
        assertThat((String) look.get("details")).contains("success_rate");
        assertThat(sql().queryForObject(
                                "SELECT rolled_out FROM abtest.prompt_ab_tests WHERE test_id = ?",
                                Boolean.class,
                                testId))
                .isFalse();
        assertThat(sql().queryForList(
                                "SELECT action FROM abtest.rollouts WHERE test_id = ? ORDER BY created_at",
                                String.class,
                                testId))
                .containsExactly("rollout", "rollback");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            List<InstructionRouting> routing = valuesWithKey("instruction-routing", key);
            assertThat(routing)
                    .extracting(r -> r.getReason().toString())
                    .containsExactly("test_started", "rolled_out", "rolled_back_guardrail");
            assertThat(routing.getLast().getActiveInstructionId()).isEqualTo(baseline.toString());
            assertThat(routing.getLast().getTest()).isNull();
            List<AbDecisionEvent> decisions = valuesWithKey("ab-decisions", testId.toString());
            assertThat(decisions.getLast().getPayload()).isInstanceOf(RolloutChanged.class);
            assertThat(((RolloutChanged) decisions.getLast().getPayload()).getReason())
                    .isEqualTo("rolled_back_guardrail");
            assertThat(((RolloutChanged) decisions.getLast().getPayload()).getActiveInstructionId())
                    .isEqualTo(baseline.toString());
        });
    }

    @Test
    void shouldLookOnlyAtThePlannedLooksOfAFixedDesignWithSpentAlpha() {
        String agent = "fixed-" + UUID.randomUUID();
        UUID baseline = instruction(agent, "answer", 1, "Answer.", true);
        UUID treatment = instruction(agent, "answer", 2, "Answer with care.", false);
        var test = createStarted(
                port,
                testBody(
                        agent,
                        baseline,
                        treatment,
                        "\"method\":\"fixed\",\"plannedLooks\":4,\"minSamplePerVariant\":50,"
                                + "\"maxSamplePerVariant\":400,\"autoRollout\":false,\"start\":true"));
        UUID testId = UUID.fromString(test.get("testId").asString());
        String salt = test.get("salt").asString();

        publish(traffic(
                testId, salt, 0.5, "u", 1000, new Arm(0.55, 0.15, 0.97, 300), new Arm(0.70, 0.15, 0.97, 300), 8));
        awaitStatus(testId, "concluded", Duration.ofSeconds(60));

        List<java.util.Map<String, Object>> looks = sql().queryForList(
                        "SELECT analysis_number, information_fraction, spending_function, adjusted_alpha, decision::text"
                                + " FROM abtest.ab_interim_analyses WHERE test_id = ? ORDER BY analysis_number",
                        testId);
        assertThat(looks).isNotEmpty().hasSizeLessThanOrEqualTo(4);
        double previousAlpha = 0;
        for (var look : looks) {
            int k = ((Number) look.get("analysis_number")).intValue();
            double fraction = ((Number) look.get("information_fraction")).doubleValue();
            assertThat(fraction)
                    .as("look %d happens at or after its planned fraction", k)
                    .isGreaterThanOrEqualTo(k / 4.0);
            assertThat(look.get("spending_function")).isEqualTo("obrien_fleming");
            double alpha = ((Number) look.get("adjusted_alpha")).doubleValue();
            assertThat(alpha).isGreaterThanOrEqualTo(previousAlpha).isLessThanOrEqualTo(0.05);
            previousAlpha = alpha;
        }
        assertThat(looks.getLast().get("decision")).isEqualTo("stop_efficacy");
        assertThat(sql().queryForObject(
                                "SELECT winner::text FROM abtest.prompt_ab_tests WHERE test_id = ?",
                                String.class,
                                testId))
                .isEqualTo("treatment");
        // auto-rollout is off: everyone is back on the baseline until an operator rolls the winner out
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(valuesWithKey("instruction-routing", agent + "/answer"))
                        .extracting(r -> ((InstructionRouting) r).getReason().toString())
                        .containsExactly("test_started", "test_concluded_treatment_wins"));
        var rollout = call(port, "POST", "/api/tests/" + testId + "/rollout", null, "operator");
        assertThat(rollout.statusCode()).as(rollout.body()).isEqualTo(200);
        assertThat(status(testId)).isEqualTo("rolled_out");
        var again = call(port, "POST", "/api/tests/" + testId + "/rollout", null, "operator");
        assertThat(again.statusCode()).isEqualTo(409);
        var back = call(port, "POST", "/api/tests/" + testId + "/rollback", null, "operator");
        assertThat(back.statusCode()).as(back.body()).isEqualTo(200);
        assertThat(status(testId)).isEqualTo("rolled_back");
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(valuesWithKey("instruction-routing", agent + "/answer"))
                        .extracting(r -> ((InstructionRouting) r).getReason().toString())
                        .containsExactly("test_started", "test_concluded_treatment_wins", "rolled_out", "manual"));
    }

    @Test
    void shouldStopForFutilityAtTheMaximumSampleWithoutAWinner() {
        String agent = "futile-" + UUID.randomUUID();
        UUID baseline = instruction(agent, "answer", 1, "Answer.", true);
        UUID treatment = instruction(agent, "answer", 2, "Answer, too.", false);
        var test = createStarted(
                port,
                testBody(
                        agent,
                        baseline,
                        treatment,
                        "\"minSamplePerVariant\":50,\"maxSamplePerVariant\":150,\"start\":true"));
        UUID testId = UUID.fromString(test.get("testId").asString());
        var same = new Arm(0.7, 0.15, 0.97, 300);

        publish(traffic(testId, test.get("salt").asString(), 0.5, "u", 600, same, same, 13));
        awaitStatus(testId, "concluded", Duration.ofSeconds(60));

        var row = sql().queryForMap(
                        "SELECT winner::text, rolled_out, conclusion_reason FROM abtest.prompt_ab_tests WHERE test_id = ?",
                        testId);
        assertThat(row.get("winner")).isNull();
        assertThat(row.get("rolled_out")).isEqualTo(false);
        assertThat(sql().queryForObject(
                                "SELECT decision::text FROM abtest.ab_interim_analyses WHERE test_id = ?"
                                        + " ORDER BY analysis_number DESC LIMIT 1",
                                String.class,
                                testId))
                .isEqualTo("stop_futility");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            List<AbDecisionEvent> decisions = valuesWithKey("ab-decisions", testId.toString());
            assertThat(decisions.getLast().getPayload()).isInstanceOf(io.promptloop.avro.abtest.TestConcluded.class);
            var concluded = (io.promptloop.avro.abtest.TestConcluded)
                    decisions.getLast().getPayload();
            assertThat(concluded.getOutcome()).isEqualTo("futility");
            assertThat(concluded.getWinner()).isNull();
            List<InstructionRouting> routing = valuesWithKey("instruction-routing", agent + "/answer");
            assertThat(routing.getLast().getReason()).isEqualTo("test_concluded_futility");
            assertThat(routing.getLast().getActiveInstructionId()).isEqualTo(baseline.toString());
            assertThat(routing.getLast().getTest()).isNull();
        });
    }
}
