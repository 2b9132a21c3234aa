package io.promptloop.optimizer.instruction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.promptloop.avro.common.AgentRef;
import io.promptloop.avro.evaluation.EvaluationRecorded;
import io.promptloop.avro.evaluation.EvaluationScores;
import io.promptloop.avro.evaluation.EvaluatorKind;
import io.promptloop.avro.routing.InstructionRouting;
import io.promptloop.optimizer.OptimizerTestSupport;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;

/** The active pointer follows the routing topic; answers to unknown requests are counted, never fatal. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext
class RoutingAndAnswersIT extends OptimizerTestSupport {

    @LocalServerPort
    int port;

    @Autowired
    MeterRegistry meters;

    @Test
    void shouldMoveTheActivePointerToTheRoutedInstruction() throws Exception {
        String agent = "route-" + UUID.randomUUID().toString().substring(0, 8);
        registerBaseline(port, agent);
        var second = call(
                port,
                "POST",
                "/api/instructions",
                "{\"agent\":\"" + agent
                        + "\",\"predictor\":\"answer\",\"text\":\"A better instruction.\",\"activate\":false}",
                "operator");
        assertThat(second.statusCode()).isEqualTo(201);
        UUID secondId = UUID.fromString(second.body().replaceAll(".*\"id\":\"([0-9a-f-]{36})\".*", "$1"));
        assertThat(activeOf(agent)).isNotEqualTo(secondId);

        publish(
                "instruction-routing",
                agent + "/answer",
                InstructionRouting.newBuilder()
                        .setEventId(UUID.randomUUID().toString())
                        .setOccurredAt(Instant.now())
                        .setAgent(new AgentRef(agent, "answer"))
                        .setActiveInstructionId(secondId.toString())
                        .setActiveVersion(2)
                        .setInstructionText("A better instruction.")
                        .setInstructionHash("0".repeat(64))
                        .setTest(null)
                        .setReason("rolled_out")
                        .build());

        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(activeOf(agent)).isEqualTo(secondId));
        assertThat(sql().queryForObject(
                                "SELECT count(*) FROM optimizer.optimized_instructions WHERE agent_name = ? AND is_active",
                                Integer.class,
                                agent))
                .isEqualTo(1);
    }

    @Test
    void shouldCountAnAnswerToAnUnknownRequestAndGoOn() throws Exception {
        double before = ignored("unknown_request");
        publish(
                "agent-evaluations",
                "x/answer",
                EvaluationRecorded.newBuilder()
                        .setEventId(UUID.randomUUID().toString())
                        .setOccurredAt(Instant.now())
                        .setAgent(new AgentRef("x", "answer"))
                        .setExampleId("hr-001")
                        .setInput("q")
                        .setOutput("a")
                        .setScores(EvaluationScores.newBuilder().build())
                        .setOverallScore(0.5)
                        .setEvaluator(EvaluatorKind.AGENT)
                        .setRunId(UUID.randomUUID().toString())
                        .setCandidateId(UUID.randomUUID().toString())
                        .setRequestId(UUID.randomUUID().toString())
                        .build());
        await().atMost(Duration.ofSeconds(30)).until(() -> ignored("unknown_request") > before);
    }

    private double ignored(String reason) {
        var counter = meters.find("promptloop.optimizer.events.ignored")
                .tag("reason", reason)
                .counter();
        return counter == null ? 0 : counter.count();
    }

    private static UUID activeOf(String agent) {
        List<UUID> ids = sql().queryForList(
                        "SELECT instruction_id FROM optimizer.optimized_instructions WHERE agent_name = ? AND is_active",
                        UUID.class,
                        agent);
        return ids.isEmpty() ? null : ids.getFirst();
    }
}
