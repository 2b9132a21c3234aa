package io.promptloop.optimizer.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.promptloop.optimizer.OptimizerTestSupport;
import io.promptloop.testkit.agent.SimulatedEvaluator;
import java.time.Duration;
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
 * An agent answers real evaluation requests with overall scores out of [0, 1] (1.5 and NaN): each such answer is
 * skipped and counted, never stored as a score; the request stays unanswered, is sent again at its deadline, and
 * the run completes on the correct answers.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext
class InvalidScoreIT extends OptimizerTestSupport {

    @DynamicPropertySource
    static void quickRetries(DynamicPropertyRegistry registry) {
        registry.add("promptloop.optimizer.evaluation.timeout", () -> "4s");
        registry.add("promptloop.optimizer.evaluation.max-attempts", () -> "10");
    }

    @LocalServerPort
    int port;

    @Autowired
    MeterRegistry meters;

    @Test
    void shouldSkipAndCountOutOfRangeScoresAndStillCompleteTheRun() {
        String agent = "invalid-" + UUID.randomUUID().toString().substring(0, 8);
        var settings = SimulatedEvaluator.Settings.of(
                        INFRA.kafkaBootstrapServers(), INFRA.registry().apiV3Url())
                .withConsumerGroup("evaluator-" + agent)
                .withAgentName(agent)
                .withInvalidScores(0.5); // half the requests are first answered with 1.5 / NaN
        try (var evaluator = new SimulatedEvaluator(settings).start()) {
            seedExamples(evaluator, agent, 30);
            registerBaseline(port, agent);
            double before = outOfRange();

            UUID run = startRun(
                    port,
                    "{\"agent\":\"" + agent
                            + "\",\"predictor\":\"answer\",\"budget\":\"custom\",\"maxMetricCalls\":40,\"seed\":4}");
            Map<String, Object> done = awaitRun(run, Duration.ofMinutes(4));

            assertThat(done.get("status")).as("%s", done.get("error_message")).isEqualTo("completed");
            System.out.printf("out-of-range answers sent and skipped: %d%n", evaluator.invalidScoresSent());
            assertThat(evaluator.invalidScoresSent()).isPositive();
            // every out-of-range answer was read and counted (they precede the correct ones in the partition)
            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(
                            () -> assertThat(outOfRange() - before).isEqualTo((double) evaluator.invalidScoresSent()));
            assertThat(sql().queryForObject(
                                    "SELECT count(*) FROM optimizer.candidate_scores WHERE run_id = ? AND NOT (score >= 0 AND score <= 1)",
                                    Integer.class,
                                    run))
                    .isZero();
            assertThat(sql().queryForObject(
                                    "SELECT count(*) FROM optimizer.candidate_scores WHERE run_id = ?",
                                    Integer.class,
                                    run))
                    .isPositive();
            // the requests that got only invalid answers were sent again
            assertThat(sql().queryForObject(
                                    "SELECT max(attempt) FROM optimizer.evaluation_requests WHERE run_id = ?",
                                    Integer.class,
                                    run))
                    .isGreaterThan(1);
            assertThat(sql().queryForObject(
                                    "SELECT count(*) FROM optimizer.evaluation_requests WHERE run_id = ? AND status <> 'answered'",
                                    Integer.class,
                                    run))
                    .isZero();
        }
    }

    private double outOfRange() {
        var counter = meters.find("promptloop.optimizer.events.ignored")
                .tag("reason", "score_out_of_range")
                .counter();
        return counter == null ? 0 : counter.count();
    }
}
