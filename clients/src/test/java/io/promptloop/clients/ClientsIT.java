package io.promptloop.clients;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The agent SDKs against the real stack, started as {@code ./promptloop run} starts it ({@code devstack.jar}: Kafka,
 * PostgreSQL, Apicurio Registry, ingest, optimizer and abtest services) on free ports, without the simulated agent.
 * Each language's integration suite ({@code clients/run-tests.sh python-it|typescript-it}) gets the stack's
 * addresses in {@code PROMPTLOOP_IT_*} and must pass; afterwards the session it published is checked here in
 * PostgreSQL, stored exactly once although every event was sent twice. The example agents run against the same stack.
 */
class ClientsIT {

    private static final Duration START_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration SUITE_TIMEOUT = Duration.ofMinutes(10);

    private static final Path MODULE = Path.of(System.getProperty("user.dir"));
    private static final Path PROJECT = MODULE.getParent();
    private static Process stack;
    private static Path stackLog;
    private static Map<String, String> addresses;
    private static String jdbcUrl;
    private static Path dataDirectory;

    @BeforeAll
    static void startTheDevStack() throws Exception {
        Path jar = PROJECT.resolve("devstack/target/devstack.jar");
        assertThat(jar)
                .as("the dev stack is built by the reactor before this module")
                .isRegularFile();
        Path data = Files.createDirectories(MODULE.resolve("target/it-stack"));
        stackLog = MODULE.resolve("target/it-stack.log");
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "-jar", jar.toString()));
        dataDirectory = data.resolve(UUID.randomUUID().toString());
        command.addAll(List.of(
                "--data-dir",
                dataDirectory.toString(),
                "--project-dir",
                PROJECT.toString(),
                "--pg-port",
                "0",
                "--kafka-port",
                "0",
                "--registry-port",
                "0",
                "--ingest-port",
                "0",
                "--optimizer-port",
                "0",
                "--abtest-port",
                "0",
                "--console-port",
                "0",
                "--registry-storage",
                "memory",
                "--no-agent"));
        stack = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(stackLog.toFile())
                .start();
        String banner = await("the dev stack printed its banner (output in " + stackLog + ")")
                .atMost(START_TIMEOUT)
                .pollInterval(Duration.ofSeconds(1))
                .failFast("the dev stack exited (output in " + stackLog + ")", () -> !stack.isAlive())
                .until(ClientsIT::completeBanner, b -> !b.isEmpty());
        addresses = parse(banner);
        jdbcUrl = find(banner, "jdbc:postgresql://\\S+");
    }

    @AfterAll
    static void stopTheDevStack() throws InterruptedException {
        if (stack != null) {
            stack.destroy(); // SIGTERM: the dev stack stops what it started
            if (!stack.waitFor(2, TimeUnit.MINUTES)) stack.destroyForcibly();
        }
    }

    @Test
    void shouldPassThePythonIntegrationTestsAndStoreItsSessionOnce() throws Exception {
        UUID session = UUID.randomUUID();
        runSuite("python-it", session);
        assertStoredOnce(session);
    }

    @Test
    void shouldPassTheTypeScriptIntegrationTestsAndStoreItsSessionOnce() throws Exception {
        UUID session = UUID.randomUUID();
        runSuite("typescript-it", session);
        assertStoredOnce(session);
    }

    /** The example agents, as README shows them, for 20 seconds each against the stack. */
    @Test
    void shouldRunBothExampleAgents() throws Exception {
        for (String language : List.of("python", "typescript")) {
            String agent = language + "-example-it";
            List<String> command = List.of(
                    "bash",
                    PROJECT.resolve("examples/" + language + "/run").toString(),
                    "--agent",
                    agent,
                    "--bootstrap",
                    addresses.get("PROMPTLOOP_IT_BOOTSTRAP"),
                    "--registry",
                    addresses.get("PROMPTLOOP_IT_REGISTRY"),
                    "--optimizer",
                    addresses.get("PROMPTLOOP_IT_OPTIMIZER_URL"),
                    "--credentials",
                    dataDirectory.resolve("credentials.properties").toString(),
                    "--duration",
                    "20");
            String output = run(language + "-example", command, Map.of());
            Matcher summary = Pattern.compile("(\\d+) sessions published, (\\d+) A/B observations reported, (\\d+)"
                            + " evaluation requests answered \\((\\d+) failed\\)")
                    .matcher(output);
            assertThat(summary.find()).as(language + " example's summary line").isTrue();
            int sessions = Integer.parseInt(summary.group(1));
            assertThat(sessions).as("sessions").isPositive();
            assertThat(summary.group(4)).as("failed evaluations").isEqualTo("0");
            try (Connection c = DriverManager.getConnection(jdbcUrl, "postgres", "");
                    PreparedStatement s = c.prepareStatement(
                            "SELECT count(*) FROM conversation.prompt_tuning_sessions WHERE agent_name = ?")) {
                s.setString(1, agent);
                await(language + " example's sessions stored by ingest")
                        .atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofSeconds(1))
                        .until(() -> count(s), n -> n == sessions);
            }
        }
    }

    private static int count(PreparedStatement s) throws SQLException {
        try (ResultSet rs = s.executeQuery()) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static void runSuite(String suite, UUID session) throws IOException, InterruptedException {
        run(
                suite,
                List.of("bash", MODULE.resolve("run-tests.sh").toString(), suite),
                Map.of(
                        "PROMPTLOOP_IT_SESSION_ID",
                        session.toString(),
                        "PROMPTLOOP_CONTRACT_DIR",
                        System.getProperty("promptloop.contract.dir")));
    }

    /** Runs a command with the stack's addresses in its environment; returns its output, fails on a non-zero exit. */
    private static String run(String name, List<String> command, Map<String, String> env)
            throws IOException, InterruptedException {
        Path log = MODULE.resolve("target/" + name + ".log");
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(PROJECT.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().putAll(addresses);
        builder.environment().putAll(env);
        Process process = builder.start();
        boolean finished = process.waitFor(SUITE_TIMEOUT.toMinutes(), TimeUnit.MINUTES);
        if (!finished) process.destroyForcibly();
        String output = Files.readString(log, StandardCharsets.UTF_8);
        System.out.println(output);
        assertThat(finished).as(name + " finished within " + SUITE_TIMEOUT).isTrue();
        assertThat(process.exitValue())
                .as(name + " exit code (output above and in " + log + ")")
                .isZero();
        return output;
    }

    /**
     * The suites publish SessionStarted, turns 1–3, a note on turn 2 and SessionEnded, send all of them again with
     * the same ids, then turn 4; the counters move by inserted rows only, so they show any duplicate.
     */
    private static void assertStoredOnce(UUID session) throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbcUrl, "postgres", "")) {
            assertThat(queryInts(
                            c,
                            "SELECT total_turns, total_improvements FROM conversation.prompt_tuning_sessions"
                                    + " WHERE id = ?",
                            session))
                    .as("counters of session " + session)
                    .containsExactly(4, 1);
            assertThat(queryInts(
                            c,
                            "SELECT turn_number FROM conversation.tuning_conversation_turns WHERE session_id = ?"
                                    + " ORDER BY turn_number",
                            session))
                    .containsExactly(1, 2, 3, 4);
            assertThat(queryInts(
                            c, "SELECT count(*) FROM conversation.tuning_improvements WHERE session_id = ?", session))
                    .containsExactly(1);
        }
    }

    private static List<Integer> queryInts(Connection c, String sql, UUID id) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setObject(1, id);
            List<Integer> values = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) values.add(rs.getInt(i));
                }
            }
            return values;
        }
    }

    /** The banner once it is printed whole (it ends with a rule after the startup line), else "". */
    private static String completeBanner() throws IOException {
        String out = Files.readString(stackLog, StandardCharsets.UTF_8);
        int start = out.indexOf("promptloop is running");
        if (start < 0) return "";
        int startup = out.indexOf(" startup ", start);
        if (startup < 0 || out.indexOf("=====", startup) < 0) return "";
        return out.substring(start);
    }

    /** What the suites need, from the banner the dev stack prints (the same one a developer reads). */
    static Map<String, String> parse(String banner) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PROMPTLOOP_IT_BOOTSTRAP", find(banner, "bootstrap servers (\\S+)"));
        env.put("PROMPTLOOP_IT_REGISTRY", find(banner, "Confluent-compatible: (\\S+)"));
        env.put("PROMPTLOOP_IT_INGEST_URL", find(banner, "ingest-service\\s+(http://\\S+)"));
        env.put("PROMPTLOOP_IT_OPTIMIZER_URL", find(banner, "optimizer-service\\s+(http://\\S+)"));
        env.put("PROMPTLOOP_IT_ABTEST_URL", find(banner, "abtest-service\\s+(http://\\S+)"));
        env.put("PROMPTLOOP_IT_USER", "admin");
        env.put("PROMPTLOOP_IT_PASSWORD", find(banner, "user admin, password (\\S+)"));
        return env;
    }

    private static String find(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        if (!m.find()) throw new IllegalStateException("the dev stack's banner has no " + regex + ":\n" + text);
        return m.groupCount() > 0 ? m.group(1) : m.group();
    }
}
