package io.promptloop.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.promptloop.ingest.ingestion.domain.AgentId;
import io.promptloop.ingest.ingestion.domain.TurnRecorded;
import io.promptloop.ingest.ingestion.persistence.EventWriter;
import io.promptloop.support.web.Endpoints;
import io.promptloop.testkit.OpenApiContract;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The HTTP side, over a real server: authentication, listing, one session, CSV export, health. */
// closed after the class: a cached context would keep consuming as a second replica (CrashRedeliveryIT)
@DirtiesContext
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SessionApiIT extends IngestTestSupport {

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Autowired
    EventWriter writer;

    @Autowired
    TransactionTemplate transaction;

    private final HttpClient http = HttpClient.newHttpClient();
    private final String tester = "api-" + UUID.randomUUID() + "@fc.com";
    private final String sessionA = UUID.randomUUID().toString();
    private final String sessionB = UUID.randomUUID().toString();

    @BeforeAll
    void twoSessionsOfOneTester() {
        sendSession(started(sessionA, tester));
        sendSession(turn(sessionA, 1, "=HYPERLINK(\"http://evil\",\"click\")"));
        sendSession(note(sessionA, 1, "-2+3 looks like a formula, keep it text"));
        sendSession(turn(sessionA, 2));
        sendSession(ended(sessionA));
        sendSession(started(sessionB, tester));
        sendSession(turn(sessionB, 1));
        SessionIngestIT.awaitSession(sessionA, 2, 1);
        SessionIngestIT.awaitSession(sessionB, 1, 0);
    }

    @Test
    void shouldRequireAuthenticationOnTheApiPortAndNoneOnTheManagementPort() throws Exception {
        var anonymous = get("/api/sessions", null);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("Content-Type"))
                .hasValueSatisfying(v -> assertThat(v).startsWith("application/problem+json"));
        assertThat(anonymous.body()).contains("\"status\":401", "authentication required");
        assertThat(get("/api/sessions", "analyst:wrong").statusCode()).isEqualTo(401);
        assertThat(get("/actuator/prometheus", null).statusCode())
                .as("metrics are not served on the API port")
                .isIn(401, 404);

        assertThat(getManagement("/actuator/health/liveness").statusCode()).isEqualTo(200);
        var readiness = getManagement("/actuator/health/readiness");
        assertThat(readiness.statusCode()).isEqualTo(200);
        assertThat(readiness.body()).contains("\"UP\"", "\"db\"", "\"kafka\"");
        var scrape = getManagement("/actuator/prometheus");
        assertThat(scrape.statusCode())
                .as("Prometheus scrapes without the API users' passwords")
                .isEqualTo(200);
        assertThat(scrape.body()).contains("promptloop_ingest_events_total");
        // the consumer group's total lag, read from the real broker by the service itself (ConsumerGroupLag)
        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> assertThat(
                                getManagement("/actuator/prometheus").body().lines())
                        .as("a finite lag gauge per topic the ingest group reads")
                        .anySatisfy(line -> assertThat(line)
                                .startsWith("promptloop_kafka_consumer_group_lag{")
                                .contains("topic=\"agent-sessions\"")
                                .doesNotEndWith("NaN"))
                        .anySatisfy(line -> assertThat(line)
                                .startsWith("promptloop_kafka_consumer_group_lag{")
                                .contains("topic=\"agent-evaluations\"")
                                .doesNotEndWith("NaN")));
    }

    private HttpResponse<String> getManagement(String path) throws Exception {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + path))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
    }

    @Autowired
    @Qualifier("requestMappingHandlerMapping")
    RequestMappingHandlerMapping mappings;

    @Test
    void shouldServeAnOpenApiDescriptionThatShowsEveryEndpoint() throws Exception {
        assertThat(get("/v3/api-docs", null).statusCode()).isEqualTo(401);
        var docs = get("/v3/api-docs", "analyst:analyst-secret");
        assertThat(docs.statusCode()).isEqualTo(200);
        var endpoints = Endpoints.of(mappings);
        assertThat(endpoints).containsKeys("/api/sessions", "/api/sessions/{id}", "/api/sessions/export.csv");
        assertThat(OpenApiContract.problems(docs.body(), endpoints)).isEmpty();
    }

    @Test
    void shouldListSessionsByTesterStatusAndPage() throws Exception {
        String q = "/api/sessions?tester=" + URLEncoder.encode(tester, StandardCharsets.UTF_8);
        var all = get(q, "analyst:analyst-secret");
        assertThat(all.statusCode()).isEqualTo(200);
        assertThat(all.body()).contains(sessionA, sessionB).contains("\"total\":2");

        assertThat(get(q + "&status=active", "analyst:analyst-secret").body())
                .contains(sessionB)
                .doesNotContain(sessionA);
        assertThat(get(q + "&status=ended", "analyst:analyst-secret").body())
                .contains(sessionA)
                .doesNotContain(sessionB);

        var firstPage = get(q + "&size=1&page=0", "analyst:analyst-secret").body();
        var secondPage = get(q + "&size=1&page=1", "analyst:analyst-secret").body();
        assertThat(firstPage).contains("\"total\":2");
        assertThat(firstPage + secondPage).contains(sessionA, sessionB);
        assertThat(get(q + "&from=2999-01-01T00:00:00Z", "analyst:analyst-secret")
                        .body())
                .contains("\"total\":0");
    }

    @Test
    void shouldAnswerBadParametersWithAClearProblem() throws Exception {
        var badStatus = get("/api/sessions?status=sleeping", "analyst:analyst-secret");
        assertThat(badStatus.statusCode()).isEqualTo(400);
        assertThat(badStatus.body())
                .contains("status must be 'active' or 'ended'")
                .contains("\"field\":\"status\"");
        assertThat(get("/api/sessions?size=100000", "analyst:analyst-secret").body())
                .contains("size must be within 1..500", "\"field\":\"size\"");
        assertThat(get("/api/sessions?page=first", "analyst:analyst-secret").body())
                .contains("\"field\":\"page\"", "'first' is not a valid int");
        assertThat(get("/api/sessions?from=yesterday", "analyst:analyst-secret").body())
                .contains("ISO-8601");
        assertThat(get("/api/sessions/not-a-uuid", "analyst:analyst-secret").statusCode())
                .isEqualTo(400);
        assertThat(get("/api/sessions/" + UUID.randomUUID(), "analyst:analyst-secret")
                        .statusCode())
                .isEqualTo(404);

        // a body over promptloop.http.max-request-size (1 MB) is refused before it is read
        var tooLarge = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/sessions"))
                                .header(
                                        "Authorization",
                                        "Basic "
                                                + Base64.getEncoder()
                                                        .encodeToString("analyst:analyst-secret".getBytes()))
                                .POST(HttpRequest.BodyPublishers.ofString("x".repeat(2_000_000)))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(tooLarge.statusCode()).isEqualTo(413);
        assertThat(tooLarge.body()).contains("promptloop.http.max-request-size");
    }

    @Test
    void shouldShowOneSessionWithItsTurnsAndNotes() throws Exception {
        var response = get("/api/sessions/" + sessionA, "analyst:analyst-secret");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body())
                .contains(
                        "\"turnNumber\":1", "\"turnNumber\":2", "-2+3 looks like a formula", tester, "No Show Policy");
    }

    @Test
    void shouldExportASessionAsSpreadsheetSafeCsv() throws Exception {
        var response = get("/api/sessions/" + sessionA + "/export.csv", "analyst:analyst-secret");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type"))
                .hasValueSatisfying(v -> assertThat(v).startsWith("text/csv"));
        String[] lines = response.body().split("\r\n");
        assertThat(lines[0])
                .isEqualTo(
                        "session_id,tester_email,turn_number,user_message,agent_response,improvement_note,category,timestamp");
        assertThat(lines).hasSize(3); // header, turn 1 with its note, turn 2 without notes
        assertThat(lines[1])
                .startsWith(sessionA + "," + tester + ",1,\"'=HYPERLINK(")
                .contains(",\"'-2+3 looks like a formula, keep it text\",")
                .contains(",content,");
        assertThat(lines[2]).startsWith(sessionA + "," + tester + ",2,");

        var many = get(
                "/api/sessions/export.csv?tester=" + URLEncoder.encode(tester, StandardCharsets.UTF_8),
                "analyst:analyst-secret");
        assertThat(many.body().split("\r\n")).hasSize(4);
    }

    @Test
    void shouldShowCountersThatAgreeWithTheListedTurnsWhileIngestCommits() throws Exception {
        // The detail is read with three statements (session, notes, turns). Ingest commits batches between them;
        // without one snapshot a reader saw turn n listed beside a counter of n - 1 (the TypeScript SDK's IT did).
        // Here the real EventWriter commits 1,000 one-turn batches while the API is read as fast as it answers.
        UUID session = UUID.randomUUID();
        int batches = 1000;
        var agent = new AgentId("era", "answer");
        var writes = CompletableFuture.runAsync(() -> {
            for (int n = 1; n <= batches; n++) {
                var turn = new TurnRecorded(
                        UUID.randomUUID(),
                        NOW.plusSeconds(n),
                        agent,
                        session,
                        n,
                        "q" + n,
                        "a" + n,
                        null,
                        List.of(),
                        null,
                        null,
                        null,
                        null,
                        null,
                        Map.of());
                transaction.executeWithoutResult(status -> writer.write(List.of(turn), Map.of(), Map.of()));
            }
        });
        int reads = 0;
        int readsMidway = 0;
        int sawTurns = 0;
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while ((!writes.isDone() || sawTurns < batches) && System.nanoTime() < deadline) {
            var response = get("/api/sessions/" + session, "analyst:analyst-secret");
            if (response.statusCode() == 404) continue; // before the first commit
            assertThat(response.statusCode()).isEqualTo(200);
            JsonNode body = JSON.readTree(response.body());
            int listed = body.get("turns").size();
            assertThat(body.get("session").get("totalTurns").asInt())
                    .as("totalTurns beside %d listed turns (read %d)", listed, reads)
                    .isEqualTo(listed);
            sawTurns = listed;
            reads++;
            if (listed > 0 && listed < batches) readsMidway++;
            if (writes.isCompletedExceptionally()) writes.join();
        }
        writes.join();
        assertThat(sawTurns).as("turns listed at the end").isEqualTo(batches);
        assertThat(readsMidway)
                .as("reads while ingest was committing (of %d)", reads)
                .isGreaterThanOrEqualTo(5);
    }

    private HttpResponse<String> get(String path, String credentials) throws Exception {
        var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        if (credentials != null) {
            request.header(
                    "Authorization",
                    "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
