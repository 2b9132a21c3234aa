package io.promptloop.optimizer.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.promptloop.avro.common.AgentRef;
import io.promptloop.avro.routing.InstructionRouting;
import io.promptloop.avro.routing.RunningTest;
import io.promptloop.optimizer.OptimizerTestSupport;
import io.promptloop.optimizer.run.domain.AutoRunRule;
import io.promptloop.optimizer.run.domain.AutoRunRule.Verdict;
import io.promptloop.testkit.agent.SimulatedEvaluator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The automatic run policy on real Kafka and PostgreSQL: enough new low-score feedback starts exactly one run
 * (even when two replicas ask at once); nothing starts while a run is in flight, without new feedback, or while
 * the routing topic says an A/B test is in flight; a run starts once the routing says the test has ended.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext
class AutoRunPolicyIT extends OptimizerTestSupport {

    @DynamicPropertySource
    static void policy(DynamicPropertyRegistry registry) {
        registry.add("promptloop.optimizer.policy.enabled", () -> "true");
        registry.add("promptloop.optimizer.policy.interval", () -> "1h"); // the test asks the policy itself
        registry.add("promptloop.optimizer.policy.min-low-score-examples", () -> "10");
    }

    @LocalServerPort
    int port;

    @Autowired
    AutoRunPolicy policy;

    @Autowired
    RunService runs;

    @Test
    void shouldStartOneRunOnNewLowScoreFeedbackAndNoneWhileARunOrATestIsInFlight() throws Exception {
        String agent = "policy-" + UUID.randomUUID().toString().substring(0, 8);
        // publishes the agent's production evaluations but answers no request: the policy's runs just wait
        try (var agentEvents = new SimulatedEvaluator(SimulatedEvaluator.Settings.of(
                INFRA.kafkaBootstrapServers(), INFRA.registry().apiV3Url()))) {
            UUID baseline = registerBaselineId(port, agent);
            seedExamples(agentEvents, agent, 40); // about 30 of them score below 0.7
            assertThat(verdict(agent)).isEqualTo(Verdict.START);

            // two replicas ask at the same moment: exactly one run starts
            List<AutoRunPolicy.Started> started = startConcurrently(2);
            assertThat(started).filteredOn(s -> s.agent().equals(agent)).hasSize(1);
            UUID first = started.stream()
                    .filter(s -> s.agent().equals(agent))
                    .findFirst()
                    .orElseThrow()
                    .runId();
            assertThat(runsOf(agent)).containsExactly(first);
            assertThat(sql().queryForObject(
                                    "SELECT trigger_reason FROM optimizer.prompt_optimization_runs WHERE run_id = ?",
                                    String.class,
                                    first))
                    .isEqualTo("policy");

            // a run in flight: none
            assertThat(verdict(agent)).isEqualTo(Verdict.RUN_IN_FLIGHT);
            assertThat(startedFor(agent)).isEmpty();

            // the run is over, but no feedback arrived since it began: none
            runs.cancel(first, "test");
            assertThat(verdict(agent)).isEqualTo(Verdict.NOT_ENOUGH_FEEDBACK);
            assertThat(startedFor(agent)).isEmpty();

            // new low-score feedback arrives while the routing says an A/B test is in flight: none
            String testId = UUID.randomUUID().toString();
            publish("instruction-routing", agent + "/answer", routing(agent, baseline, testId));
            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(runningTest(agent)).isEqualTo(testId));
            agentEvents.publish(agentEvents.baselineEvaluations(new AgentRef(agent, "answer"), BASELINE, 40));
            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(lowScores(agent)).isGreaterThanOrEqualTo(10));
            assertThat(verdict(agent)).isEqualTo(Verdict.TEST_IN_FLIGHT);
            assertThat(startedFor(agent)).isEmpty();
            assertThat(runsOf(agent)).containsExactly(first);

            // the test ends (the routing names no test any more): a run starts
            publish("instruction-routing", agent + "/answer", routing(agent, baseline, null));
            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(runningTest(agent)).isNull());
            List<AutoRunPolicy.Started> afterTest = startedFor(agent);
            assertThat(afterTest).hasSize(1);
            assertThat(runsOf(agent)).hasSize(2).contains(afterTest.getFirst().runId());
            runs.cancel(afterTest.getFirst().runId(), "test");
        }
    }

    private List<AutoRunPolicy.Started> startConcurrently(int replicas) {
        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<List<AutoRunPolicy.Started>>> calls = new ArrayList<>();
        for (int i = 0; i < replicas; i++) {
            calls.add(CompletableFuture.supplyAsync(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return policy.startDueRuns();
            }));
        }
        go.countDown();
        List<AutoRunPolicy.Started> all = new ArrayList<>();
        calls.forEach(c -> all.addAll(c.join()));
        return all;
    }

    private List<AutoRunPolicy.Started> startedFor(String agent) {
        return policy.startDueRuns().stream()
                .filter(s -> s.agent().equals(agent))
                .toList();
    }

    private Verdict verdict(String agent) {
        return policy.rule().decide(predictor(agent), Instant.now());
    }

    private int lowScores(String agent) {
        return predictor(agent).lowScoreExamplesSinceLastRun();
    }

    private AutoRunRule.Predictor predictor(String agent) {
        return policy.predictors().stream()
                .filter(p -> p.agent().equals(agent))
                .findFirst()
                .orElseThrow();
    }

    private static List<UUID> runsOf(String agent) {
        return sql().queryForList(
                        "SELECT run_id FROM optimizer.prompt_optimization_runs WHERE agent_name = ? ORDER BY created_at",
                        UUID.class,
                        agent);
    }

    private static String runningTest(String agent) {
        List<String> tests = sql().queryForList(
                        "SELECT running_test_id FROM optimizer.routing_state WHERE agent_name = ? AND predictor_name = 'answer'",
                        String.class,
                        agent);
        return tests.isEmpty() ? "no routing yet" : tests.getFirst();
    }

    private static InstructionRouting routing(String agent, UUID active, String testId) {
        return InstructionRouting.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setOccurredAt(Instant.now())
                .setAgent(new AgentRef(agent, "answer"))
                .setActiveInstructionId(active.toString())
                .setActiveVersion(1)
                .setInstructionText(BASELINE)
                .setInstructionHash("0".repeat(64))
                .setTest(
                        testId == null
                                ? null
                                : RunningTest.newBuilder()
                                        .setTestId(testId)
                                        .setSalt("salt")
                                        .setTrafficSplit(0.5)
                                        .setTreatmentInstructionId(
                                                UUID.randomUUID().toString())
                                        .setTreatmentVersion(2)
                                        .setTreatmentText("A treatment.")
                                        .build())
                .setReason(testId == null ? "test_concluded" : "test_started")
                .build();
    }
}
