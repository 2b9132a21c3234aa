package io.promptloop.abtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.promptloop.avro.abtest.AbDecisionEvent;
import io.promptloop.avro.abtest.TestConcluded;
import io.promptloop.avro.observation.ObservationRecorded;
import io.promptloop.avro.routing.InstructionRouting;
import io.promptloop.avro.routing.TreatmentArm;
import io.promptloop.schemas.Assignment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;

/**
 * Multi-arm tests (issue 11) as the optimizer, agents, operators and analysts see them: a run's Pareto front tested
 * at once against the baseline, agents routing units by the K-arm rule from the routing topic, Holm's step-down at
 * every look, the best arm concluded and rolled out; a sample ratio mismatch over three arms blocks.
 */
@DirtiesContext
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "promptloop.abtest.auto-create.max-treatments=3")
class MultiArmIT extends AbtestTestSupport {

    @LocalServerPort
    int port;

    @Test
    void shouldTestARunsFrontAsThreeArmsConcludeForTheBestAndRollItOut() {
        String agent = "front-" + UUID.randomUUID();
        String key = agent + "/answer";
        UUID baseline = instruction(agent, "answer", 1, "Answer briefly.", true);
        // the run's front as the optimizer stores it: best mean validation score first
        UUID first = instruction(agent, "answer", 2, "Answer briefly; cite the policy.", false);
        UUID second = instruction(agent, "answer", 3, "Answer briefly; cite the policy section and its date.", false);
        UUID third = instruction(agent, "answer", 4, "Answer in one sentence.", false);
        UUID run = UUID.randomUUID();
        send(
                "optimizer-events",
                run.toString(),
                completed(agent, run, baseline, first, 20, List.of(first, second, third)));

        UUID testId = await().atMost(Duration.ofSeconds(30))
                .until(
                        () -> sql().queryForList(
                                        "SELECT test_id FROM abtest.prompt_ab_tests WHERE source_run_id = ?",
                                        UUID.class,
                                        run),
                        ids -> ids.size() == 1)
                .getFirst();
        assertThat(status(testId)).isEqualTo("running");
        assertThat(sql().queryForList(
                                "SELECT variant::text || ' ' || instruction_id || ' ' || weight FROM abtest.ab_test_arms"
                                        + " WHERE test_id = ? ORDER BY arm_index",
                                String.class,
                                testId))
                .containsExactly(
                        "baseline " + baseline + " 0.25",
                        "treatment " + first + " 0.25",
                        "treatment_2 " + second + " 0.25",
                        "treatment_3 " + third + " 0.25");

        // agents read the arms and weights from the routing topic and assign units by the K-arm rule
        InstructionRouting routing = await().atMost(Duration.ofSeconds(20))
                .until(
                        () -> AbtestTestSupport.<InstructionRouting>valuesWithKey("instruction-routing", key),
                        r -> r.size() == 1)
                .getFirst();
        String salt = routing.getTest().getSalt();
        List<TreatmentArm> arms = routing.getTest().getArms();
        assertThat(arms)
                .extracting(TreatmentArm::getVariant)
                .containsExactly("treatment", "treatment_2", "treatment_3");
        assertThat(arms)
                .extracting(TreatmentArm::getInstructionId)
                .containsExactly(first.toString(), second.toString(), third.toString());
        // the two-arm fields describe arm 1, so a client that ignores arms still serves arm 1's units right
        assertThat(routing.getTest().getTrafficSplit()).isEqualTo(0.25);
        assertThat(routing.getTest().getTreatmentInstructionId()).isEqualTo(first.toString());
        double[] weights = arms.stream().mapToDouble(TreatmentArm::getWeight).toArray();
        for (int i = 0; i < 40; i++) {
            var a = json(call(
                    port, "GET", "/api/assignment?agent=" + agent + "&predictor=answer&unit=u" + i, null, "reader"));
            int arm = Assignment.arm(salt, "u" + i, weights);
            assertThat(a.get("variant").asString())
                    .isEqualTo(arm == 0 ? "baseline" : arms.get(arm - 1).getVariant());
            assertThat(a.get("instructionId").asString())
                    .isEqualTo(
                            arm == 0 ? baseline.toString() : arms.get(arm - 1).getInstructionId());
        }

        // in production the second candidate is the best; the first is a little better than the baseline
        Arm[] behaviour = {
            new Arm(0.60, 0.15, 0.97, 300),
            new Arm(0.62, 0.15, 0.97, 300),
            new Arm(0.72, 0.15, 0.97, 300),
            new Arm(0.60, 0.15, 0.97, 300)
        };
        publish(routed(testId, salt, weights, arms, "u", 3000, behaviour, 11));
        awaitStatus(testId, "rolled_out", Duration.ofSeconds(90));

        Map<String, Object> concluded = sql().queryForMap(
                        "SELECT winner::text, conclusion_reason FROM abtest.prompt_ab_tests WHERE test_id = ?", testId);
        assertThat(concluded.get("winner")).isEqualTo("treatment_2");
        assertThat((String) concluded.get("conclusion_reason")).startsWith("arm 2 better");
        // the decisive look: each treatment against the baseline at its Holm level, the best arm first in order
        Integer decisive = sql().queryForObject(
                        "SELECT max(analysis_number) FROM abtest.ab_interim_analyses WHERE test_id = ? AND metric <> 'guardrails'",
                        Integer.class,
                        testId);
        List<Map<String, Object>> perArm = sql().queryForList(
                        "SELECT variant::text AS variant, holm_alpha, p_value, adjusted_p_value, state, ci_lower"
                                + " FROM abtest.ab_arm_analyses WHERE test_id = ? AND analysis_number = ? ORDER BY variant",
                        testId,
                        decisive);
        assertThat(perArm).extracting(r -> r.get("variant")).containsExactly("treatment", "treatment_2", "treatment_3");
        Map<String, Object> best = perArm.get(1);
        assertThat(best.get("state")).isEqualTo("better");
        assertThat((Double) best.get("holm_alpha")).isCloseTo(0.05 / 3, org.assertj.core.api.Assertions.within(1e-12));
        assertThat((Double) best.get("ci_lower")).isPositive();
        assertThat(perArm)
                .extracting(r -> (Double) r.get("holm_alpha"))
                .containsExactlyInAnyOrder(0.05 / 3, 0.025, 0.05);
        for (var r : perArm) {
            assertThat((Double) r.get("adjusted_p_value")).isGreaterThanOrEqualTo((Double) r.get("p_value"));
        }
        assertThat(sql().queryForObject(
                                "SELECT actual_counts::text FROM abtest.ab_srm_checks WHERE test_id = ? ORDER BY checked_at DESC LIMIT 1",
                                String.class,
                                testId))
                .contains("\"treatment_3\"");

        // the winner is the active instruction; routing carries it alone (share 1.0) while it is watched
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            List<InstructionRouting> r = valuesWithKey("instruction-routing", key);
            assertThat(r).extracting(x -> x.getReason().toString()).containsExactly("test_started", "rolled_out");
            InstructionRouting out = r.get(1);
            assertThat(out.getActiveInstructionId()).isEqualTo(second.toString());
            assertThat(out.getTest().getArms()).singleElement().satisfies(a -> {
                assertThat(a.getVariant()).isEqualTo("treatment_2");
                assertThat(a.getWeight()).isEqualTo(1.0);
            });
        });
        // watched at full traffic under its own label, then no longer routed as a test
        publish(routed(
                testId,
                salt,
                new double[] {1.0},
                List.of(arms.get(1)),
                "w",
                250,
                new Arm[] {behaviour[0], behaviour[2]},
                12));
        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> assertThat(sql().queryForObject(
                                        "SELECT monitoring_complete FROM abtest.prompt_ab_tests WHERE test_id = ?",
                                        Boolean.class,
                                        testId))
                        .isTrue());
        assertThat(sql().queryForObject(
                                "SELECT to_instruction_id FROM abtest.rollouts WHERE test_id = ? AND action = 'rollout'",
                                UUID.class,
                                testId))
                .isEqualTo(second);

        List<AbDecisionEvent> decisions = valuesWithKey("ab-decisions", testId.toString());
        var conclusion = (TestConcluded) decisions.get(1).getPayload();
        assertThat(conclusion.getOutcome()).isEqualTo("treatment_wins");
        assertThat(conclusion.getWinner()).isEqualTo("treatment_2");

        // analysts: one row per arm (every test-phase observation counted by now)
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(sql().queryForObject(
                                        "SELECT sum(n) FROM analytics.v_ab_test_arm_results WHERE test_id = ?",
                                        Long.class,
                                        testId))
                        .isEqualTo(3000));
        List<Map<String, Object>> view = sql().queryForList(
                        "SELECT variant::text AS variant, instruction_id, n, is_winner, rolled_out, last_state, rollout_n"
                                + " FROM analytics.v_ab_test_arm_results WHERE test_id = ? ORDER BY arm_index",
                        testId);
        assertThat(view)
                .extracting(r -> r.get("variant"))
                .containsExactly("baseline", "treatment", "treatment_2", "treatment_3");
        assertThat(view.get(2).get("is_winner")).isEqualTo(true);
        assertThat(view.get(2).get("rolled_out")).isEqualTo(true);
        assertThat(view.get(2).get("last_state")).isEqualTo("better");
        assertThat(((Number) view.get(2).get("rollout_n")).longValue()).isPositive();

        // operators: the API shows the arms and each arm's analysis
        var inspected = json(call(port, "GET", "/api/tests/" + testId, null, "reader"));
        assertThat(inspected.get("test").get("arms").size()).isEqualTo(4);
        assertThat(inspected.get("arms").get("treatment_3").get("n").asLong()).isPositive();
        assertThat(inspected.get("armAnalyses").size()).isEqualTo(3);
        assertThat(inspected.get("armAnalyses").get(1).get("variant").asString())
                .isEqualTo("treatment_2");
        assertThat(inspected.get("armAnalyses").get(1).get("state").asString()).isEqualTo("better");
    }

    @Test
    void shouldBlockEveryDecisionOnASampleRatioMismatchOverThreeArms() {
        String agent = "srm3-" + UUID.randomUUID();
        UUID baseline = instruction(agent, "answer", 1, "Answer briefly.", true);
        UUID a = instruction(agent, "answer", 2, "Answer briefly; cite the policy.", false);
        UUID b = instruction(agent, "answer", 3, "Answer in one sentence.", false);
        UUID c = instruction(agent, "answer", 4, "Answer with a list.", false);
        var test = createStarted(
                port,
                "{\"agent\":\"" + agent + "\",\"predictor\":\"answer\",\"baselineInstructionId\":\"" + baseline
                        + "\",\"treatments\":[{\"instructionId\":\"" + a + "\",\"weight\":0.2},{\"instructionId\":\""
                        + b + "\",\"weight\":0.2},{\"instructionId\":\"" + c + "\",\"weight\":0.2}],"
                        + "\"minSamplePerVariant\":100,\"start\":true}");
        UUID testId = UUID.fromString(test.get("testId").asString());
        String salt = test.get("salt").asString();
        assertThat(test.get("trafficSplit").asDouble()).isEqualTo(0.6);
        assertThat(test.get("arms").size()).isEqualTo(4);

        // arm 1 is clearly better, but a logging bug duplicates arm 3's units: 3 arms' counts off their weights
        Arm base = new Arm(0.60, 0.15, 0.97, 300);
        Arm better = new Arm(0.75, 0.15, 0.97, 300);
        double[] weights = {0.2, 0.2, 0.2};
        List<TreatmentArm> arms = List.of(armOf("treatment", a), armOf("treatment_2", b), armOf("treatment_3", c));
        // (each duplicate right after its original, so that every look sees the mismatch)
        List<ObservationRecorded> traffic = new ArrayList<>();
        for (ObservationRecorded o :
                routed(testId, salt, weights, arms, "s", 2500, new Arm[] {base, better, base, base}, 21)) {
            traffic.add(o);
            if (o.getVariant().equals("treatment_3")) {
                traffic.add(observation(testId, "treatment_3", o.getUnitId() + "-dup", new Draw(0.6, true, 300)));
            }
        }
        publish(traffic);

        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> assertThat(sql().queryForObject(
                                        "SELECT srm_alerted FROM abtest.prompt_ab_tests WHERE test_id = ?",
                                        Boolean.class,
                                        testId))
                        .isTrue());
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(sql().queryForObject(
                                        "SELECT coalesce(sum(n), 0) FROM abtest.variant_statistics WHERE test_id = ?",
                                        Long.class,
                                        testId))
                        .isEqualTo(traffic.size()));
        // the look of all the observations (a look and its analyzed_n commit together), not one of a part of them
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(sql().queryForObject(
                                        "SELECT analyzed_n FROM abtest.prompt_ab_tests WHERE test_id = ?",
                                        Long.class,
                                        testId))
                        .isEqualTo(traffic.size()));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            var last = sql().queryForMap(
                            "SELECT decision::text AS decision, details->>'reason' AS reason, srm_p_value,"
                                    + " baseline_n + 0 AS baseline_n FROM abtest.ab_interim_analyses WHERE test_id = ?"
                                    + " ORDER BY analysis_number DESC LIMIT 1",
                            testId);
            assertThat(last.get("decision")).isEqualTo("continue");
            assertThat(last.get("reason")).isEqualTo("srm");
            assertThat((Double) last.get("srm_p_value")).isLessThan(0.001);
        });
        // arm 1 alone would have won; the mismatch keeps the test running
        var armOne = sql().queryForMap(
                        "SELECT state, ci_lower FROM abtest.ab_arm_analyses WHERE test_id = ? AND variant = 'treatment'"
                                + " ORDER BY analysis_number DESC LIMIT 1",
                        testId);
        assertThat(armOne.get("state")).isEqualTo("better");
        assertThat(status(testId)).isEqualTo("running");
        String counts = sql().queryForObject(
                        "SELECT actual_counts::text FROM abtest.ab_srm_checks WHERE test_id = ? ORDER BY checked_at DESC LIMIT 1",
                        String.class,
                        testId);
        assertThat(counts).contains("baseline", "treatment_2", "treatment_3");
    }

    @Test
    void shouldRejectBadMultiArmRequestsClearly() {
        String agent = "bad3-" + UUID.randomUUID();
        UUID baseline = instruction(agent, "answer", 1, "Answer briefly.", true);
        UUID a = instruction(agent, "answer", 2, "A.", false);
        UUID b = instruction(agent, "answer", 3, "B.", false);
        String prefix = "{\"agent\":\"" + agent + "\",\"predictor\":\"answer\",";
        Map<String, String> cases = Map.of(
                prefix + "\"treatmentInstructionId\":\"" + a + "\",\"treatments\":[{\"instructionId\":\"" + b + "\"}]}",
                "not both",
                prefix + "\"treatments\":[{\"instructionId\":\"" + a + "\",\"weight\":0.3},{\"instructionId\":\"" + b
                        + "\"}]}",
                "every treatment or for none",
                prefix + "\"treatments\":[{\"instructionId\":\"" + a + "\"},{\"instructionId\":\"" + a + "\"}]}",
                "different instructions",
                prefix + "\"treatments\":[{\"instructionId\":\"" + a + "\",\"weight\":0.5},{\"instructionId\":\"" + b
                        + "\",\"weight\":0.5}]}",
                "leave the baseline a share",
                prefix + "\"treatments\":[{\"instructionId\":\"" + a + "\"},{\"instructionId\":\"" + b
                        + "\"}],\"method\":\"bayesian\"}",
                "not bayesian",
                prefix + "\"treatments\":[{\"instructionId\":\"" + a + "\",\"weight\":0.333},{\"instructionId\":\"" + b
                        + "\",\"weight\":0.333}]}",
                "two decimals",
                prefix + "\"treatments\":[]}",
                "is required");
        cases.forEach((body, message) -> {
            var response = call(port, "POST", "/api/tests", body, "operator");
            assertThat(response.statusCode()).as(body).isEqualTo(400);
            assertThat(response.body()).as(body).contains(message);
        });
        assertThat(sql().queryForObject(
                                "SELECT count(*) FROM abtest.prompt_ab_tests WHERE agent_name = ?", Long.class, agent))
                .isZero();
    }

    /** Observations of {@code units} units, each routed by the K-arm rule; arm k behaves as {@code behaviour[k]}. */
    private static List<ObservationRecorded> routed(
            UUID testId,
            String salt,
            double[] weights,
            List<TreatmentArm> arms,
            String prefix,
            int units,
            Arm[] behaviour,
            long seed) {
        var random = new SplittableRandom(seed);
        List<ObservationRecorded> out = new ArrayList<>();
        for (int i = 0; i < units; i++) {
            String unit = prefix + i;
            int arm = Assignment.arm(salt, unit, weights);
            String variant = arm == 0 ? "baseline" : arms.get(arm - 1).getVariant();
            out.add(observation(testId, variant, unit, behaviour[arm].draw(random)));
        }
        return out;
    }

    private static TreatmentArm armOf(String variant, UUID instruction) {
        return TreatmentArm.newBuilder()
                .setVariant(variant)
                .setInstructionId(instruction.toString())
                .setVersion(0)
                .setText("")
                .setWeight(0.2)
                .build();
    }
}
