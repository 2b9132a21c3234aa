package io.promptloop.optimizer.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.promptloop.avro.common.AgentRef;
import io.promptloop.avro.evaluation.EvaluationRecorded;
import io.promptloop.avro.session.ImprovementNoted;
import io.promptloop.avro.session.SessionEvent;
import io.promptloop.avro.session.TurnRecorded;
import io.promptloop.optimizer.OptimizerTestSupport;
import io.promptloop.optimizer.run.domain.AutoRunRule;
import io.promptloop.optimizer.run.domain.AutoRunRule.Verdict;
import io.promptloop.testkit.agent.SimulatedEvaluator;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Issue 11's futile loop on real Kafka and PostgreSQL: once the active instruction is as good as the evaluator can
 * tell (every answer scores 1.0), a run finds nothing; the improvement notes that keep arriving afterwards (what the
 * dev stack's agent sends, and what started a new futile run every 40–100 s) no longer start one — the rule as it
 * was would have — while evaluations whose scores genuinely dropped still do.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext
class FutileRunBackoffIT extends OptimizerTestSupport {

    @DynamicPropertySource
    static void policy(DynamicPropertyRegistry registry) {
        registry.add("promptloop.optimizer.policy.enabled", () -> "true");
        registry.add("promptloop.optimizer.policy.interval", () -> "1h"); // the test asks the policy itself
        registry.add("promptloop.optimizer.policy.min-low-score-examples", () -> "10");
        registry.add("promptloop.optimizer.policy.backoff", () -> "1h"); // does not run out during the test
    }

    @LocalServerPort
    int port;

    @Autowired
    AutoRunPolicy policy;

    @Autowired
    RunService runs;

    @Test
    void shouldNotRepeatAFutileRunOnMoreOfTheSameFeedbackButStartOneWhenScoresDrop() {
        String agent = "futile-" + UUID.randomUUID().toString().substring(0, 8);
        AgentRef ref = new AgentRef(agent, "answer");
        try (var evaluator = new SimulatedEvaluator(SimulatedEvaluator.Settings.of(
                                INFRA.kafkaBootstrapServers(), INFRA.registry().apiV3Url())
                        .withConsumerGroup("evaluator-" + agent)
                        .withAgentName(agent)
                        .withFixedScore(1.0)) // the active instruction cannot be improved on
                .start()) {
            registerBaselineId(port, agent);
            seedExamples(evaluator, agent, 40); // production evaluations, about 30 below 0.7

            // first run: starts on the feedback, finds nothing
            List<AutoRunPolicy.Started> first = startedFor(agent);
            assertThat(first).hasSize(1);
            assertThat(first.getFirst().verdict()).isEqualTo(Verdict.START);
            UUID futile = first.getFirst().runId();
            Map<String, Object> done = awaitRun(futile, Duration.ofMinutes(3));
            assertThat(done.get("status")).as("%s", done.get("error_message")).isEqualTo("completed");
            assertThat(((Number) done.get("improvement_percent")).doubleValue()).isZero();
            assertThat(done.get("evidence_examples")).isEqualTo(40);
            double evidence = ((Number) done.get("evidence_mean_score")).doubleValue();
            assertThat(evidence).isBetween(0.15, 0.9);

            // the loop of the issue: improvement notes keep arriving after the futile run
            publishNotes(ref, 15);
            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(predictor(agent).lowScoreExamplesSinceLastRun())
                            .isGreaterThanOrEqualTo(10));
            AutoRunRule.Predictor afterNotes = predictor(agent);
            assertThat(afterNotes.futileRunsInARow()).isEqualTo(1);
            // the rule as it was would start run after run here
            assertThat(AutoRunRule.withoutBackoff(10).decide(afterNotes, Instant.now()))
                    .isEqualTo(Verdict.START);
            assertThat(policy.rule().decide(afterNotes, Instant.now())).isEqualTo(Verdict.BACKING_OFF);
            for (int tick = 0; tick < 5; tick++) assertThat(startedFor(agent)).isEmpty();
            assertThat(runsOf(agent)).containsExactly(futile);

            // visible: the run list marks the futile run, the policy says why it waits
            var list = call(port, "GET", "/api/runs?agent=" + agent, null, "reader");
            assertThat(list.statusCode()).isEqualTo(200);
            assertThat(list.body()).contains("\"futile\":true", "\"triggerReason\":\"policy\"");
            var status = call(port, "GET", "/api/runs/policy", null, "reader");
            assertThat(status.statusCode()).isEqualTo(200);
            assertThat(status.body())
                    .contains("\"agent\":\"" + agent + "\"")
                    .containsPattern(
                            "\"agent\":\"" + agent + "\"[^}]*\"futileRunsInARow\":1[^}]*},\"verdict\":\"BACKING_OFF\"");

            // a genuine drop: new evaluations of the active instruction score far below what the last run started on
            List<EvaluationRecorded> worse = evaluator.baselineEvaluations(ref, BASELINE, 60).subList(40, 60).stream()
                    .map(e -> EvaluationRecorded.newBuilder(e)
                            .setEventId(UUID.randomUUID().toString())
                            .setOccurredAt(Instant.now())
                            .setOverallScore(0.05)
                            .build())
                    .toList();
            evaluator.publish(worse);
            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(predictor(agent).evaluationsSinceLastRun())
                            .isEqualTo(20));
            assertThat(policy.rule().decide(predictor(agent), Instant.now())).isEqualTo(Verdict.START_ON_SCORE_DROP);
            List<AutoRunPolicy.Started> onDrop = startedFor(agent);
            assertThat(onDrop).hasSize(1);
            assertThat(onDrop.getFirst().verdict()).isEqualTo(Verdict.START_ON_SCORE_DROP);
            assertThat(sql().queryForObject(
                                    "SELECT trigger_reason FROM optimizer.prompt_optimization_runs WHERE run_id = ?",
                                    String.class,
                                    onDrop.getFirst().runId()))
                    .isEqualTo("policy:score_drop");
            assertThat(runsOf(agent)).hasSize(2);
            runs.cancel(onDrop.getFirst().runId(), "test");
        }
    }

    /** Turns with an improvement note each, as the dev stack's agent sends them. */
    private static void publishNotes(AgentRef agent, int count) {
        for (int i = 0; i < count; i++) {
            String session = UUID.randomUUID().toString();
            publish(
                    "agent-sessions",
                    session,
                    SessionEvent.newBuilder()
                            .setEventId(UUID.randomUUID().toString())
                            .setOccurredAt(Instant.now())
                            .setAgent(agent)
                            .setSessionId(session)
                            .setPayload(TurnRecorded.newBuilder()
                                    .setTurnNumber(1)
                                    .setUserMessage("How many days of leave do I have left? (" + i + ")")
                                    .setAgentResponse("You have some days left.")
                                    .setSearchResults(List.of())
                                    .setMetadata(Map.of())
                                    .build())
                            .build());
            publish(
                    "agent-sessions",
                    session,
                    SessionEvent.newBuilder()
                            .setEventId(UUID.randomUUID().toString())
                            .setOccurredAt(Instant.now())
                            .setAgent(agent)
                            .setSessionId(session)
                            .setPayload(ImprovementNoted.newBuilder()
                                    .setTurnNumber(1)
                                    .setImprovementNote("Cite the leave policy section.")
                                    .setMetadata(Map.of())
                                    .build())
                            .build());
        }
    }

    private List<AutoRunPolicy.Started> startedFor(String agent) {
        return policy.startDueRuns().stream()
                .filter(s -> s.agent().equals(agent))
                .toList();
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
}
