package io.promptloop.abtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.promptloop.abtest.outbox.OutboxBacklog;
import io.promptloop.avro.abtest.AbDecisionEvent;
import io.promptloop.avro.abtest.RolloutChanged;
import io.promptloop.avro.abtest.TestConcluded;
import io.promptloop.avro.abtest.TestStarted;
import io.promptloop.avro.routing.InstructionRouting;
import io.promptloop.schemas.Assignment;
import io.promptloop.support.web.Endpoints;
import io.promptloop.testkit.OpenApiContract;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/** A test from creation to the winner's rollout, as operators, agents and analysts see it. */
@DirtiesContext
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class AbTestLifecycleIT extends AbtestTestSupport {

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    private static String testBody(String agent, String padding) {
        return "{\"agent\":\"" + agent + "\",\"predictor\":\"" + padding + "\"}";
    }

    @Autowired
    @Qualifier("requestMappingHandlerMapping")
    RequestMappingHandlerMapping mappings;

    @Test
    void shouldServeAnOpenApiDescriptionThatShowsEveryEndpoint() {
        var docs = call(port, "GET", "/v3/api-docs", null, "reader");
        assertThat(docs.statusCode()).isEqualTo(200);
        var endpoints = Endpoints.of(mappings);
        assertThat(endpoints).containsKeys("/api/tests", "/api/tests/{id}", "/api/assignment");
        assertThat(OpenApiContract.problems(docs.body(), endpoints)).isEmpty();
    }

    @Autowired
    OutboxBacklog outboxBacklog;

    /**
     * A row the relay cannot publish (an event type it does not know) blocks the outbox: the scrape shows one row
     * waiting and its age (what the PrometheusRule's PromptloopOutboxBacklog alerts on); once it is gone, 0 and 0.
     */
    @Test
    void shouldReportTheOutboxBacklogOnTheScrape() {
        Long stuck = sql().queryForObject(
                        "INSERT INTO abtest.outbox (topic, record_key, value_type, payload, created_at)"
                                + " VALUES ('ab-decisions', 'k', 'io.promptloop.NoSuchEvent', '\\x00'::bytea,"
                                + " now() - interval '10 minutes') RETURNING id",
                        Long.class);
        try {
            outboxBacklog.refresh();
            String scrape = call(managementPort, "GET", "/actuator/prometheus", null, null)
                    .body();
            assertThat(gauge(scrape, "promptloop_outbox_backlog")).isGreaterThanOrEqualTo(1.0);
            assertThat(gauge(scrape, "promptloop_outbox_oldest_age_seconds")).isBetween(600.0, 3600.0);
        } finally {
            sql().update("DELETE FROM abtest.outbox WHERE id = ?", stuck);
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            outboxBacklog.refresh();
            String scrape = call(managementPort, "GET", "/actuator/prometheus", null, null)
                    .body();
            assertThat(gauge(scrape, "promptloop_outbox_backlog")).isZero();
            assertThat(gauge(scrape, "promptloop_outbox_oldest_age_seconds")).isZero();
        });
    }

    private static double gauge(String scrape, String name) {
        return scrape.lines()
                .filter(line -> line.startsWith(name + " ") || line.startsWith(name + "{"))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .findFirst()
                .orElseThrow(() -> new AssertionError(name + " not on the scrape"));
    }

    @Test
    void shouldProtectEveryEndpointButHealthAndRejectBadRequestsClearly() {
        String agent = "guarded-" + UUID.randomUUID();
        UUID baseline = instruction(agent, "answer", 1, "Answer.", true);
        UUID treatment = instruction(agent, "answer", 2, "Answer and cite.", false);
        UUID foreign = instruction("other-" + UUID.randomUUID(), "answer", 1, "Other.", true);

        assertThat(call(managementPort, "GET", "/actuator/health", null, null).statusCode())
                .isEqualTo(200);
        var scrape = call(managementPort, "GET", "/actuator/prometheus", null, null);
        assertThat(scrape.statusCode())
                .as("Prometheus scrapes without credentials")
                .isEqualTo(200);
        assertThat(scrape.body()).contains("jvm_memory_used_bytes");
        assertThat(call(port, "GET", "/actuator/prometheus", null, null).statusCode())
                .as("no metrics on the API port")
                .isIn(401, 404);
        assertThat(call(port, "GET", "/api/tests", null, null).statusCode()).isEqualTo(401);
        assertThat(call(port, "GET", "/api/tests", null, "reader").statusCode()).isEqualTo(200);
        assertThat(call(port, "POST", "/api/tests", testBody(agent, baseline, treatment, ""), "reader")
                        .statusCode())
                .isEqualTo(403);

        // table of bad requests: body → status, words the problem must contain
        record Bad(String body, int status, String says) {}
        List<Bad> bad = List.of(
                new Bad(testBody(agent, baseline, UUID.randomUUID(), ""), 404, "treatment instruction"),
                new Bad(testBody(agent, baseline, foreign, ""), 400, "belongs to"),
                new Bad(testBody(agent, baseline, baseline, ""), 400, "different"),
                new Bad(testBody(agent, baseline, treatment, "\"trafficSplit\":1.5"), 400, "split"),
                new Bad(testBody(agent, baseline, treatment, "\"trafficSplit\":0.333"), 400, "two decimals"),
                new Bad(testBody(agent, baseline, treatment, "\"method\":\"fixed\""), 400, "plannedLooks"),
                new Bad(testBody(agent, baseline, treatment, "\"primaryMetric\":\"revenue\""), 400, "revenue"),
                new Bad(testBody(agent, baseline, treatment, "\"rolloutSteps\":[0.5,0.8]"), 400, "end at 1.0"),
                new Bad(
                        testBody(agent, baseline, treatment, "\"minSamplePerVariant\":500,\"maxSamplePerVariant\":100"),
                        400,
                        "max"),
                new Bad("{\"agent\":", 400, "is not valid JSON"),
                new Bad(
                        testBody(agent, baseline, treatment, "\"trafficSplit\":\"half\""),
                        400,
                        "\"field\":\"trafficSplit\""),
                new Bad(testBody(agent, baseline, treatment, "\"rolloutSteps\":[0.5,\"all\"]"), 400, "rolloutSteps[1]"),
                new Bad(testBody(agent, "x".repeat(2_000_000)), 413, "max-request-size"),
                new Bad("{\"treatmentInstructionId\":\"" + treatment + "\"}", 400, "agent is required"));
        for (Bad b : bad) {
            var response = call(port, "POST", "/api/tests", b.body(), "operator");
            assertThat(response.statusCode())
                    .as(b.body() + " → " + response.body())
                    .isEqualTo(b.status());
            assertThat(response.body()).as(b.body()).containsIgnoringCase(b.says());
        }
        assertThat(call(port, "POST", "/api/tests/" + UUID.randomUUID() + "/start", null, "operator")
                        .statusCode())
                .isEqualTo(404);
        assertThat(call(port, "GET", "/api/tests/not-a-uuid", null, "reader").statusCode())
                .isEqualTo(400);
        assertThat(call(port, "GET", "/api/tests?status=weird", null, "reader").statusCode())
                .isEqualTo(400);

        // one live test per predictor
        var first = createStarted(port, testBody(agent, baseline, treatment, "\"start\":true"));
        UUID third = instruction(agent, "answer", 3, "Answer, cite, be kind.", false);
        var second = json(call(port, "POST", "/api/tests", testBody(agent, baseline, third, ""), "operator"));
        var conflict = call(port, "POST", "/api/tests/" + second.get("testId").asString() + "/start", null, "operator");
        assertThat(conflict.statusCode()).isEqualTo(409);
        assertThat(conflict.body()).contains(first.get("testId").asString());
        // stopping returns everyone to the baseline
        var stopped = call(port, "POST", "/api/tests/" + first.get("testId").asString() + "/stop", null, "operator");
        assertThat(stopped.statusCode()).as(stopped.body()).isEqualTo(200);
        assertThat(json(stopped).get("status").asString()).isEqualTo("STOPPED");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            List<InstructionRouting> routing = valuesWithKey("instruction-routing", agent + "/answer");
            assertThat(routing)
                    .extracting(r -> r.getReason().toString())
                    .containsExactly("test_started", "test_stopped");
            assertThat(routing.getLast().getTest()).isNull();
            assertThat(routing.getLast().getActiveInstructionId()).isEqualTo(baseline.toString());
        });
    }

    @Test
    void shouldFindTheWinnerRollItOutInStepsAndRouteAgentsToIt() {
        String agent = "support-" + UUID.randomUUID();
        String key = agent + "/answer";
        UUID baseline = instruction(agent, "answer", 1, "Answer briefly.", true);
        UUID treatment = instruction(agent, "answer", 2, "Answer briefly and cite the policy section.", false);
        var test = createStarted(
                port,
                testBody(
                        agent,
                        baseline,
                        treatment,
                        "\"minSamplePerVariant\":100,\"maxSamplePerVariant\":5000,\"rolloutSteps\":[0.5,1.0],"
                                + "\"rolloutStepObservations\":100,\"start\":true"));
        UUID testId = UUID.fromString(test.get("testId").asString());
        String salt = test.get("salt").asString();
        assertThat(test.get("status").asString()).isEqualTo("RUNNING");

        // agents learn the split from the compacted routing topic ...
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            List<InstructionRouting> routing = valuesWithKey("instruction-routing", key);
            assertThat(routing).hasSize(1);
            var r = routing.getFirst();
            assertThat(r.getActiveInstructionId()).isEqualTo(baseline.toString());
            assertThat(r.getInstructionHash()).isEqualTo(sha256("Answer briefly."));
            assertThat(r.getTest().getTestId()).isEqualTo(testId.toString());
            assertThat(r.getTest().getSalt()).isEqualTo(salt);
            assertThat(r.getTest().getTrafficSplit()).isEqualTo(0.5);
            assertThat(r.getTest().getTreatmentText()).isEqualTo("Answer briefly and cite the policy section.");
        });
        // ... and the HTTP endpoint answers the same rule
        for (int i = 0; i < 20; i++) {
            var a = json(call(
                    port, "GET", "/api/assignment?agent=" + agent + "&predictor=answer&unit=u" + i, null, "reader"));
            boolean treated = Assignment.isTreatment(salt, "u" + i, 0.5);
            assertThat(a.get("variant").asString()).isEqualTo(treated ? "treatment" : "baseline");
            assertThat(a.get("instructionId").asString()).isEqualTo((treated ? treatment : baseline).toString());
        }

        // the treatment is better: the test concludes for it and the rollout's first step routes half the traffic
        publish(traffic(
                testId, salt, 0.5, "u", 1500, new Arm(0.60, 0.15, 0.97, 300), new Arm(0.72, 0.15, 0.97, 300), 1));
        awaitStatus(testId, "rolling_out", Duration.ofSeconds(60));
        Map<String, Object> concluded = sql().queryForMap(
                        "SELECT winner::text, p_value, rolled_out, conclusion_reason, concluded_at FROM abtest.prompt_ab_tests"
                                + " WHERE test_id = ?",
                        testId);
        assertThat(concluded.get("winner")).isEqualTo("treatment");
        assertThat(((Number) concluded.get("p_value")).doubleValue()).isLessThan(0.05);
        assertThat(concluded.get("rolled_out")).isEqualTo(false);
        var lastLook = sql().queryForMap(
                        "SELECT decision::text, ci_lower, ci_upper, chance_to_win, srm_p_value FROM abtest.ab_interim_analyses"
                                // the decisive look: observations counted after it are rollout watches
                                + " WHERE test_id = ? AND metric <> 'guardrails' ORDER BY analysis_number DESC LIMIT 1",
                        testId);
        assertThat(lastLook.get("decision")).isEqualTo("stop_efficacy");
        assertThat(((Number) lastLook.get("ci_lower")).doubleValue()).isPositive();
        assertThat(((Number) lastLook.get("chance_to_win")).doubleValue()).isGreaterThan(0.95);
        assertThat(((Number) lastLook.get("srm_p_value")).doubleValue()).isGreaterThan(0.001);
        assertThat(sql().queryForObject(
                                "SELECT count(*) FROM abtest.ab_srm_checks WHERE test_id = ?", Long.class, testId))
                .isPositive();

        // rollout step 1: half the units get the winner, guardrails watched; then all of it
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(valuesWithKey("instruction-routing", key))
                        .extracting(r -> ((InstructionRouting) r).getReason().toString())
                        .contains("rollout_step"));
        publish(traffic(
                testId, salt, 0.5, "r", 400, new Arm(0.60, 0.15, 0.97, 300), new Arm(0.72, 0.15, 0.97, 300), 2));
        awaitStatus(testId, "rolled_out", Duration.ofSeconds(60));
        // watched at full traffic, then no longer routed as a test
        publish(traffic(
                testId, salt, 1.0, "w", 150, new Arm(0.60, 0.15, 0.97, 300), new Arm(0.72, 0.15, 0.97, 300), 3));
        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> assertThat(sql().queryForObject(
                                        "SELECT monitoring_complete FROM abtest.prompt_ab_tests WHERE test_id = ?",
                                        Boolean.class,
                                        testId))
                        .isTrue());

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            List<InstructionRouting> routing = valuesWithKey("instruction-routing", key);
            assertThat(routing)
                    .extracting(r -> r.getReason().toString())
                    .containsExactly("test_started", "rollout_step", "rolled_out", "monitoring_complete");
            assertThat(routing.get(1).getActiveInstructionId()).isEqualTo(baseline.toString());
            assertThat(routing.get(1).getTest().getTrafficSplit()).isEqualTo(0.5);
            assertThat(routing.get(2).getActiveInstructionId()).isEqualTo(treatment.toString());
            assertThat(routing.get(2).getTest().getTrafficSplit()).isEqualTo(1.0);
            assertThat(routing.get(3).getActiveInstructionId()).isEqualTo(treatment.toString());
            assertThat(routing.get(3).getTest()).isNull();
        });
        List<AbDecisionEvent> decisions = valuesWithKey("ab-decisions", testId.toString());
        assertThat(decisions)
                .extracting(d -> d.getPayload().getClass().getSimpleName())
                .containsExactly("TestStarted", "TestConcluded", "RolloutChanged", "RolloutChanged");
        assertThat(((TestStarted) decisions.get(0).getPayload()).getTrafficSplit())
                .isEqualTo(0.5);
        var conclusion = (TestConcluded) decisions.get(1).getPayload();
        assertThat(conclusion.getOutcome()).isEqualTo("treatment_wins");
        assertThat(conclusion.getWinner()).isEqualTo("treatment");
        assertThat(conclusion.getCiLower()).isPositive();
        assertThat(conclusion.getBaselineCount() + conclusion.getTreatmentCount())
                .isLessThanOrEqualTo(1500);
        assertThat(((RolloutChanged) decisions.get(3).getPayload()).getReason()).isEqualTo("rolled_out");

        assertThat(sql().queryForList(
                                "SELECT action FROM abtest.rollouts WHERE test_id = ? ORDER BY created_at",
                                String.class,
                                testId))
                .containsExactly("step", "rollout");
        assertThat(sql().queryForList(
                                "SELECT reason FROM abtest.routing_changes WHERE test_id = ? OR (agent_name = ? AND test_id IS NULL)"
                                        + " ORDER BY created_at",
                                String.class,
                                testId,
                                agent))
                .containsExactly("test_started", "rollout_step", "rolled_out", "monitoring_complete");
        var view = sql().queryForMap(
                        "SELECT status::text, winner::text, rolled_out, baseline_n, treatment_n, last_decision::text,"
                                + " monitoring_complete, rollout_treatment_n, last_guardrails_ok"
                                + " FROM analytics.v_ab_test_results WHERE test_id = ?",
                        testId);
        assertThat(view.get("winner")).isEqualTo("treatment");
        assertThat(view.get("last_decision"))
                .as("the decisive look, not a rollout watch")
                .isEqualTo("stop_efficacy");
        assertThat(view.get("monitoring_complete")).isEqualTo(true);
        assertThat(((Number) view.get("rollout_treatment_n")).longValue()).isPositive();
        assertThat(view.get("last_guardrails_ok")).isEqualTo(true);
        assertThat(view.get("rolled_out")).isEqualTo(true);
        assertThat(((Number) view.get("baseline_n")).longValue() + ((Number) view.get("treatment_n")).longValue())
                .isEqualTo(1500);

        var inspected = json(call(port, "GET", "/api/tests/" + testId, null, "reader"));
        assertThat(inspected.get("arms").get("treatment").get("meanScore").asDouble())
                .isBetween(0.68, 0.76);
        assertThat(inspected
                        .get("arms")
                        .get("treatment")
                        .get("latencyQuantilesMs")
                        .get("p95")
                        .asDouble())
                .isBetween(330.0, 480.0);
        assertThat(inspected.get("rolloutArms").get("treatment").get("n").asLong())
                .isPositive();
        assertThat(inspected.get("analysis").get("decision").asString()).isEqualTo("STOP_EFFICACY");
    }
}
