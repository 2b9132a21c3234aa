package io.promptloop.optimizer.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.promptloop.optimizer.OptimizerTestSupport;
import io.promptloop.optimizer.config.OptimizerProperties;
import io.promptloop.optimizer.instruction.InstructionRepository;
import io.promptloop.optimizer.instruction.domain.InstructionHash;
import io.promptloop.optimizer.reflection.domain.Reflector;
import io.promptloop.optimizer.run.messaging.OptimizerPublisher;
import io.promptloop.optimizer.run.persistence.RunStore;
import io.promptloop.optimizer.tool.ToolDescriptionRepository;
import io.promptloop.testkit.agent.Rubric;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * Two replicas (two {@link RunStepper}s, each with what it holds of the runs it stepped) take turns on one GEPA run
 * against the real PostgreSQL, answers arriving between steps as the listener stores them. Before each step, what
 * the stepping replica holds after its incremental read equals a full read of the run, also when the other replica
 * stepped the run meanwhile; each replica reads the run in full only once. The run ends exactly like the same run
 * stepped by a replica that reads the run in full and replays it on every step (the code before incremental reads).
 *
 * <p>The test steps the runs itself, so the context's own worker must not: a separate connection holds the runs' rows
 * {@code FOR KEY SHARE} throughout, which the worker's {@code FOR UPDATE SKIP LOCKED} skips, while the test's steps
 * and answers (plain updates and inserts, no {@code FOR UPDATE}) go through. The steps and answers are sequential, as
 * the row lock would make them.
 */
@SpringBootTest
@DirtiesContext
class IncrementalStepReadsIT extends OptimizerTestSupport {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final List<String> TRAIN =
            IntStream.range(0, 12).mapToObj(i -> "ex-t" + i).toList();
    private static final List<String> VALIDATION =
            IntStream.range(0, 6).mapToObj(i -> "ex-v" + i).toList();
    private static final Rubric RUBRIC = Rubric.forExamples(
            java.util.stream.Stream.concat(TRAIN.stream(), VALIDATION.stream()).toList(), 3);

    @Autowired
    RunStore store;

    @Autowired
    TransactionTemplate transaction;

    @Autowired
    InstructionRepository instructions;

    @Autowired
    ToolDescriptionRepository tools;

    @Autowired
    Reflector reflector;

    @Autowired
    OptimizerPublisher publisher;

    @Autowired
    OptimizerProperties properties;

    @Autowired
    JsonMapper json;

    @Test
    void shouldHoldWhatAFullReadGivesWhicheverReplicaSteppedTheRunAndEndLikeAReplayingReplica() throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        UUID shared = insertRun("reads-shared-" + suffix);
        UUID replayed = insertRun("reads-replayed-" + suffix);
        try (Connection blocker = DriverManager.getConnection(
                INFRA.superuserLogin().jdbcUrl(),
                INFRA.superuserLogin().user(),
                INFRA.superuserLogin().password())) {
            blocker.setAutoCommit(false);
            try (var lock = blocker.prepareStatement(
                    "SELECT run_id FROM optimizer.prompt_optimization_runs WHERE run_id IN (?, ?) FOR KEY SHARE")) {
                lock.setObject(1, shared);
                lock.setObject(2, replayed);
                lock.executeQuery().close();
            }

            RunStepper a = stepper();
            RunStepper b = stepper();
            // who steps: runs of one replica and of the other, of varying length
            int[] turns = {3, 1, 2, 4, 1, 1, 5, 2, 3, 1};
            Map<RunStepper, Integer> candidatesAfterOwnStep = new java.util.HashMap<>();
            int steps = 0;
            int noticed = 0;
            int candidates = 0;
            RunStepper last = null;
            boolean done = false;
            for (int turn = 0; !done; turn++) {
                RunStepper replica = turn % 2 == 0 ? a : b;
                for (int s = 0; s < turns[turn % turns.length] && !done; s++) {
                    RunStore.RunRow run = store.find(shared).orElseThrow();
                    // the read the step is about to make, and a full read by a replica that holds nothing
                    RunFacts held = transaction.execute(
                            t -> replica.steppedRuns().refresh(run).facts());
                    RunFacts full = transaction.execute(
                            t -> new SteppedRuns(store).refresh(run).facts());
                    assertSame(held, full, "before step " + steps);
                    Integer own = candidatesAfterOwnStep.get(replica);
                    if (own != null && held.size() > own) noticed++; // the other replica added candidates since
                    done = transaction.execute(t -> replica.step(shared)) == RunStepper.Progress.DONE;
                    answerPending(shared);
                    candidates = candidateCount(shared);
                    candidatesAfterOwnStep.put(replica, candidates);
                    last = replica;
                    steps++;
                }
            }
            // the reference: every step by a new replica (a full read and a replay), as before incremental reads
            boolean finished = false;
            while (!finished) {
                RunStepper fresh = stepper();
                transaction.execute(t -> fresh.step(replayed));
                answerPending(replayed);
                finished = !status(replayed).matches("pending|running");
            }

            System.out.printf(
                    "incremental reads: %d steps, %d candidates; replica a: %d full / %d incremental reads, replica b:"
                            + " %d / %d; b or a took in the other's candidates %d times%n",
                    steps,
                    candidates,
                    a.steppedRuns().fullReads(),
                    a.steppedRuns().incrementalReads(),
                    b.steppedRuns().fullReads(),
                    b.steppedRuns().incrementalReads(),
                    noticed);
            assertThat(status(shared)).isEqualTo("completed");
            assertThat(summary(shared)).isEqualTo(summary(replayed));
            assertThat(candidates).as("candidates of the run").isGreaterThan(4);
            assertThat(a.steppedRuns().fullReads()).isEqualTo(1);
            assertThat(b.steppedRuns().fullReads()).isEqualTo(1);
            assertThat(noticed)
                    .as("reads that took in candidates the other replica recorded")
                    .isPositive();
            assertThat(last.steppedRuns().holds(shared))
                    .as("the replica that ended the run dropped it")
                    .isFalse();
            blocker.rollback();
        }
    }

    /** The rows, candidates, scores, reflections and position must be those of the full read. */
    private static void assertSame(RunFacts held, RunFacts full, String when) {
        assertThat(held.rows()).as(when).isEqualTo(full.rows());
        assertThat(held.candidates()).as(when).isEqualTo(full.candidates());
        assertThat(held.scores()).as(when).isEqualTo(full.scores());
        assertThat(held.reflections()).as(when).isEqualTo(full.reflections());
        assertThat(held.scoreSeq()).as(when).isEqualTo(full.scoreSeq());
    }

    private static int candidateCount(UUID run) {
        return sql().queryForObject("SELECT count(*) FROM optimizer.candidates WHERE run_id = ?", Integer.class, run);
    }

    private RunStepper stepper() {
        return new RunStepper(store, instructions, tools, reflector, publisher, properties, json, Clock.systemUTC());
    }

    /** Answers every pending request of the run as the agent would and the listener stores it. */
    private void answerPending(UUID run) {
        transaction.executeWithoutResult(t -> {
            for (var request : store.pendingRequests(run)) {
                String text = store.candidate(run, request.candidateId())
                        .orElseThrow()
                        .text();
                for (String example : request.exampleIds()) {
                    Rubric.Grade grade = RUBRIC.grade(example, text);
                    store.insertScore(
                            run,
                            request.candidateId(),
                            example,
                            request.split(),
                            grade.score(),
                            grade.feedback(),
                            "answer to " + example,
                            UUID.randomUUID());
                }
                store.closeIfAnswered(request.requestId());
            }
        });
    }

    private UUID insertRun(String agent) {
        UUID runId = UUID.randomUUID();
        var config = new RunConfig(TRAIN, VALIDATION, 2, 0, null, "deterministic", 0, 0.3, 2, "instance");
        transaction.executeWithoutResult(t -> {
            UUID baseline = instructions
                    .register(agent, "answer", BASELINE, "manual", null, null, null, null, null)
                    .id();
            store.insertRun(TestRunRows.run(
                    runId, agent, "custom", 160, 5L, "pending", 0, 2, baseline, JSON.writeValueAsString(config), 0));
            store.insertCandidate(
                    runId, 0, BASELINE, InstructionHash.of(BASELINE), List.of(), List.of(), "seed", 0, null, Map.of());
        });
        return runId;
    }

    private static String status(UUID run) {
        return sql().queryForObject(
                        "SELECT status::text FROM optimizer.prompt_optimization_runs WHERE run_id = ?",
                        String.class,
                        run);
    }

    /** What the run produced: candidates, scores, budget, result. */
    private static List<Object> summary(UUID run) {
        List<Object> summary = new ArrayList<>();
        summary.add(sql().queryForMap(
                        "SELECT status::text, baseline_score, optimized_score, improvement_percent, metric_calls_spent,"
                                + " iteration, phase FROM optimizer.prompt_optimization_runs WHERE run_id = ?",
                        run));
        summary.add(sql().queryForList(
                        "SELECT candidate_index || ':' || instruction_hash || ':' || origin || ':' || iteration || ':'"
                                + " || array_to_string(parent_indices, ',') || ':' || coalesce(accepted::text, '-')"
                                + " || ':' || coalesce(validation_score::text, '-')"
                                + " FROM optimizer.candidates WHERE run_id = ? ORDER BY candidate_index",
                        String.class,
                        run));
        summary.add(sql().queryForList(
                        "SELECT c.candidate_index || ':' || s.example_id || ':' || s.score FROM optimizer.candidate_scores s"
                                + " JOIN optimizer.candidates c ON c.candidate_id = s.candidate_id WHERE s.run_id = ?"
                                + " ORDER BY c.candidate_index, s.example_id",
                        String.class,
                        run));
        summary.add(sql().queryForList(
                        "SELECT stage_name || ':' || iteration || ':' || status FROM optimizer.stage_results"
                                + " WHERE run_id = ? ORDER BY iteration, stage_name",
                        String.class,
                        run));
        return summary;
    }
}
