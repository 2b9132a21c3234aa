package io.promptloop.optimizer.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.promptloop.optimizer.OptimizerTestSupport;
import io.promptloop.optimizer.instruction.domain.InstructionHash;
import io.promptloop.optimizer.run.persistence.RunStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** GET /api/runs/{id} while steps commit: the run's row and the candidates listed beside it come from one snapshot. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext
class RunInspectionIT extends OptimizerTestSupport {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @LocalServerPort
    int port;

    @Autowired
    RunStore store;

    @Autowired
    TransactionTemplate transaction;

    @Test
    void shouldListNoCandidateOfAnIterationTheRunHasNotReachedWhileStepsCommit() throws Exception {
        // The detail is read with three statements (run, candidates, scores). A reflection step commits its child
        // candidate (iteration i), its stage and weakness rows and the run's iteration i + 1 together; here 1,000 such
        // steps commit through the real RunStore while the API is read as fast as it answers. The run is cancelled
        // first, so that no worker steps it meanwhile (the steps are the test's).
        UUID runId = UUID.randomUUID();
        var config = new RunConfig(List.of("t1"), List.of("v1"), 3, 10, null, "deterministic", 0, 0.3, 0, "instance");
        transaction.executeWithoutResult(status -> {
            store.insertRun(TestRunRows.run(
                    runId,
                    "inspect-" + runId,
                    "light",
                    10_000,
                    1L,
                    "pending",
                    0,
                    3,
                    null,
                    JSON.writeValueAsString(config),
                    0));
            store.insertCandidate(
                    runId, 0, BASELINE, InstructionHash.of(BASELINE), List.of(), List.of(), "seed", 0, null, Map.of());
            store.fail(runId, "steps are the test's", "cancelled");
        });
        UUID seed = store.candidates(runId).getFirst().id();
        assertThat(call(port, "GET", "/api/runs/" + runId, null, "reader").statusCode())
                .as("a first read, before the steps (a cold server answers it slower than they commit)")
                .isEqualTo(200);
        int steps = 1000;
        var writes = CompletableFuture.runAsync(() -> {
            for (int i = 1; i <= steps; i++) {
                int iteration = i;
                String text = BASELINE + " (" + iteration + ")";
                transaction.executeWithoutResult(
                        status -> { // what RunStepper.reflect writes in one step
                            store.stage(runId, "reflection", iteration, "completed", "{\"reflector\": \"test\"}");
                            UUID child = store.insertCandidate(
                                    runId,
                                    iteration,
                                    text,
                                    InstructionHash.of(text),
                                    List.of(seed),
                                    List.of(0),
                                    "reflection",
                                    iteration,
                                    List.of("t1"),
                                    Map.of());
                            store.weakness(
                                    runId, child, iteration, "[]", "analysis " + iteration, List.of("t1"), "test");
                            store.advance(runId, iteration + 1, 0);
                        });
            }
        });
        int reads = 0;
        int readsMidway = 0;
        int listed = 0;
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while ((!writes.isDone() || listed < steps + 1) && System.nanoTime() < deadline) {
            var response = call(port, "GET", "/api/runs/" + runId, null, "reader");
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            JsonNode body = JSON.readTree(response.body());
            int iteration = body.get("run").get("iteration").asInt();
            JsonNode candidates = body.get("candidates");
            listed = candidates.size();
            int latest = candidates.get(listed - 1).get("iteration").asInt();
            assertThat(latest)
                    .as("latest candidate's iteration beside the run's iteration %d (read %d)", iteration, reads)
                    .isLessThan(Math.max(iteration, 1));
            assertThat(listed)
                    .as("candidates beside the run's iteration %d (read %d)", iteration, reads)
                    .isEqualTo(Math.max(iteration, 1)); // the seed, then one child per iteration begun
            reads++;
            if (listed > 1 && listed < steps + 1) readsMidway++;
            if (writes.isCompletedExceptionally()) writes.join();
        }
        writes.join();
        assertThat(listed).as("candidates listed at the end").isEqualTo(steps + 1);
        assertThat(readsMidway)
                .as("reads while steps were committing (of %d)", reads)
                .isGreaterThanOrEqualTo(5);
    }
}
