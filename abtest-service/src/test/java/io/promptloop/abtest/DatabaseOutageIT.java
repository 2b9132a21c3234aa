package io.promptloop.abtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.promptloop.avro.observation.ObservationRecorded;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;

/** PostgreSQL goes away while observations arrive: they wait, nothing is dead-lettered, all are counted once. */
@DirtiesContext
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class DatabaseOutageIT extends AbtestTestSupport {

    @LocalServerPort
    int port;

    @Autowired
    MeterRegistry meters;

    @AfterEach
    void databaseIsUpAgain() {
        INFRA.postgres().start(); // no-op when it is running
    }

    @Test
    void shouldCountEveryObservationOnceAndDeadLetterNothingWhilePostgresIsDown() {
        String agent = "outage-" + UUID.randomUUID();
        var test = startedOpenTest(port, agent);
        UUID testId = UUID.fromString(test.get("testId").asString());
        var arm = new Arm(0.7, 0.1, 0.9, 200);
        List<ObservationRecorded> stream = traffic(testId, test.get("salt").asString(), 0.5, "u", 400, arm, arm, 4);

        publish(stream.subList(0, 100));
        await().atMost(Duration.ofSeconds(30)).until(() -> counted(testId) == 100);

        INFRA.postgres().stop();
        List<ObservationRecorded> during = new ArrayList<>(stream.subList(100, 400));
        during.addAll(stream.subList(0, 50)); // re-sent while the database is away
        publish(during);
        await().atMost(Duration.ofSeconds(60)).until(() -> failedBatches(meters) >= 3);
        INFRA.postgres().start();

        await().atMost(Duration.ofSeconds(90)).until(() -> counted(testId) == 400);
        awaitRead(testId.toString(), Duration.ofSeconds(60));
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(sql().queryForObject(
                                        "SELECT sum(n) FROM abtest.variant_statistics WHERE test_id = ?",
                                        Long.class,
                                        testId))
                        .isEqualTo(400));
        assertThat(recordsWithKey("ab-observations-dlt", testId.toString())).isEmpty();
        // the service is whole again: an operator can still act on the test. Until the service's background
        // database check has seen PostgreSQL again it answers 503 with Retry-After (nothing done), as a client
        // that honours Retry-After would see: retry on 503 only
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> assertThat(call(port, "POST", "/api/tests/" + testId + "/stop", null, "operator")
                                .statusCode())
                        .isNotEqualTo(503)
                        .isEqualTo(200));
    }
}
