package io.promptloop.optimizer.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.promptloop.optimizer.OptimizerProcesses;
import io.promptloop.optimizer.OptimizerTestSupport;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The optimizer is killed (SIGKILL) in the middle of a GEPA run and started again: the run resumes from
 * PostgreSQL and ends with exactly the result of the same run (same seed, same examples) left uninterrupted.
 */
class CrashResumeIT extends OptimizerTestSupport {

    private final OptimizerProcesses replicas = new OptimizerProcesses();

    @AfterEach
    void stop() throws InterruptedException {
        replicas.close();
    }

    @Test
    void shouldFinishAKilledRunWithTheResultOfAnUninterruptedOne() throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String killed = "crash-" + suffix;
        String calm = "calm-" + suffix;
        var first = replicas.start("optimizer-1");
        int port = first.port();
        try (var a = evaluator(killed, 0);
                var b = evaluator(calm, 0)) {
            seedExamples(a, killed, 40);
            seedExamples(b, calm, 40);
            registerBaseline(port, killed);
            registerBaseline(port, calm);
            String run =
                    "{\"predictor\":\"answer\",\"optimizer\":\"gepa\",\"budget\":\"custom\",\"maxMetricCalls\":120,\"seed\":5,\"minibatchSize\":2,\"agent\":\"";
            UUID interrupted = startRun(port, run + killed + "\"}");
            await().atMost(Duration.ofMinutes(2))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> sql().queryForObject(
                                            "SELECT iteration FROM optimizer.prompt_optimization_runs WHERE run_id = ?",
                                            Integer.class,
                                            interrupted)
                            >= 2);
            first.kill();
            assertThat(status(interrupted)).isEqualTo("running");

            int second = replicas.start("optimizer-2").port();
            Map<String, Object> resumed = awaitRun(interrupted, Duration.ofMinutes(4));
            UUID reference = startRun(second, run + calm + "\"}");
            Map<String, Object> uninterrupted = awaitRun(reference, Duration.ofMinutes(4));

            assertThat(resumed.get("status"))
                    .as("%s", resumed.get("error_message"))
                    .isEqualTo("completed");
            assertThat(uninterrupted.get("status")).isEqualTo("completed");
            assertThat(resumed.get("optimized_score")).isEqualTo(uninterrupted.get("optimized_score"));
            assertThat(resumed.get("baseline_score")).isEqualTo(uninterrupted.get("baseline_score"));
            assertThat(resumed.get("metric_calls_spent")).isEqualTo(uninterrupted.get("metric_calls_spent"));
            assertThat(resumed.get("iteration")).isEqualTo(uninterrupted.get("iteration"));
            assertThat(candidates(interrupted)).isEqualTo(candidates(reference));
        }
    }

    private static List<String> candidates(UUID run) {
        return sql().queryForList(
                        "SELECT candidate_index || ':' || instruction_hash || ':' || array_to_string(parent_indices, ',') || ':' || coalesce(accepted::text, '-')"
                                + " FROM optimizer.candidates WHERE run_id = ? ORDER BY candidate_index",
                        String.class,
                        run);
    }

    private static String status(UUID run) {
        return sql().queryForObject(
                        "SELECT status::text FROM optimizer.prompt_optimization_runs WHERE run_id = ?",
                        String.class,
                        run);
    }
}
