package io.promptloop.optimizer.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.promptloop.avro.optimizer.OptimizerEvent;
import io.promptloop.avro.optimizer.RunCompleted;
import io.promptloop.optimizer.OptimizerProcesses;
import io.promptloop.optimizer.OptimizerTestSupport;
import io.promptloop.testkit.agent.SimulatedEvaluator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;

/**
 * Two optimizer replicas at once — this Spring context and a child JVM of the service jar — share four GEPA runs
 * through PostgreSQL row locks ({@code FOR UPDATE SKIP LOCKED}). Every run completes exactly once (one
 * {@code RunCompleted}, at most one new instruction), no candidate is proposed twice, and — since the four runs
 * have the same seed, examples and rubric — all four end with exactly the same candidates, budget and scores, as
 * one replica alone would have produced. Both replicas' step counters show that both did work.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext
class ConcurrentReplicasIT extends OptimizerTestSupport {

    private static final int RUNS = 4;

    @LocalServerPort
    int port;

    @Autowired
    MeterRegistry meters;

    @Test
    void shouldCompleteEveryRunExactlyOnceWithTwoReplicasSharingThem() throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        List<String> agents = new ArrayList<>();
        for (int i = 0; i < RUNS; i++) agents.add("replica" + i + "-" + suffix);
        List<SimulatedEvaluator> evaluators = new ArrayList<>();
        try (var replicas = new OptimizerProcesses()) {
            for (String agent : agents) evaluators.add(evaluator(agent, 0));
            for (int i = 0; i < RUNS; i++) seedExamples(evaluators.get(i), agents.get(i), 40);
            var child = replicas.start("optimizer-replica");
            int childPort = child.port();
            double ownStepsBefore = ownSteps();
            double childStepsBefore = childSteps(child.managementPort());

            List<UUID> runs = new ArrayList<>();
            for (int i = 0; i < RUNS; i++) {
                int via = i % 2 == 0 ? port : childPort; // either replica may take any run
                registerBaseline(via, agents.get(i));
                runs.add(
                        startRun(
                                via,
                                "{\"agent\":\"" + agents.get(i)
                                        + "\",\"predictor\":\"answer\",\"budget\":\"custom\",\"maxMetricCalls\":100,\"seed\":11,\"minibatchSize\":2}"));
            }
            for (UUID run : runs) {
                Map<String, Object> done = awaitRun(run, Duration.ofMinutes(6));
                assertThat(done.get("status"))
                        .as("%s", done.get("error_message"))
                        .isEqualTo("completed");
            }

            // exactly one RunCompleted per run, and each candidate registered at most once per run (the optimized
            // instruction and, for a multi-arm A/B test, the other front candidates that beat the baseline)
            Map<String, Integer> completions = completions(runs);
            assertThat(completions)
                    .hasSize(RUNS)
                    .allSatisfy((run, n) -> assertThat(n)
                            .as("RunCompleted events of run %s", run)
                            .isEqualTo(1));
            for (UUID run : runs) {
                assertThat(sql().queryForObject(
                                        "SELECT count(*) = count(DISTINCT candidate_id) AND count(*) <= 8"
                                                + " FROM optimizer.optimized_instructions WHERE run_id = ?",
                                        Boolean.class,
                                        run))
                        .isTrue();
                // one reflection per iteration, candidate indexes without gaps
                assertThat(sql().queryForList(
                                        "SELECT iteration FROM optimizer.candidates WHERE run_id = ? AND origin = 'reflection'"
                                                + " GROUP BY iteration HAVING count(*) > 1",
                                        Integer.class,
                                        run))
                        .isEmpty();
                assertThat(sql().queryForObject(
                                        "SELECT count(*) = max(candidate_index) + 1 FROM optimizer.candidates WHERE run_id = ?",
                                        Boolean.class,
                                        run))
                        .isTrue();
            }
            // identical inputs give identical runs, whichever replica stepped which part
            List<Object> reference = summary(runs.getFirst());
            for (UUID run : runs.subList(1, RUNS)) assertThat(summary(run)).isEqualTo(reference);

            System.out.printf(
                    "run steps: this replica %.0f, child replica %.0f%n",
                    ownSteps() - ownStepsBefore, childSteps(child.managementPort()) - childStepsBefore);
            assertThat(ownSteps() - ownStepsBefore).as("steps by this replica").isPositive();
            assertThat(childSteps(child.managementPort()) - childStepsBefore)
                    .as("steps by the child replica")
                    .isPositive();
        } finally {
            evaluators.forEach(SimulatedEvaluator::close);
        }
    }

    /** What the run produced: candidates, scores, budget, result. */
    private static List<Object> summary(UUID run) {
        List<Object> summary = new ArrayList<>();
        summary.add(sql().queryForMap(
                        "SELECT baseline_score, optimized_score, improvement_percent, metric_calls_spent, iteration, phase"
                                + " FROM optimizer.prompt_optimization_runs WHERE run_id = ?",
                        run));
        summary.add(sql().queryForList(
                        "SELECT candidate_index || ':' || instruction_hash || ':' || array_to_string(parent_indices, ',')"
                                + " || ':' || coalesce(accepted::text, '-') || ':' || coalesce(validation_score::text, '-')"
                                + " FROM optimizer.candidates WHERE run_id = ? ORDER BY candidate_index",
                        String.class,
                        run));
        summary.add(sql().queryForList(
                        "SELECT c.candidate_index || ':' || s.example_id || ':' || s.score FROM optimizer.candidate_scores s"
                                + " JOIN optimizer.candidates c ON c.candidate_id = s.candidate_id WHERE s.run_id = ?"
                                + " ORDER BY c.candidate_index, s.example_id",
                        String.class,
                        run));
        return summary;
    }

    /** RunCompleted events per run id on optimizer-events (read from the start, until all runs have one). */
    private static Map<String, Integer> completions(List<UUID> runs) {
        Map<String, Integer> completions = new HashMap<>();
        List<String> ids = runs.stream().map(UUID::toString).toList();
        var config = SimulatedEvaluator.consumerConfig(
                INFRA.kafkaBootstrapServers(), INFRA.registry().apiV3Url(), "replicas-it-" + UUID.randomUUID());
        try (var consumer = new KafkaConsumer<String, OptimizerEvent>(config)) {
            consumer.subscribe(List.of("optimizer-events"));
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                for (var record : consumer.poll(Duration.ofMillis(500))) {
                    OptimizerEvent e = record.value();
                    if (e != null && ids.contains(e.getRunId()) && e.getPayload() instanceof RunCompleted)
                        completions.merge(e.getRunId(), 1, Integer::sum);
                }
                return completions.size() == runs.size();
            });
            // a second completion would be published right after the first: read on a little longer
            for (var record : consumer.poll(Duration.ofSeconds(3))) {
                OptimizerEvent e = record.value();
                if (e != null && ids.contains(e.getRunId()) && e.getPayload() instanceof RunCompleted)
                    completions.merge(e.getRunId(), 1, Integer::sum);
            }
        }
        return completions;
    }

    private double ownSteps() {
        var counter = meters.find("promptloop.optimizer.run.steps").counter();
        return counter == null ? 0 : counter.count();
    }

    /** The child's step counter, scraped from its management port as Prometheus would: no credentials. */
    private static double childSteps(int managementPort) {
        var response = call(managementPort, "GET", "/actuator/prometheus", null, null);
        assertThat(response.statusCode()).isEqualTo(200);
        Matcher m = Pattern.compile("(?m)^promptloop_optimizer_run_steps_total\\{[^}]*} ([0-9.eE+-]+)$")
                .matcher(response.body());
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}
