package io.promptloop.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.promptloop.avro.session.SessionEvent;
import io.promptloop.testkit.ServiceJvm;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The service is killed (SIGKILL, no graceful shutdown) while it is storing a stream of batches; a new
 * instance takes over from the last committed offsets, so some batches are delivered twice. Afterwards
 * every event is stored once and the session counters are right.
 */
class CrashRedeliveryIT extends IngestTestSupport {

    private final List<ServiceJvm> started = new ArrayList<>();

    @AfterEach
    void stopServices() {
        started.forEach(ServiceJvm::close);
    }

    @Test
    void shouldStoreEveryEventOnceAfterTheServiceIsKilledMidStream() throws Exception {
        int sessions = 200; // 20,000 turns: several seconds of work, so the kill lands mid-stream
        int turnsPerSession = 100;
        List<String> ids = new ArrayList<>();
        for (int s = 0; s < sessions; s++) ids.add(UUID.randomUUID().toString());
        for (int n = 1; n <= turnsPerSession; n++) {
            for (String id : ids) {
                SessionEvent event = turn(id, n);
                avro().send(new org.apache.kafka.clients.producer.ProducerRecord<>("agent-sessions", id, event));
                if (n % 10 == 0)
                    avro().send(new org.apache.kafka.clients.producer.ProducerRecord<>(
                            "agent-sessions", id, note(id, n, "n" + n)));
            }
        }
        avro().flush();
        int expectedTurns = sessions * turnsPerSession;

        ServiceJvm first = startService("crash-1");
        // kill it once it has stored part of the stream, but not all of it
        await().atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> storedTurns(ids) > 0);
        first.kill();
        long storedAtCrash = storedTurns(ids);

        startService("crash-2");
        for (String id : ids) SessionIngestIT.awaitSession(id, turnsPerSession, turnsPerSession / 10);
        System.out.printf(
                "killed after %d of %d turns were stored; all %d stored once after the restart%n",
                storedAtCrash, expectedTurns, expectedTurns);
        assertThat(storedAtCrash).isLessThan(expectedTurns);
        assertThat(storedTurns(ids)).isEqualTo(expectedTurns);
    }

    private static long storedTurns(List<String> ids) {
        return sql().queryForObject(
                        "SELECT count(*) FROM conversation.tuning_conversation_turns WHERE session_id = ANY(?::uuid[])",
                        Long.class,
                        (Object) ids.toArray(String[]::new));
    }

    private ServiceJvm startService(String name) {
        ServiceJvm jvm = ServiceJvm.start(
                name,
                Path.of("target", "ingest-service.jar"),
                "512m",
                serviceProperties(),
                "--spring.kafka.consumer.max-poll-records=200",
                // the killed member leaves the group after this instead of the default 45 s
                "--spring.kafka.consumer.properties.session.timeout.ms=10000");
        started.add(jvm);
        return jvm;
    }
}
