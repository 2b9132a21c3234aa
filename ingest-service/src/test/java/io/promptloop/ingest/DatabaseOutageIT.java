package io.promptloop.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
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

    private double failedBatches() {
        return meters.find("spring.kafka.listener").tag("result", "failure").timers().stream()
                .mapToDouble(t -> t.count())
                .sum();
    }

    @AfterEach
    void databaseIsUpAgain() {
        INFRA.postgres().start(); // no-op when it is running
    }

    @Test
    void shouldLoseNothingAndDeadLetterNothingWhilePostgresIsDown() {
        String session = UUID.randomUUID().toString();
        for (int n = 1; n <= 50; n++) sendSession(turn(session, n));
        SessionIngestIT.awaitSession(session, 50, 0);

        INFRA.postgres().stop();
        for (int n = 51; n <= 150; n++) sendSession(turn(session, n));
        for (int n = 51; n <= 60; n++) sendSession(note(session, n, "note while the database is down"));
        // the service fails and retries batches with back-off while the database is away
        await().atMost(Duration.ofSeconds(60)).until(() -> failedBatches() >= 3);
        assertThat(recordsWithKey("agent-sessions-dlt", session)).isEmpty();
        INFRA.postgres().start();

        SessionIngestIT.awaitSession(session, 150, 10);
        assertThat(recordsWithKey("agent-sessions-dlt", session)).isEmpty();
    }
}
