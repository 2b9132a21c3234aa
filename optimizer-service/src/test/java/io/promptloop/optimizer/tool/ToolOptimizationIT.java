package io.promptloop.optimizer.tool;

import static org.assertj.core.api.Assertions.assertThat;

import io.promptloop.optimizer.OptimizerTestSupport;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;

/**
 * Tool-description optimization end to end: an operator registers an agent's tool descriptions, a GEPA run with
 * tool optimization on sends each candidate's descriptions with its evaluation requests, the simulated agent
 * grades every tool against its hidden rubric as a pseudo-predictor, the reflections evolve instruction and
 * descriptions together, and the best candidate's descriptions are written to {@code optimized_tool_descriptions}
 * with the run and its score.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext
class ToolOptimizationIT extends OptimizerTestSupport {

    private static final String SEARCH = "Searches the HR policy corpus.";
    private static final String LOOKUP = "Looks up an employee record.";

    @LocalServerPort
    int port;

    @Test
    void shouldEvolveTheToolDescriptionsWithTheInstructionAndStoreTheBest() {
        String agent = "tools-" + UUID.randomUUID().toString().substring(0, 8);
        try (var evaluator = evaluator(agent, 0)) {
            seedExamples(evaluator, agent, 40);
            registerBaseline(port, agent);
            UUID search = registerTool(agent, "search_policy", SEARCH);
            UUID lookup = registerTool(agent, "lookup_employee", LOOKUP);

            UUID run = startRun(
                    port,
                    "{\"agent\":\"" + agent
                            + "\",\"predictor\":\"answer\",\"budget\":\"custom\",\"maxMetricCalls\":200,\"seed\":1,\"toolOptimization\":true}");
            Map<String, Object> done = awaitRun(run, Duration.ofMinutes(5));

            assertThat(done.get("status")).as("%s", done.get("error_message")).isEqualTo("completed");
            assertThat(done.get("enable_tool_optimization")).isEqualTo(true);
            double baseline = ((BigDecimal) done.get("baseline_score")).doubleValue();
            double optimized = ((BigDecimal) done.get("optimized_score")).doubleValue();
            System.out.printf("tool optimization: baseline %.4f -> %.4f%n", baseline, optimized);
            assertThat(optimized).isGreaterThan(baseline + 0.2);

            // the seed carries the registered descriptions, and the candidates evolved them
            assertThat(sql().queryForObject(
                                    "SELECT tool_descriptions->>'search_policy' FROM optimizer.candidates WHERE run_id = ? AND candidate_index = 0",
                                    String.class,
                                    run))
                    .isEqualTo(SEARCH);
            // the best descriptions, learned from feedback that names each tool, are new versions of the run
            List<Map<String, Object>> written = sql().queryForList(
                            "SELECT * FROM optimizer.optimized_tool_descriptions WHERE run_id = ? ORDER BY tool_name",
                            run);
            assertThat(written).extracting(r -> r.get("tool_name")).containsExactly("lookup_employee", "search_policy");
            for (Map<String, Object> row : written) {
                String tool = (String) row.get("tool_name");
                assertThat((String) row.get("description_text"))
                        .startsWith(tool.equals("search_policy") ? SEARCH : LOOKUP)
                        .contains("- " + tool + ": ");
                assertThat(row.get("original_description")).isEqualTo(tool.equals("search_policy") ? SEARCH : LOOKUP);
                assertThat(((BigDecimal) row.get("tool_selection_accuracy")).doubleValue())
                        .isEqualTo(optimized);
                assertThat(row.get("is_active")).isEqualTo(false); // the registered baselines stay active
            }
            assertThat(activeTools(agent)).containsExactlyInAnyOrder(search, lookup);
            // the best candidate's descriptions are exactly what was written
            String bestTools = sql().queryForObject(
                            "SELECT c.tool_descriptions->>'search_policy' FROM optimizer.candidates c"
                                    + " JOIN optimizer.optimized_instructions i ON i.candidate_id = c.candidate_id WHERE c.run_id = ?",
                            String.class,
                            run);
            assertThat(written.get(1).get("description_text")).isEqualTo(bestTools);

            var detail = call(port, "GET", "/api/runs/" + run, null, "reader");
            assertThat(detail.body()).contains("\"toolDescriptions\"", "search_policy: ");
        }
    }

    @Test
    void shouldKeepOneActiveDescriptionPerToolAndRejectBadInput() {
        String agent = "tools-" + UUID.randomUUID().toString().substring(0, 8);
        UUID first = registerTool(agent, "search_policy", SEARCH);
        // the same text again is the same version
        assertThat(registerTool(agent, "search_policy", SEARCH)).isEqualTo(first);
        var second = call(
                port,
                "POST",
                "/api/tools",
                "{\"agent\":\"" + agent
                        + "\",\"tool\":\"search_policy\",\"description\":\"Searches policies.\",\"activate\":true}",
                "operator");
        assertThat(second.statusCode()).isEqualTo(201);
        assertThat(activeTools(agent)).containsExactly(id(second.body()));

        assertThat(call(
                                port,
                                "POST",
                                "/api/tools",
                                "{\"agent\":\"" + agent + "\",\"tool\":\"bad name\",\"description\":\"x\"}",
                                "operator")
                        .body())
                .contains("tool is required: 1..100 characters");
        assertThat(call(
                                port,
                                "POST",
                                "/api/tools",
                                "{\"agent\":\"" + agent + "\",\"tool\":\"t\",\"description\":\" \"}",
                                "operator")
                        .statusCode())
                .isEqualTo(400);
        assertThat(call(
                                port,
                                "POST",
                                "/api/tools",
                                "{\"agent\":\"" + agent + "\",\"tool\":\"t\",\"description\":\"x\"}",
                                "reader")
                        .statusCode())
                .isEqualTo(403);
        assertThat(call(port, "GET", "/api/tools?agent=" + agent, null, "reader")
                        .body())
                .contains("Searches policies.", SEARCH);

        // a run with tool optimization needs registered descriptions
        String bare = "bare-" + UUID.randomUUID().toString().substring(0, 8);
        registerBaseline(port, bare);
        var rejected = call(
                port,
                "POST",
                "/api/runs",
                "{\"agent\":\"" + bare + "\",\"predictor\":\"answer\",\"toolOptimization\":true}",
                "operator");
        assertThat(rejected.statusCode()).isEqualTo(409);
        assertThat(rejected.body()).contains("has no active tool descriptions");
    }

    private UUID registerTool(String agent, String tool, String description) {
        var response = call(
                port,
                "POST",
                "/api/tools",
                "{\"agent\":\"" + agent + "\",\"tool\":\"" + tool + "\",\"description\":\"" + description + "\"}",
                "operator");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        return id(response.body());
    }

    private static UUID id(String body) {
        return UUID.fromString(body.replaceAll(".*\"id\":\"([0-9a-f-]{36})\".*", "$1"));
    }

    private static List<UUID> activeTools(String agent) {
        return sql().queryForList(
                        "SELECT tool_description_id FROM optimizer.optimized_tool_descriptions WHERE agent_name = ? AND is_active",
                        UUID.class,
                        agent);
    }
}
