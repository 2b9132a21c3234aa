package io.promptloop.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;

/**
 * PostgreSQL goes down in the middle of a stream: the batch is retried with back-off (consumer paused),
 * nothing is dead-lettered, and when the database is back every event is stored exactly once.
 */
// closed after the class: a cached context would keep consuming as a second replica (CrashRedeliveryIT)
@DirtiesContext
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class DatabaseOutageIT extends IngestTestSupport {

    @Autowired
    MeterRegistry meters;

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    /** A GET that must be answered within 5 s: a hung endpoint fails the test with a time-out. */
    private static HttpResponse<String> call(int port, String path, String user) throws Exception {
        var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5));
        if (user != null) {
            request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(user.getBytes()));
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @AfterEach
    void databaseIsUpAgain() {
        INFRA.postgres().start(); // no-op when it is running
    }

    @Test
    void shouldLoseNothingAndDeadLetterNothingWhilePostgresIsDown() throws Exception {
        String session = UUID.randomUUID().toString();
        for (int n = 1; n <= 50; n++) sendSession(turn(session, n));
        SessionIngestIT.awaitSession(session, 50, 0);

        INFRA.postgres().stop();
        for (int n = 51; n <= 150; n++) sendSession(turn(session, n));
        for (int n = 51; n <= 60; n++) sendSession(note(session, n, "note while the database is down"));
        // the service fails and retries batches with back-off while the database is away
        await().atMost(Duration.ofSeconds(60)).until(() -> failedBatches(meters) >= 3);
        assertThat(recordsWithKey("agent-sessions-dlt", session)).isEmpty();

        // readiness tells the truth and the API answers 503 instead of hanging (each request is given 5 s: bounded,
        // where the driver's own connect time-out alone is 10 s)
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().untilAsserted(() -> {
            var readiness = call(managementPort, "/actuator/health/readiness", null);
            assertThat(readiness.statusCode()).isEqualTo(503);
            assertThat(readiness.body()).contains("\"db\"", "DOWN");
        });
        var liveness = call(managementPort, "/actuator/health/liveness", null);
        assertThat(liveness.statusCode())
                .as("liveness never depends on the database")
                .isEqualTo(200);
        long asked = System.nanoTime();
        var api = call(port, "/api/sessions", "analyst:analyst-secret");
        System.out.printf(
                "API call while PostgreSQL is down answered %d in %d ms%n",
                api.statusCode(), (System.nanoTime() - asked) / 1_000_000);
        assertThat(api.statusCode()).isEqualTo(503);
        assertThat(api.headers().firstValue("Retry-After")).hasValue("5");
        assertThat(api.body()).contains("the database cannot be reached");
        INFRA.postgres().start();
        await().atMost(Duration.ofSeconds(30))
                .ignoreExceptions()
                .untilAsserted(() -> assertThat(call(managementPort, "/actuator/health/readiness", null)
                                .statusCode())
                        .isEqualTo(200));

        SessionIngestIT.awaitSession(session, 150, 10);
        assertThat(recordsWithKey("agent-sessions-dlt", session)).isEmpty();
    }
}
