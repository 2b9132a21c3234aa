package io.promptloop.abtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.promptloop.abtest.analysis.domain.Metric;
import io.promptloop.abtest.experiment.persistence.ExperimentRepository.Phase;
import io.promptloop.abtest.observation.domain.Observation;
import io.promptloop.abtest.observation.persistence.ObservationStore;
import io.promptloop.abtest.observation.persistence.ObservationStore.Countable;
import io.promptloop.abtest.observation.persistence.ObservationStore.Source;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import tools.jackson.databind.JsonNode;

/** GET /api/tests/{id} while observation batches commit: what it shows beside each other comes from one snapshot. */
@DirtiesContext
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class TestInspectionIT extends AbtestTestSupport {

    @LocalServerPort
    int port;

    @Autowired
    ObservationStore store;

    @Test
    void shouldShowAnAnalysisOfTheArmsListedBesideItWhileObservationsCommit() throws Exception {
        // The inspection reads the test, its two phases' statistics and, for the analysis, the test phase again:
        // four statements. The real ObservationStore commits 1,000 batches meanwhile, each one observation of one arm
        // (alternating) in both phases, as a batch straddling the conclusion does. Every read must show equal counts
        // in the two phases and an SRM chi-squared computed from the very counts listed beside it.
        String agent = "inspect-" + UUID.randomUUID();
        UUID baseline = instruction(agent, "answer", 1, "Answer.", true);
        UUID treatment = instruction(agent, "answer", 2, "Answer briefly.", false);
        JsonNode created =
                createStarted(port, testBody(agent, baseline, treatment, "\"trafficSplit\":0.5,\"start\":true"));
        UUID testId = UUID.fromString(created.get("testId").asString());
        int batches = 1000;
        var source = new Source("inspection-it", "inspection-it");
        var writes = CompletableFuture.runAsync(() -> {
            for (int n = 1; n <= batches; n++) {
                String variant = n % 2 == 1 ? "baseline" : "treatment";
                var o = new Observation(
                        UUID.randomUUID(),
                        Instant.now(),
                        testId,
                        variant,
                        "u" + n,
                        (n % 10) / 10.0,
                        100L + n % 7,
                        true);
                store.count(
                        source,
                        List.of(
                                new Countable(o, Phase.TEST, Metric.SCORE),
                                new Countable(o, Phase.ROLLOUT, Metric.SCORE)),
                        List.of());
            }
        });
        int reads = 0;
        int readsMidway = 0;
        long seen = 0;
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while ((!writes.isDone() || seen < batches) && System.nanoTime() < deadline) {
            var response = call(port, "GET", "/api/tests/" + testId, null, "reader");
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            JsonNode body = json(response);
            long a = n(body.get("arms"), "baseline");
            long b = n(body.get("arms"), "treatment");
            assertThat(List.of(n(body.get("rolloutArms"), "baseline"), n(body.get("rolloutArms"), "treatment")))
                    .as("rollout counts beside test counts %d/%d (read %d)", a, b, reads)
                    .containsExactly(a, b);
            double expected = a + b == 0 ? 0 : (double) (a - b) * (a - b) / (a + b); // weights 0.5/0.5
            assertThat(body.get("analysis").get("srm").get("chiSquared").asDouble())
                    .as("analysis' SRM chi-squared beside counts %d/%d (read %d)", a, b, reads)
                    .isCloseTo(expected, within(1e-9));
            seen = a + b;
            reads++;
            if (seen > 0 && seen < batches) readsMidway++;
            if (writes.isCompletedExceptionally()) writes.join();
        }
        writes.join();
        assertThat(seen).as("observations counted at the end").isEqualTo(batches);
        assertThat(readsMidway)
                .as("reads while batches were committing (of %d)", reads)
                .isGreaterThanOrEqualTo(5);
    }

    private static long n(JsonNode arms, String variant) {
        JsonNode arm = arms.get(variant);
        return arm == null ? 0 : arm.get("n").asLong();
    }
}
