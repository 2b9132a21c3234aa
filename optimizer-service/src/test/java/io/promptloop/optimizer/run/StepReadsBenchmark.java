package io.promptloop.optimizer.run;

import io.promptloop.optimizer.instruction.domain.InstructionHash;
import io.promptloop.optimizer.run.domain.BenchmarkConditions;
import io.promptloop.optimizer.run.domain.Candidate;
import io.promptloop.optimizer.run.domain.GepaConfig;
import io.promptloop.optimizer.run.domain.RunSnapshot;
import io.promptloop.optimizer.run.persistence.RunStore;
import io.promptloop.optimizer.run.persistence.RunStore.CandidateRow;
import io.promptloop.testkit.Postgres;
import io.promptloop.testkit.Provisioning;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.IntSupplier;
import java.util.stream.IntStream;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * Benchmark, not a test: the part of a run step that reads the run (the run row, its candidates and scores, and the
 * engine's snapshot built from them) for a run with 20 and with 2,000 candidates, on a real PostgreSQL (the test
 * kit's embedded server). Each timed read runs in its own transaction after locking the run row, as a step does.
 *
 * <ul>
 *   <li>before: the read of every step before issue 12, kept verbatim (every candidate, every score, the maps);
 *   <li>after, nothing new: a replica that stepped the run last (no candidate and no score since);
 *   <li>after, one iteration new: one candidate and three scores recorded since the replica's last read, written by
 *       the service's own writers between the timed reads;
 *   <li>after, first read: a replica that holds nothing of the run (after a start or a crash) reads it in full.
 * </ul>
 *
 * Then the two look-ups a step makes beside its reads before it requests scores — scores to reuse for a new
 * instruction, and the run's pending evaluation requests — for both runs, before and after a run of 50,000 more
 * candidates (each with an answered request) joins the database's history.
 *
 * Each candidate has a text of about 1,100 characters and scores on 3 train and 30 validation examples (feedback
 * and output of 300 characters each are stored but, as before, not read). Run with the module's test classpath
 * (Java 21 or later):
 *
 * <pre>mvnl -P '!images' -pl optimizer-service -am test-compile dependency:build-classpath \
 *     -Dmdep.outputFile=$PWD/cp.txt -Dmdep.includeScope=test
 * java -cp "$(cat cp.txt):optimizer-service/target/classes:optimizer-service/target/test-classes" \
 *     io.promptloop.optimizer.run.StepReadsBenchmark [repetitions]</pre>
 */
public final class StepReadsBenchmark {

    private static final int VALIDATION = 30;
    private static final List<String> TRAIN =
            IntStream.range(0, 3).mapToObj(i -> "t" + i).toList();
    private static final List<String> VALIDATION_IDS =
            IntStream.range(0, VALIDATION).mapToObj(i -> "v" + i).toList();

    public static void main(String[] args) throws Exception {
        int repetitions = args.length > 0 ? Integer.parseInt(args[0]) : 31;
        long wallStart = System.nanoTime();
        long cpuStart = BenchmarkConditions.processCpuNanos();
        try (Postgres postgres = new Postgres(Postgres.Settings.defaults())) {
            postgres.start();
            Provisioning.migrate(postgres.superuser());
            var login = postgres.superuser();
            var dataSource = new DriverManagerDataSource(login.jdbcUrl(), login.user(), login.password());
            var pooled = new SingleConnection(dataSource);
            JdbcClient jdbc = JdbcClient.create(pooled.dataSource());
            TransactionTemplate transaction =
                    new TransactionTemplate(new DataSourceTransactionManager(pooled.dataSource()));
            RunStore store = new RunStore(jdbc, JsonMapper.builder().build());

            System.out.printf(
                    "Step reads benchmark, %s: %d CPUs, %s %s%n",
                    Instant.now(),
                    Runtime.getRuntime().availableProcessors(),
                    System.getProperty("java.vm.name"),
                    System.getProperty("java.version"));
            System.out.println(jdbc.sql("SELECT version()").query(String.class).single());
            System.out.println("PostgreSQL settings: "
                    + jdbc.sql("SELECT string_agg(name || '=' || setting, ', ' ORDER BY name) FROM pg_settings WHERE"
                                    + " name IN ('fsync', 'synchronous_commit', 'full_page_writes', 'shared_buffers')")
                            .query(String.class)
                            .single()
                    + " (the test kit's embedded server, same machine, one JDBC connection, no pool)");
            System.out.println("load average at start (1/5/15 min): " + BenchmarkConditions.loadAverage()
                    + " — the machine is shared: other engineers' builds may run beside this benchmark");
            System.out.printf(
                    "Each figure: median wall time of %d timed reads after as many warm-up reads, in ms%n",
                    repetitions);

            // the first size is a warm-up of the JIT and the server's caches, not printed
            int printed = 0;
            Map<Integer, UUID> measured = new java.util.LinkedHashMap<>();
            for (int length : new int[] {20, 20, 2_000}) {
                boolean warmUp = printed++ == 0;
                UUID run = createRun(store, jdbc, transaction, length);
                jdbc.sql("VACUUM ANALYZE optimizer.candidates").update();
                jdbc.sql("VACUUM ANALYZE optimizer.candidate_scores").update();

                long before = time(repetitions, () -> transaction.execute(t -> readBefore(store, jdbc, run)));
                SteppedRuns warm = new SteppedRuns(store);
                transaction.execute(t -> readAfter(store, warm, run));
                long nothingNew = time(repetitions, () -> transaction.execute(t -> readAfter(store, warm, run)));
                int[] added = {length};
                long oneNew = time(
                        repetitions,
                        () -> {
                            transaction.executeWithoutResult(t -> recordIteration(store, run, added[0]++));
                            return 0;
                        },
                        () -> transaction.execute(t -> readAfter(store, warm, run)));
                long firstRead = time(
                        repetitions, () -> transaction.execute(t -> readAfter(store, new SteppedRuns(store), run)));
                if (warmUp) continue;
                measured.put(length, run);
                long lastSeq = jdbc.sql(
                                "SELECT last_score_seq FROM optimizer.prompt_optimization_runs WHERE run_id = ?")
                        .param(run)
                        .query(Long.class)
                        .single();
                int scores = jdbc.sql("SELECT count(*) FROM optimizer.candidate_scores WHERE run_id = ?")
                        .param(run)
                        .query(Integer.class)
                        .single();
                System.out.printf(
                        "%n  run with %,d candidates at the start (%,d at the end), %,d scores at the end%n"
                                + "    before: every candidate and score, every step      %9.3f ms%n"
                                + "    after: nothing new since the replica's last read   %9.3f ms%n"
                                + "    after: one candidate and 3 scores new              %9.3f ms%n"
                                + "    after: first read on a replica (full, once)       %9.3f ms%n"
                                + "    full reads / incremental reads of the kept replica: %d / %d%n",
                        length,
                        added[0],
                        scores,
                        before / 1e6,
                        nothingNew / 1e6,
                        oneNew / 1e6,
                        firstRead / 1e6,
                        warm.fullReads(),
                        warm.incrementalReads());
                System.out.println("    plan of the new-scores read (the last iteration's 3 scores): "
                        + firstLine(
                                jdbc,
                                "EXPLAIN SELECT candidate_id, example_id, score, run_seq"
                                        + " FROM optimizer.candidate_scores WHERE run_id = '" + run
                                        + "' AND run_seq > " + (lastSeq - 3) + " ORDER BY run_seq"));
                System.out.println("    plan of the new-candidates read: "
                        + firstLine(
                                jdbc,
                                "EXPLAIN SELECT * FROM optimizer.candidates WHERE run_id = '" + run
                                        + "' AND candidate_index >= " + added[0] + " ORDER BY candidate_index"));
            }
            lookUps(store, jdbc, transaction, measured, repetitions);
            pooled.close();
        }
        System.out.printf(
                "%nload average at end (1/5/15 min): %s; this JVM used %.1f CPU-s in %.1f s of wall time"
                        + " (PostgreSQL's own CPU not counted)%n",
                BenchmarkConditions.loadAverage(),
                (BenchmarkConditions.processCpuNanos() - cpuStart) / 1e9,
                (System.nanoTime() - wallStart) / 1e9);
    }

    /**
     * The two look-ups a step makes beside its reads: scores to reuse for a new instruction (one no run has, the
     * common case) and the run's pending evaluation requests; for both runs, then again after another run of 50,000
     * candidates (with as many requests) joined the history, with the plans PostgreSQL chose.
     */
    private static void lookUps(
            RunStore store,
            JdbcClient jdbc,
            TransactionTemplate transaction,
            Map<Integer, UUID> runs,
            int repetitions) {
        System.out.printf(
                "%n  look-ups beside the reads (a step makes them before requesting scores), median ms:%n"
                        + "    %-48s %14s %14s%n",
                "candidates (and requests) in the database / run", "reuse look-up", "pending check");
        for (boolean history : new boolean[] {false, true}) {
            if (history) createRun(store, jdbc, transaction, 50_000, false);
            jdbc.sql("VACUUM ANALYZE optimizer.candidates").update();
            jdbc.sql("VACUUM ANALYZE optimizer.evaluation_requests").update();
            jdbc.sql("VACUUM ANALYZE optimizer.prompt_optimization_runs").update();
            int total = jdbc.sql("SELECT count(*) FROM optimizer.candidates")
                    .query(Integer.class)
                    .single();
            for (var entry : runs.entrySet()) {
                UUID run = entry.getValue();
                var row = store.find(run).orElseThrow();
                String unknown = "f".repeat(64);
                long reuse = time(
                        repetitions,
                        () -> transaction.execute(t -> store.reuseKnownScores(
                                run,
                                UUID.randomUUID(),
                                unknown,
                                row.agentName(),
                                row.predictorName(),
                                TRAIN,
                                "train")));
                long pending = time(
                        repetitions,
                        () -> transaction.execute(
                                t -> store.pendingRequests(run).size()));
                System.out.printf(
                        "    %-48s %14.3f %14.3f%n",
                        String.format("%,d / run of %,d", total, entry.getKey()), reuse / 1e6, pending / 1e6);
            }
        }
        System.out.println("    plan of the pending check: "
                + firstLine(
                        jdbc,
                        "EXPLAIN SELECT request_id FROM optimizer.evaluation_requests WHERE run_id = '"
                                + runs.values().iterator().next() + "' AND status = 'pending'"));
        System.out.println("    plan of the reuse look-up's candidates (first lines): "
                + String.join(
                        " | ",
                        jdbc
                                .sql("EXPLAIN SELECT c.candidate_id FROM optimizer.candidates c"
                                        + " JOIN optimizer.prompt_optimization_runs r ON r.run_id = c.run_id"
                                        + " WHERE c.instruction_hash = '" + "f".repeat(64)
                                        + "' AND r.agent_name = 'bench-x'"
                                        + " AND r.predictor_name IS NOT DISTINCT FROM NULL")
                                .query(String.class)
                                .list()
                                .stream()
                                .limit(4)
                                .map(String::strip)
                                .toList()));
    }

    /** The step's read before issue 12, verbatim: every candidate, every score (three columns), the maps. */
    private static int readBefore(RunStore store, JdbcClient jdbc, UUID runId) {
        store.lock(runId);
        var run = store.find(runId).orElseThrow();
        List<CandidateRow> candidates = store.candidates(runId);
        Map<UUID, Integer> indexOf = new HashMap<>();
        for (CandidateRow c : candidates) indexOf.put(c.id(), c.index());
        Map<Integer, Map<String, Double>> scores = new HashMap<>();
        jdbc.sql("SELECT candidate_id, example_id, score FROM optimizer.candidate_scores WHERE run_id = ?")
                .param(runId)
                .query((rs, n) -> scores.computeIfAbsent(indexOf.get(rs.getObject(1, UUID.class)), k -> new HashMap<>())
                        .put(rs.getString(2), rs.getDouble(3)))
                .list();
        Map<Integer, Integer> reflections = new HashMap<>();
        for (CandidateRow c : candidates)
            if (c.origin().equals("reflection") || c.origin().equals("merge"))
                reflections.put(c.iteration(), c.index());
        return snapshot(run, candidates.stream().map(CandidateRow::toDomain).toList(), scores, reflections)
                .candidates()
                .size();
    }

    /** The step's read now: the run row, then only what is new since what the replica holds. */
    private static int readAfter(RunStore store, SteppedRuns runs, UUID runId) {
        store.lock(runId);
        var run = store.find(runId).orElseThrow();
        RunFacts facts = runs.refresh(run).facts();
        return snapshot(run, facts.candidates(), facts.scores(), facts.reflections())
                .candidates()
                .size();
    }

    private static RunSnapshot snapshot(
            RunStore.RunRow run,
            List<Candidate> candidates,
            Map<Integer, Map<String, Double>> scores,
            Map<Integer, Integer> reflections) {
        return new RunSnapshot(
                new GepaConfig(run.maxMetricCalls(), 3, run.seed(), 0, null, 1.0),
                TRAIN,
                VALIDATION_IDS,
                candidates,
                scores,
                reflections,
                run.iteration(),
                run.metricCallsSpent(),
                Duration.ZERO);
    }

    /**
     * A run with {@code length} candidates, each scored on the train and the validation examples (when {@code scored})
     * and each with an answered evaluation request but the last, whose request is still pending.
     */
    private static UUID createRun(RunStore store, JdbcClient jdbc, TransactionTemplate transaction, int length) {
        return createRun(store, jdbc, transaction, length, true);
    }

    private static UUID createRun(
            RunStore store, JdbcClient jdbc, TransactionTemplate transaction, int length, boolean scored) {
        UUID runId = UUID.randomUUID();
        transaction.executeWithoutResult(t -> {
            store.insertRun(TestRunRows.run(
                    runId, "bench-" + runId, "custom", 1_000_000, 1L, "running", length, 3, null, "{}", 0));
            jdbc.sql("""
                            INSERT INTO optimizer.candidates (run_id, candidate_index, instruction_text, instruction_hash,
                                   parent_indices, origin, iteration)
                            SELECT ?, i, repeat('Guideline ' || i || ': cite the policy. ', 40), lpad(to_hex(i), 64, '0'),
                                   CASE WHEN i = 0 THEN '{}'::int[] ELSE ARRAY[i - 1] END,
                                   CASE WHEN i = 0 THEN 'seed' ELSE 'reflection' END, greatest(i - 1, 0)
                              FROM generate_series(0, ? - 1) i
                            """).params(runId, length).update();
            jdbc.sql("""
                            INSERT INTO optimizer.evaluation_requests (run_id, candidate_id, example_ids, split, status,
                                   deadline, answered_at)
                            SELECT run_id, candidate_id, ARRAY['v0', 'v1', 'v2'], 'validation',
                                   CASE WHEN candidate_index = ? - 1 THEN 'pending' ELSE 'answered' END,
                                   now() + interval '1 hour',
                                   CASE WHEN candidate_index = ? - 1 THEN NULL ELSE now() END
                              FROM optimizer.candidates WHERE run_id = ?
                            """).params(length, length, runId).update();
            if (!scored) return;
            jdbc.sql("""
                            INSERT INTO optimizer.candidate_scores (run_id, candidate_id, example_id, split, score, feedback,
                                   output, run_seq)
                            SELECT ?, c.candidate_id, e.id, e.split, random(), repeat('f', 300), repeat('o', 300),
                                   row_number() OVER (ORDER BY c.candidate_index, e.id)
                              FROM optimizer.candidates c
                             CROSS JOIN (SELECT 't' || j AS id, 'train' AS split FROM generate_series(0, 2) j
                                         UNION ALL
                                         SELECT 'v' || j, 'validation' FROM generate_series(0, ? - 1) j) e
                             WHERE c.run_id = ?
                            """).params(runId, VALIDATION, runId).update();
            jdbc.sql(
                            "UPDATE optimizer.prompt_optimization_runs SET last_score_seq ="
                                    + " (SELECT max(run_seq) FROM optimizer.candidate_scores WHERE run_id = ?) WHERE run_id = ?")
                    .params(runId, runId)
                    .update();
        });
        return runId;
    }

    /** What one iteration records between two steps: a child, and its three minibatch scores (as answers). */
    private static void recordIteration(RunStore store, UUID runId, int index) {
        store.lock(runId);
        String text = "Child " + index + ": " + "cite the policy section. ".repeat(40);
        UUID child = store.insertCandidate(
                runId,
                index,
                text,
                InstructionHash.of(text),
                List.of(),
                List.of(index - 1),
                "reflection",
                index - 1,
                TRAIN,
                Map.of());
        for (String example : TRAIN)
            store.insertScore(runId, child, example, "train", 0.5, "f".repeat(300), "o".repeat(300), UUID.randomUUID());
    }

    private static String firstLine(JdbcClient jdbc, String explain) {
        return jdbc.sql(explain).query(String.class).list().getFirst().trim();
    }

    private static long time(int repetitions, IntSupplier work) {
        return time(repetitions, () -> 0, work);
    }

    /** Median wall time of {@code work}, in ns, each after {@code prepare} (not timed), after as many warm-ups. */
    private static long time(int repetitions, IntSupplier prepare, IntSupplier work) {
        int sink = 0;
        for (int i = 0; i < repetitions; i++) {
            sink += prepare.getAsInt();
            sink += work.getAsInt();
        }
        long[] samples = new long[repetitions];
        for (int i = 0; i < repetitions; i++) {
            sink += prepare.getAsInt();
            long start = System.nanoTime();
            sink += work.getAsInt();
            samples[i] = System.nanoTime() - start;
        }
        if (sink == 42) System.out.print("");
        Arrays.sort(samples);
        return samples[repetitions / 2];
    }

    /** One physical connection for the whole benchmark, so that no figure includes opening one. */
    private static final class SingleConnection implements AutoCloseable {
        private final org.springframework.jdbc.datasource.SingleConnectionDataSource dataSource;

        SingleConnection(DriverManagerDataSource from) throws java.sql.SQLException {
            dataSource = new org.springframework.jdbc.datasource.SingleConnectionDataSource(from.getConnection(), true);
        }

        javax.sql.DataSource dataSource() {
            return dataSource;
        }

        @Override
        public void close() {
            dataSource.destroy();
        }
    }
}
