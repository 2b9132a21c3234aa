package io.promptloop.abtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.promptloop.avro.routing.InstructionRouting;
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
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/**
 * An operator activates an instruction version by hand: refused while a test is live for the predictor (409, the
 * test named), unknown versions 404; otherwise the routing topic and {@code routing_changes} name the version, with
 * the reason {@code activated_by_operator}.
 */
@DirtiesContext
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class InstructionActivationIT extends AbtestTestSupport {

    @LocalServerPort
    int port;

    @Autowired
    io.micrometer.core.instrument.MeterRegistry meters;

    @Autowired
    @Qualifier("requestMappingHandlerMapping")
    RequestMappingHandlerMapping mappings;

    @Test
    void shouldRefuseActivationWhileATestIsLiveAndRouteEveryoneToTheVersionOtherwise() {
        String agent = "activate-" + UUID.randomUUID();
        String key = agent + "/answer";
        UUID baseline = instruction(agent, "answer", 1, "Answer.", true);
        UUID treatment = instruction(agent, "answer", 2, "Answer and cite the source.", false);
        String activate = "/api/instructions/" + treatment + "/activate";

        // who may, and what is not there (table: user, path → status)
        record Call(String user, String path, int status) {}
        for (Call c : List.of(
                new Call(null, activate, 401),
                new Call("reader", activate, 403),
                new Call("operator", "/api/instructions/" + UUID.randomUUID() + "/activate", 404),
                new Call("operator", "/api/instructions/not-a-uuid/activate", 400))) {
            var response = call(port, "POST", c.path(), null, c.user());
            assertThat(response.statusCode()).as(c + " → " + response.body()).isEqualTo(c.status());
        }
        var unknown = call(port, "POST", "/api/instructions/" + UUID.randomUUID() + "/activate", null, "operator");
        assertThat(json(unknown).get("detail").asString()).contains("is unknown");

        // a live test owns the routing: 409, naming it; nothing published
        var test = createStarted(port, testBody(agent, baseline, treatment, "\"start\":true"));
        String testId = test.get("testId").asString();
        var refused = call(port, "POST", activate, null, "operator");
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(409);
        assertThat(refused.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).contains("application/problem+json"));
        assertThat(json(refused).get("detail").asString()).contains(testId).contains("stop it or roll it back");

        // the test stopped: the version is routed to everyone, recorded and published with its reason
        assertThat(call(port, "POST", "/api/tests/" + testId + "/stop", null, "operator")
                        .statusCode())
                .isEqualTo(200);
        var activated = call(port, "POST", activate, null, "operator");
        assertThat(activated.statusCode()).as(activated.body()).isEqualTo(200);
        var body = json(activated);
        assertThat(body.get("instructionId").asString()).isEqualTo(treatment.toString());
        assertThat(body.get("version").asInt()).isEqualTo(2);
        assertThat(body.get("previousInstructionId").asString()).isEqualTo(baseline.toString());
        assertThat(body.get("reason").asString()).isEqualTo("activated_by_operator");

        Map<String, Object> change = sql().queryForMap(
                        "SELECT active_instruction_id, test_id, traffic_split, reason FROM abtest.routing_changes"
                                + " WHERE agent_name = ? AND predictor_name = 'answer' ORDER BY created_at DESC LIMIT 1",
                        agent);
        assertThat(change.get("active_instruction_id")).isEqualTo(treatment);
        assertThat(change.get("test_id")).isNull();
        assertThat(change.get("traffic_split")).isNull();
        assertThat(change.get("reason")).isEqualTo("activated_by_operator");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            List<InstructionRouting> routing = valuesWithKey("instruction-routing", key);
            assertThat(routing)
                    .extracting(r -> r.getReason().toString())
                    .containsExactly("test_started", "test_stopped", "activated_by_operator");
            InstructionRouting last = routing.getLast();
            assertThat(last.getActiveInstructionId()).isEqualTo(treatment.toString());
            assertThat(last.getActiveVersion()).isEqualTo(2);
            assertThat(last.getInstructionText()).isEqualTo("Answer and cite the source.");
            assertThat(last.getInstructionHash()).isEqualTo(sha256("Answer and cite the source."));
            assertThat(last.getTest()).isNull();
        });
    }

    @Test
    void shouldNotLetARunThatMeasuredAgainstTheOldBaselineUndoAnActivationByHand() {
        // A run started while v1 was served; an operator then routes everyone to v3. The run completes with a gain
        // over v1: a test of it would route units back to v1, so it is skipped. A run measured against v3 is tested.
        String agent = "stale-run-" + UUID.randomUUID();
        UUID v1 = instruction(agent, "answer", 1, "Answer.", true);
        UUID v2 = instruction(agent, "answer", 2, "Answer and cite the policy.", false);
        UUID v3 = instruction(agent, "answer", 3, "Answer briefly.", false);
        assertThat(call(port, "POST", "/api/instructions/" + v3 + "/activate", null, "operator")
                        .statusCode())
                .isEqualTo(200);
        double skippedBefore = skipped("baseline_not_active");

        UUID staleRun = UUID.randomUUID();
        send("optimizer-events", staleRun.toString(), completed(agent, staleRun, v1, v2, 25.0));
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(skipped("baseline_not_active")).isEqualTo(skippedBefore + 1));
        assertThat(sql().queryForObject(
                                "SELECT count(*) FROM abtest.prompt_ab_tests WHERE source_run_id = ?",
                                Long.class,
                                staleRun))
                .isZero();

        UUID freshRun = UUID.randomUUID();
        send("optimizer-events", freshRun.toString(), completed(agent, freshRun, v3, v2, 25.0));
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(sql().queryForList(
                                        "SELECT baseline_instruction_id FROM abtest.prompt_ab_tests"
                                                + " WHERE source_run_id = ? AND status = 'running'",
                                        UUID.class,
                                        freshRun))
                        .containsExactly(v3));
        assertThat(sql().queryForList(
                                "SELECT reason FROM abtest.routing_changes WHERE agent_name = ? ORDER BY created_at",
                                String.class,
                                agent))
                .containsExactly("activated_by_operator", "test_started");
    }

    private double skipped(String reason) {
        return meters.counter("promptloop.abtest.runs.skipped", "reason", reason)
                .count();
    }

    @Test
    void shouldDescribeTheActivationInTheOpenApiContract() {
        var docs = call(port, "GET", "/v3/api-docs", null, "reader");
        assertThat(docs.statusCode()).isEqualTo(200);
        var endpoints = Endpoints.of(mappings);
        assertThat(endpoints).containsKey("/api/instructions/{id}/activate");
        assertThat(OpenApiContract.problems(docs.body(), endpoints)).isEmpty();
    }
}
