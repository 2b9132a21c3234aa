package io.promptloop.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.promptloop.avro.routing.InstructionRouting;
import io.promptloop.devstack.agent.RoutedTraffic;
import io.promptloop.schemas.Topics;
import io.promptloop.testkit.DatabaseLogin;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./promptloop run} closes the loop by itself, with nobody calling an endpoint: the dev stack registers the
 * simulated agent's baseline, the optimizer's policy starts a run on the baseline evaluations, abtest-service puts
 * the run's instruction to an A/B test, the simulated agent serves traffic by the routing topic and reports
 * observations, the treatment wins, is rolled out and watched, and the optimizer's active pointer follows the
 * routing. Checked in PostgreSQL (as the superuser) and on the {@code instruction-routing} topic.
 */
class ClosedLoopIT {

    static final Duration LOOP_TIMEOUT = Duration.ofMinutes(6);
    static final Duration POLL = Duration.ofSeconds(2);
    static final String AGENT = "hr-assistant";

    record Run(UUID runId, UUID baselineInstructionId, UUID optimizedInstructionId, double improvement) {}

    record AbTest(
            UUID testId,
            String status,
            String winner,
            boolean rolledOut,
            boolean monitoringComplete,
            UUID baselineInstructionId,
            UUID treatmentInstructionId) {}

    @BeforeAll
    static void logWarningsOnly() {
        DevStack.configureLogging();
    }

    @Test
    void shouldTestTheOptimizersRunAndRollOutTheWinnerWithoutAnyoneCallingAnEndpoint(@TempDir Path temp)
            throws Exception {
        Path project = projectWith(temp, List.of("ingest-service", "optimizer-service", "abtest-service"));
        Options options = loopOptions(temp, project);
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8);
        try (DevStack stack = new DevStack(options, new TeeStream(out, System.out))) {
            stack.start();
            long deadline = System.nanoTime() + LOOP_TIMEOUT.toNanos();
            DatabaseLogin db = stack.superuser();
            Path logs = temp.resolve("data/logs");

            Run run = await("an optimization run started by the policy completed (logs in " + logs + ")")
                    .atMost(left(deadline))
                    .pollInterval(POLL)
                    .until(() -> firstCompletedRun(db), Optional::isPresent)
                    .orElseThrow();
            assertThat(run.improvement())
                    .as("improvement percent of run " + run.runId())
                    .isGreaterThanOrEqualTo(5.0);

            AbTest created = await("abtest-service created a test from run " + run.runId())
                    .atMost(left(deadline))
                    .pollInterval(POLL)
                    .until(() -> testOf(db, run.runId()), Optional::isPresent)
                    .orElseThrow();
            assertThat(created.baselineInstructionId()).isEqualTo(run.baselineInstructionId());
            assertThat(created.treatmentInstructionId()).isEqualTo(run.optimizedInstructionId());

            AbTest done = await("test " + created.testId() + " concluded for the treatment, rolled out and watched")
                    .atMost(left(deadline))
                    .pollInterval(POLL)
                    .until(() -> testOf(db, run.runId()).orElseThrow(), ClosedLoopIT::settled);
            assertThat(done.winner()).as("winner of test " + done.testId()).isEqualTo("treatment");
            assertThat(done.status()).isEqualTo("rolled_out");
            assertThat(done.rolledOut()).isTrue();
            assertThat(done.monitoringComplete()).isTrue();

            await("the optimizer's active instruction follows the routing to " + run.optimizedInstructionId())
                    .atMost(left(deadline).plusSeconds(30))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(
                            () -> activeInstruction(db),
                            active -> active.equals(Optional.of(run.optimizedInstructionId())));
            assertThat(activeInstructionView(db).orElseThrow())
                    .as("analytics.v_active_instructions: the winner, promoted by the test")
                    .containsExactly(run.optimizedInstructionId(), done.testId());

            List<InstructionRouting> routing = routingHistory(stack.kafkaBootstrapServers(), stack.registryApiV3Url());
            assertThat(routing)
                    .extracting(InstructionRouting::getReason)
                    .containsSubsequence("test_started", "rolled_out", "monitoring_complete");
            InstructionRouting latest = routing.getLast();
            assertThat(latest.getActiveInstructionId())
                    .isEqualTo(run.optimizedInstructionId().toString());
            assertThat(latest.getTest()).isNull();
            InstructionRouting started = routing.stream()
                    .filter(r -> r.getReason().equals("test_started"))
                    .findFirst()
                    .orElseThrow();
            assertThat(started.getTest().getTestId()).isEqualTo(done.testId().toString());
            assertThat(started.getActiveInstructionId())
                    .isEqualTo(run.baselineInstructionId().toString());

            assertThat(stack.banner())
                    .contains("simulated traffic   40 requests/s by instruction-routing")
                    .contains("routing now       hr-assistant serves v")
                    .contains("closed loop       the optimizer looks every 10s");
            RoutedTraffic.Stats traffic = stack.traffic().stats();
            assertThat(traffic.observationsSent())
                    .as("observations the simulated agent reported")
                    .isGreaterThanOrEqualTo(600);
            assertThat(output.toString(StandardCharsets.UTF_8))
                    .contains("A/B test " + done.testId() + " started for " + AGENT)
                    .contains("test " + done.testId() + " done: v");
        }
    }

    /** A project directory holding links to the built jars of {@code modules}; skips the test if one is not built. */
    static Path projectWith(Path temp, List<String> modules) throws java.io.IOException {
        Path project = temp.resolve("project");
        for (String service : modules) {
            Path jar = Path.of(System.getProperty("user.dir"))
                    .resolveSibling(service)
                    .resolve("target/" + service + ".jar");
            assumeTrue(Files.isRegularFile(jar), jar + " is not built");
            Files.createDirectories(project.resolve(service + "/target"));
            Files.createSymbolicLink(project.resolve(service + "/target/" + service + ".jar"), jar);
        }
        return project;
    }

    /** The dev stack on free ports with the loop's traffic, as {@code ./promptloop run} but seeded. */
    static Options loopOptions(Path temp, Path project) throws Options.UsageException {
        return Options.parse(
                new String[] {
                    "--data-dir", temp.resolve("data").toString(),
                    "--project-dir", project.toString(),
                    "--pg-port", "0",
                    "--kafka-port", "0",
                    "--registry-port", "0",
                    "--ingest-port", "0",
                    "--optimizer-port", "0",
                    "--abtest-port", "0",
                    "--console-port", "0",
                    "--registry-storage", "memory",
                    "--agent-rate", "1",
                    "--agent-seed", "42",
                    "--traffic-rate", "40"
                },
                project);
    }

    /** Rolled out and watched, or an end that no longer leads there (rolled back, stopped, no treatment win). */
    static boolean settled(AbTest t) {
        return t.monitoringComplete()
                || t.status().equals("rolled_back")
                || t.status().equals("stopped")
                || (t.status().equals("concluded") && !"treatment".equals(t.winner()));
    }

    static Duration left(long deadline) {
        return Duration.ofNanos(Math.max(1_000_000_000L, deadline - System.nanoTime()));
    }

    static Optional<Run> firstCompletedRun(DatabaseLogin db) throws SQLException {
        try (Connection c = connect(db);
                PreparedStatement s = c.prepareStatement("""
                        SELECT r.run_id, r.baseline_instruction_id, i.instruction_id, r.improvement_percent
                          FROM optimizer.prompt_optimization_runs r
                          JOIN optimizer.optimized_instructions i ON i.run_id = r.run_id
                         WHERE r.agent_name = ? AND r.status = 'completed'
                         ORDER BY r.created_at LIMIT 1
                        """)) {
            s.setString(1, AGENT);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next()
                        ? Optional.of(new Run(
                                rs.getObject(1, UUID.class),
                                rs.getObject(2, UUID.class),
                                rs.getObject(3, UUID.class),
                                rs.getDouble(4)))
                        : Optional.empty();
            }
        }
    }

    static Optional<AbTest> testOf(DatabaseLogin db, UUID runId) throws SQLException {
        try (Connection c = connect(db);
                PreparedStatement s = c.prepareStatement("""
                        SELECT test_id, status::text, winner::text, rolled_out, monitoring_complete,
                               baseline_instruction_id, treatment_instruction_id
                          FROM abtest.prompt_ab_tests WHERE source_run_id = ?
                        """)) {
            s.setObject(1, runId);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next()
                        ? Optional.of(new AbTest(
                                rs.getObject(1, UUID.class),
                                rs.getString(2),
                                rs.getString(3),
                                rs.getBoolean(4),
                                rs.getBoolean(5),
                                rs.getObject(6, UUID.class),
                                rs.getObject(7, UUID.class)))
                        : Optional.empty();
            }
        }
    }

    /** The active instruction as analysts see it, with the A/B test that promoted it (null while none did). */
    private static Optional<UUID[]> activeInstructionView(DatabaseLogin db) throws SQLException {
        try (Connection c = connect(db);
                PreparedStatement s = c.prepareStatement("SELECT instruction_id, promoted_by_test_id"
                        + " FROM analytics.v_active_instructions WHERE agent_name = ? AND predictor_name IS NULL")) {
            s.setString(1, AGENT);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next()
                        ? Optional.of(new UUID[] {rs.getObject(1, UUID.class), rs.getObject(2, UUID.class)})
                        : Optional.empty();
            }
        }
    }

    private static Optional<UUID> activeInstruction(DatabaseLogin db) throws SQLException {
        try (Connection c = connect(db);
                PreparedStatement s = c.prepareStatement("SELECT instruction_id FROM optimizer.optimized_instructions"
                        + " WHERE agent_name = ? AND predictor_name IS NULL AND is_active")) {
            s.setString(1, AGENT);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.of(rs.getObject(1, UUID.class)) : Optional.empty();
            }
        }
    }

    static Connection connect(DatabaseLogin db) throws SQLException {
        return DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
    }

    /** Every routing record of the agent, in the order of its partition (one key, one partition). */
    static List<InstructionRouting> routingHistory(String bootstrapServers, String registryUrl) {
        var config = RoutedTraffic.consumerConfig(bootstrapServers, registryUrl);
        List<InstructionRouting> history = new ArrayList<>();
        try (KafkaConsumer<String, InstructionRouting> consumer = new KafkaConsumer<>(config)) {
            String topic = Topics.INSTRUCTION_ROUTING.name();
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            var end = consumer.endOffsets(partitions);
            await("the routing topic read to its end")
                    .atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(10))
                    .until(() -> {
                        for (ConsumerRecord<String, InstructionRouting> r : consumer.poll(Duration.ofMillis(200))) {
                            if (AGENT.equals(r.key()) && r.value() != null) history.add(r.value());
                        }
                        return end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
                    });
        }
        return history;
    }

    /** The dev stack's output to the test's report as well, so that the loop's lines show while it runs. */
    private static final class TeeStream extends PrintStream {
        TeeStream(PrintStream first, PrintStream second) {
            super(
                    new java.io.OutputStream() {
                        @Override
                        public void write(int b) {
                            first.write(b);
                            second.write(b);
                        }

                        @Override
                        public void write(byte[] b, int off, int len) {
                            first.write(b, off, len);
                            second.write(b, off, len);
                        }

                        @Override
                        public void flush() {
                            first.flush();
                            second.flush();
                        }
                    },
                    true,
                    StandardCharsets.UTF_8);
        }
    }
}
