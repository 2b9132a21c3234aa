package io.promptloop.optimizer.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.promptloop.optimizer.OptimizerTestSupport;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;

/**
 * End to end on real Kafka, PostgreSQL and registry: examples arrive as evaluations, runs request candidate
 * evaluations over Kafka, a simulated agent scores them against a hidden rubric, and the best candidate becomes a
 * new instruction version with its lineage.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext // its workers would otherwise step the runs of tests that play other replicas
class OptimizationRunIT extends OptimizerTestSupport {

    @LocalServerPort
    int port;

    @Test
    void shouldRaiseTheValidationScoreWellAboveTheBaselineAndAboveBootstrapFewShot() {
        String agent = "hr-" + UUID.randomUUID().toString().substring(0, 8);
        try (var evaluator = evaluator(agent, 0)) {
            seedExamples(evaluator, agent, 40);
            registerBaseline(port, agent);
            UUID gepa = startRun(
                    port,
                    "{\"agent\":\"" + agent
                            + "\",\"predictor\":\"answer\",\"optimizer\":\"gepa\",\"budget\":\"custom\",\"maxMetricCalls\":150,\"seed\":1}");
            UUID bootstrap = startRun(
                    port,
                    "{\"agent\":\"" + agent
                            + "\",\"predictor\":\"answer\",\"optimizer\":\"bootstrap_fewshot\",\"budget\":\"custom\",\"maxMetricCalls\":150,\"seed\":1}");

            Map<String, Object> g = awaitRun(gepa, Duration.ofMinutes(4));
            Map<String, Object> b = awaitRun(bootstrap, Duration.ofMinutes(4));

            assertThat(g.get("status"))
                    .as("gepa run: %s", g.get("error_message"))
                    .isEqualTo("completed");
            assertThat(b.get("status"))
                    .as("bootstrap run: %s", b.get("error_message"))
                    .isEqualTo("completed");
            double baseline = ((BigDecimal) g.get("baseline_score")).doubleValue();
            double gepaScore = ((BigDecimal) g.get("optimized_score")).doubleValue();
            double bootstrapScore = ((BigDecimal) b.get("optimized_score")).doubleValue();
            System.out.printf(
                    "baseline %.4f, gepa %.4f, bootstrap %.4f (budget 150 metric calls each)%n",
                    baseline, gepaScore, bootstrapScore);
            assertThat(gepaScore).isGreaterThan(baseline + 0.25);
            assertThat(gepaScore).isGreaterThan(bootstrapScore);
            assertThat((Integer) g.get("metric_calls_spent")).isLessThanOrEqualTo(150 + 3 + 40);

            // the new version, its lineage and the candidates' parents are stored
            Map<String, Object> instruction = sql().queryForMap(
                            "SELECT * FROM optimizer.optimized_instructions WHERE instruction_id = ?",
                            g.get("result_instruction_id"));
            assertThat(instruction.get("optimizer_type").toString()).isEqualTo("gepa");
            assertThat((Integer) instruction.get("version"))
                    .isGreaterThanOrEqualTo(2); // the bootstrap run may register one too
            assertThat(sql().queryForObject(
                                    "SELECT parent_instruction_ids[1] FROM optimizer.optimized_instructions WHERE instruction_id = ?",
                                    UUID.class,
                                    g.get("result_instruction_id")))
                    .isEqualTo(sql().queryForObject(
                                    "SELECT baseline_instruction_id FROM optimizer.prompt_optimization_runs WHERE run_id = ?",
                                    UUID.class,
                                    gepa));
            assertThat(instruction.get("is_active")).isEqualTo(false); // the A/B test decides
            assertThat(sql().queryForObject(
                                    "SELECT cardinality(parent_indices) FROM optimizer.optimized_instructions WHERE instruction_id = ?",
                                    Integer.class,
                                    g.get("result_instruction_id")))
                    .isGreaterThanOrEqualTo(1);
            assertThat(sql().queryForObject(
                                    "SELECT count(*) FROM optimizer.candidates WHERE run_id = ? AND origin = 'reflection' AND cardinality(parent_candidate_ids) = 1",
                                    Integer.class,
                                    gepa))
                    .isGreaterThan(0);
            assertThat(sql().queryForObject(
                                    "SELECT count(*) FROM optimizer.weakness_analyses WHERE run_id = ?",
                                    Integer.class,
                                    gepa))
                    .isGreaterThan(0);

            var detail = call(port, "GET", "/api/runs/" + gepa, null, "reader");
            assertThat(detail.statusCode()).isEqualTo(200);
            assertThat(detail.body()).contains("\"paretoFront\"", "\"metricCallsSpent\"", "\"parents\"");
        }
    }

    @Test
    void shouldRejectBadRunRequestsClearly() {
        assertThat(call(port, "POST", "/api/runs", "{\"agent\":\"nobody-" + UUID.randomUUID() + "\"}", "operator")
                        .body())
                .contains("has no active instruction");
        var budget = call(
                port, "POST", "/api/runs", "{\"agent\":\"x\",\"budget\":\"custom\",\"maxMetricCalls\":0}", "operator");
        assertThat(budget.statusCode()).isEqualTo(400);
        assertThat(budget.body()).contains("maxMetricCalls within 1..100000");
        assertThat(call(port, "POST", "/api/runs", "{\"agent\":\"x\",\"budget\":\"huge\"}", "operator")
                        .body())
                .contains("budget must be light, medium, heavy or custom");
        assertThat(call(port, "POST", "/api/runs", "{\"agent\":\"x\"}", "reader")
                        .statusCode())
                .isEqualTo(403);
        assertThat(call(port, "POST", "/api/runs", "{\"agent\":\"x\"}", null).statusCode())
                .isEqualTo(401);
        assertThat(call(port, "GET", "/api/runs/" + UUID.randomUUID(), null, "reader")
                        .statusCode())
                .isEqualTo(404);
    }

    @Test
    void shouldRetryUnansweredRequestsAndStillFinish() {
        String agent = "hr-" + UUID.randomUUID().toString().substring(0, 8);
        try (var evaluator = evaluator(agent, 0.3)) { // ignores 30 % of requests: time-outs and re-sends
            seedExamples(evaluator, agent, 30);
            registerBaseline(port, agent);
            UUID run = startRun(
                    port,
                    "{\"agent\":\"" + agent
                            + "\",\"predictor\":\"answer\",\"budget\":\"custom\",\"maxMetricCalls\":60,\"seed\":3}");
            Map<String, Object> done = awaitRun(run, Duration.ofMinutes(4));
            assertThat(done.get("status")).as("%s", done.get("error_message")).isEqualTo("completed");
            assertThat(sql().queryForObject(
                                    "SELECT max(attempt) FROM optimizer.evaluation_requests WHERE run_id = ?",
                                    Integer.class,
                                    run))
                    .isGreaterThan(1);
            assertThat(evaluator.stats().requestsIgnored()).isGreaterThan(0);
        }
    }
}
