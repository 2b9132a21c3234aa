package io.promptloop.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.promptloop.avro.common.AgentRef;
import io.promptloop.avro.evaluation.EvaluationRecorded;
import io.promptloop.devstack.agent.SimulatedAgent;
import io.promptloop.schemas.Topics;
import io.promptloop.testkit.ChildProcess;
import io.promptloop.testkit.agent.SimulatedEvaluator;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./promptloop run} as a user runs it — the launcher JVM as a child process of this test, on free ports —
 * supervises its children: ingest-service and the Kafka broker killed with SIGKILL are reported and started
 * again, a stream of evaluations published across the outage is in PostgreSQL once each, and SIGINT while the
 * broker is dead stops the stack with every process it started gone within its stop bound.
 */
class DevStackSupervisionIT {

    private static final Pattern PROCESSES = Pattern.compile("processes\\s+(.+)");
    private static final Pattern NAMED_PID = Pattern.compile("([a-z-]+) (\\d+)");
    private static final Pattern BOOTSTRAP = Pattern.compile("bootstrap servers (127\\.0\\.0\\.1:\\d+)");
    private static final Pattern REGISTRY = Pattern.compile("Apicurio API v3:\\s+(\\S+)");
    private static final Pattern POSTGRES = Pattern.compile("jdbc:postgresql://127\\.0\\.0\\.1:(\\d+)/promptloop");
    private static final String AGENT = "outage-agent";

    @Test
    void shouldRestartAKilledServiceAndBrokerLoseNothingAndStopEverythingWithTheBrokerDead(@TempDir Path temp)
            throws Exception {
        Path devstackJar = Path.of(System.getProperty("user.dir")).resolve("target/devstack.jar");
        Path ingestJar = Path.of(System.getProperty("user.dir"))
                .resolveSibling("ingest-service")
                .resolve("target/ingest-service.jar");
        assumeTrue(Files.isRegularFile(devstackJar), devstackJar + " is not built");
        assumeTrue(Files.isRegularFile(ingestJar), ingestJar + " is not built");
        Path project = temp.resolve("project"); // ingest-service only: the other services are skipped
        Files.createDirectories(project.resolve("ingest-service/target"));
        Files.createSymbolicLink(project.resolve("ingest-service/target/ingest-service.jar"), ingestJar);

        Process launcher = new ProcessBuilder(
                        ChildProcess.javaExecutable(),
                        "-jar",
                        devstackJar.toString(),
                        "--data-dir",
                        temp.resolve("data").toString(),
                        "--project-dir",
                        project.toString(),
                        "--pg-port",
                        "0",
                        "--kafka-port",
                        "0",
                        "--registry-port",
                        "0",
                        "--ingest-port",
                        "0",
                        "--registry-storage",
                        "memory",
                        "--no-agent")
                .redirectErrorStream(true)
                .start();
        Output output = new Output(launcher);
        try {
            output.await("the stack is up", "promptloop is running", Duration.ofMinutes(4));
            Map<String, Long> pids = pids(output.match(PROCESSES).orElseThrow());
            assertThat(pids).containsKeys("devstack", "postgresql", "kafka", "apicurio-registry", "ingest-service");
            String bootstrap = output.match(BOOTSTRAP).orElseThrow();
            String registry = output.match(REGISTRY).orElseThrow();
            String jdbcUrl =
                    "jdbc:postgresql://127.0.0.1:" + output.match(POSTGRES).orElseThrow() + "/promptloop";

            Publisher publisher = new Publisher(bootstrap, registry);
            publisher.start();
            await("some evaluations stored before the outage")
                    .atMost(Duration.ofMinutes(1))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> stored(jdbcUrl, publisher.eventIds()).size() >= 20);

            ProcessHandle.of(pids.get("ingest-service")).orElseThrow().destroyForcibly();
            ProcessHandle.of(pids.get("kafka")).orElseThrow().destroyForcibly();
            output.await(
                    "ingest-service's death reported",
                    "] ingest-service (pid " + pids.get("ingest-service") + ", up ",
                    Duration.ofSeconds(30));
            assertThat(output.text())
                    .contains("] kafka (pid " + pids.get("kafka") + ", up ")
                    .containsPattern("\\[died [\\d:]+\\] kafka \\(pid " + pids.get("kafka")
                            + ", up [\\d.]+ s\\): killed by signal 9 \\(SIGKILL\\), exit value 137; log \\S+kafka.log;"
                            + " restarting in 1.0 s");
            output.await("Kafka restarted", "] kafka (pid ", Duration.ofMinutes(2), "[restarted");
            output.await("ingest-service restarted", "] ingest-service (pid ", Duration.ofMinutes(3), "[restarted");

            int atRestart = publisher.eventIds().size();
            await("a few more evaluations sent after both are back")
                    .atMost(Duration.ofMinutes(1))
                    .until(() -> publisher.eventIds().size() >= atRestart + 20);
            List<UUID> published = publisher.stopAndFlush();
            assertThat(publisher.failures())
                    .as("evaluations the producer could not send")
                    .isZero();
            assertThat(published.size()).isGreaterThan(40);
            await("every evaluation published across the outage stored")
                    .atMost(Duration.ofMinutes(2))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> stored(jdbcUrl, published).size() == published.size());
            Map<UUID, Integer> stored = stored(jdbcUrl, published);
            assertThat(stored.values()).as("rows per event id").containsOnly(1);

            // Ctrl-C while the broker is dead: every process of the stack gone within its bound
            Map<String, Long> before = pids(output.match(PROCESSES).orElseThrow());
            long kafkaNow = restartedPid(output.text(), "kafka");
            Set<Long> children = ConcurrentHashMap.newKeySet();
            launcher.toHandle().descendants().forEach(p -> children.add(p.pid()));
            children.add(before.get("postgresql")); // pg_ctl's child, not ours by descent
            ProcessHandle.of(kafkaNow).orElseThrow().destroyForcibly();
            output.await(
                    "the second death of Kafka reported", "] kafka (pid " + kafkaNow + ", up ", Duration.ofSeconds(30));
            long signalled = System.nanoTime();
            new ProcessBuilder("kill", "-INT", Long.toString(launcher.pid()))
                    .inheritIO()
                    .start()
                    .waitFor();
            Duration bound = DevStack.STOP_BOUND;
            assertThat(launcher.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS))
                    .as("the launcher ended within " + bound)
                    .isTrue();
            await("every child gone")
                    .atMost(Duration.ofNanos(Math.max(1, bound.toNanos() - (System.nanoTime() - signalled))))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> children.stream()
                            .noneMatch(pid -> ProcessHandle.of(pid)
                                    .filter(ProcessHandle::isAlive)
                                    .isPresent()));
            System.out.printf(
                    "dev stack stopped with the broker dead: every process gone %.1f s after SIGINT (bound %d s)%n",
                    (System.nanoTime() - signalled) / 1e9, bound.toSeconds());
            output.await("the stack says it stopped", "promptloop dev stack: stopped in", Duration.ofSeconds(5));
            assertThat(launcher.exitValue())
                    .as("the launcher's exit after SIGINT: 128 + 2, as shells report a Ctrl-C")
                    .isEqualTo(130);
        } catch (AssertionError | RuntimeException e) {
            for (String log : List.of("ingest-service.log", "kafka.log")) {
                System.out.println("---- last lines of " + log + "\n"
                        + ChildProcess.tail(temp.resolve("data/logs").resolve(log), 40));
            }
            throw e;
        } finally {
            stopForGood(launcher, output);
        }
    }

    /** After a failure: Ctrl-C, and SIGKILL of what is left (the postmaster is not the launcher's descendant). */
    private static void stopForGood(Process launcher, Output output) throws Exception {
        if (!launcher.isAlive()) {
            return;
        }
        Long postmaster = output.match(PROCESSES)
                .map(line -> pids(line).get("postgresql"))
                .orElse(null);
        new ProcessBuilder("kill", "-INT", Long.toString(launcher.pid()))
                .inheritIO()
                .start()
                .waitFor();
        if (!launcher.waitFor(DevStack.STOP_BOUND.toMillis(), TimeUnit.MILLISECONDS)) {
            ChildProcess.killTree(launcher.toHandle());
            if (postmaster != null) {
                ProcessHandle.of(postmaster).ifPresent(ChildProcess::killTree);
            }
        }
    }

    private static Map<String, Long> pids(String processesLine) {
        Map<String, Long> pids = new HashMap<>();
        Matcher m = NAMED_PID.matcher(processesLine);
        while (m.find()) {
            pids.put(m.group(1), Long.parseLong(m.group(2)));
        }
        return pids;
    }

    private static long restartedPid(String text, String name) {
        Matcher m = Pattern.compile("\\[restarted [\\d:]+\\] " + name + " \\(pid (\\d+)\\)")
                .matcher(text);
        long pid = -1;
        while (m.find()) {
            pid = Long.parseLong(m.group(1));
        }
        assertThat(pid).as("pid of the restarted " + name).isPositive();
        return pid;
    }

    /** Rows per event id among {@code ids} in {@code conversation.evaluations}, read as the superuser. */
    private static Map<UUID, Integer> stored(String jdbcUrl, List<UUID> ids) throws Exception {
        Map<UUID, Integer> rows = new HashMap<>();
        try (Connection c = DriverManager.getConnection(jdbcUrl, "postgres", "postgres");
                PreparedStatement s = c.prepareStatement(
                        "SELECT id, count(*) FROM conversation.evaluations WHERE id = ANY (?) GROUP BY id")) {
            s.setArray(1, c.createArrayOf("uuid", ids.toArray()));
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    rows.put(rs.getObject(1, UUID.class), rs.getInt(2));
                }
            }
        }
        return rows;
    }

    /** Five evaluations every 100 ms, as an agent would publish them, through the broker's death and return. */
    private static final class Publisher {

        private final KafkaProducer<String, SpecificRecord> producer;
        private final SimulatedEvaluator answers;
        private final List<UUID> eventIds = java.util.Collections.synchronizedList(new ArrayList<>());
        private final AtomicLong failures = new AtomicLong();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private Thread thread;

        Publisher(String bootstrap, String registry) {
            Map<String, Object> config = SimulatedAgent.producerConfig(bootstrap, registry);
            config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 300_000);
            config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 300_000);
            this.producer = new KafkaProducer<>(config);
            this.answers = new SimulatedEvaluator(SimulatedEvaluator.Settings.of(bootstrap, registry));
        }

        void start() {
            thread = Thread.ofPlatform().name("outage-publisher").start(() -> {
                int batch = 0;
                while (running.get()) {
                    // the event ids derive from agent, example and instruction: a new instruction text per batch
                    String instruction = DevStack.BASELINE_INSTRUCTION + " (batch " + batch++ + ")";
                    for (EvaluationRecorded e :
                            answers.baselineEvaluations(new AgentRef(AGENT, null), instruction, 5)) {
                        eventIds.add(UUID.fromString(e.getEventId()));
                        producer.send(new ProducerRecord<>(Topics.AGENT_EVALUATIONS.name(), AGENT, e), (m, error) -> {
                            if (error != null) {
                                failures.incrementAndGet();
                            }
                        });
                    }
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
        }

        List<UUID> eventIds() {
            synchronized (eventIds) {
                return List.copyOf(eventIds);
            }
        }

        List<UUID> stopAndFlush() throws InterruptedException {
            running.set(false);
            thread.join();
            producer.flush();
            producer.close();
            return eventIds();
        }

        long failures() {
            return failures.get();
        }
    }

    /** The launcher's output, kept and echoed to the test's report. */
    private static final class Output {

        private final StringBuffer text = new StringBuffer();

        Output(Process process) {
            Thread.ofPlatform().daemon().name("devstack-output").start(() -> {
                try (BufferedReader reader =
                        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = reader.readLine()) != null) {
                        System.out.println("[devstack] " + line);
                        text.append(line).append('\n');
                    }
                } catch (java.io.IOException e) {
                    // the process is gone
                }
            });
        }

        String text() {
            return text.toString();
        }

        java.util.Optional<String> match(Pattern pattern) {
            Matcher m = pattern.matcher(text());
            String last = null;
            while (m.find()) {
                last = m.group(1);
            }
            return java.util.Optional.ofNullable(last);
        }

        void await(String what, String fragment, Duration timeout) {
            await(what, fragment, timeout, "");
        }

        /** Waits for a line that contains {@code prefix} followed (on the same line) by {@code fragment}. */
        void await(String what, String fragment, Duration timeout, String prefix) {
            org.awaitility.Awaitility.await(what)
                    .atMost(timeout)
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> text().lines()
                            .anyMatch(l -> l.contains(prefix)
                                    && l.contains(fragment)
                                    && l.indexOf(prefix) <= l.indexOf(fragment)));
        }
    }
}
