package io.promptloop.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.promptloop.testkit.DatabaseLogin;
import io.promptloop.testkit.ServiceLogin;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./promptloop run} end to end, on free ports and a temporary data directory: the infrastructure
 * starts and is provisioned, ingest-service runs as a child JVM, the simulated agent's sessions land in
 * PostgreSQL through it, the simulated evaluator has published the baseline evaluations, and closing the stack
 * leaves no process behind.
 */
class DevStackIT {

    private static final Pattern TOTAL = Pattern.compile("\"total\"\\s*:\\s*(\\d+)");

    @BeforeAll
    static void logWarningsOnly() {
        DevStack.configureLogging(); // as the launcher does: no Kafka client configuration dumps in the report
    }

    @Test
    void shouldStoreTheSimulatedAgentsSessionsThroughIngestAndStopEverything(@TempDir Path temp) throws Exception {
        Path ingestJar = Path.of(System.getProperty("user.dir"))
                .resolveSibling("ingest-service")
                .resolve("target/ingest-service.jar");
        assumeTrue(Files.isRegularFile(ingestJar), ingestJar + " is not built");
        // a checkout holding ingest-service only: the other services are skipped
        Path project = temp.resolve("project");
        Files.createDirectories(project.resolve("ingest-service/target"));
        Files.createSymbolicLink(project.resolve("ingest-service/target/ingest-service.jar"), ingestJar);
        Options options = Options.parse(
                new String[] {
                    "--data-dir", temp.resolve("data").toString(),
                    "--project-dir", project.toString(),
                    "--pg-port", "0",
                    "--kafka-port", "0",
                    "--registry-port", "0",
                    "--ingest-port", "0",
                    "--registry-storage", "memory",
                    "--agent-rate", "5",
                    "--agent-seed", "42"
                },
                project);
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        List<DevStack.RunningService> services;
        try (DevStack stack = new DevStack(options, new PrintStream(output, true, StandardCharsets.UTF_8))) {
            stack.start();
            services = stack.services();
            assertThat(services).extracting(DevStack.RunningService::name).containsExactly("ingest-service");
            DevStack.RunningService ingest = services.getFirst();

            await().atMost(Duration.ofMinutes(2))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> endedSessions(stack.login(ServiceLogin.ANALYST)) > 0);
            assertThat(sessionsListed(ingest, stack.adminPassword())).isPositive();
            assertThat(stack.evaluator().stats().evaluationsSent())
                    .as("the baseline evaluations, published at start")
                    .isEqualTo(DevStack.BASELINE_EXAMPLES);
            await().atMost(Duration.ofMinutes(1))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> baselineEvaluationsStored(stack.superuser()) == DevStack.BASELINE_EXAMPLES);
            assertThat(stack.banner())
                    .contains("psql postgresql://analyst:"
                            + stack.login(ServiceLogin.ANALYST).password() + "@")
                    .contains(ingest.url() + "/api/sessions")
                    .contains("optimizer-service: not started")
                    .contains("simulated evaluator");
        }
        assertThat(output.toString(StandardCharsets.UTF_8)).contains("promptloop dev stack: stopped");
        for (DevStack.RunningService service : services) {
            assertThat(ProcessHandle.of(service.pid()).filter(ProcessHandle::isAlive))
                    .as(service.name() + " is gone")
                    .isEmpty();
        }
    }

    /** Sessions that ended, as the read-only analyst sees them: the login, grants and view all work. */
    private static long endedSessions(DatabaseLogin analyst) throws SQLException {
        try (Connection connection =
                        DriverManager.getConnection(analyst.jdbcUrl(), analyst.user(), analyst.password());
                Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery("SELECT count(*) FROM analytics.v_session_statistics"
                        + " WHERE session_end IS NOT NULL AND total_turns >= 3")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The simulated evaluator's baseline, as ingest-service stored it (examples hr-001 ...). */
    private static long baselineEvaluationsStored(DatabaseLogin superuser) throws SQLException {
        try (Connection connection =
                        DriverManager.getConnection(superuser.jdbcUrl(), superuser.user(), superuser.password());
                Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery("SELECT count(*) FROM conversation.evaluations"
                        + " WHERE example_id LIKE 'hr-%' AND run_id IS NULL")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static long sessionsListed(DevStack.RunningService ingest, String adminPassword) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(ingest.url() + "/api/sessions?size=1"))
                                .header(
                                        "Authorization",
                                        "Basic "
                                                + Base64.getEncoder()
                                                        .encodeToString(("admin:" + adminPassword)
                                                                .getBytes(StandardCharsets.UTF_8)))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        Matcher total = TOTAL.matcher(response.body());
        assertThat(total.find()).as(response.body()).isTrue();
        return Long.parseLong(total.group(1));
    }
}
