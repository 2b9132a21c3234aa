package io.promptloop.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.promptloop.testkit.PromptloopInfrastructure;
import io.promptloop.testkit.TcpRelay;
import java.net.URI;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The schema registry takes requests and never answers (a connection dropped behind a proxy) while agents keep
 * publishing: batches are retried with back-off — the registry client has no time-out of its own, and a listener
 * once hung in it for good — nothing is dead-lettered, and when the registry answers again every turn is stored
 * exactly once. The registry is the test kit's real one, behind a relay the test switches.
 */
// closed after the class: a cached context would keep consuming as a second replica (CrashRedeliveryIT)
@DirtiesContext
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class RegistryOutageIT extends IngestTestSupport {

    @RegisterExtension
    static final TcpRelay REGISTRY = TcpRelay.to(URI.create(INFRA.registry().apiV3Url()), TcpRelay.Mode.SILENT);

    @DynamicPropertySource
    static void registryBehindTheRelay(DynamicPropertyRegistry registry) {
        PromptloopInfrastructure.registryThrough(REGISTRY, Duration.ofSeconds(1))
                .forEach((k, v) -> registry.add(k, () -> v));
    }

    @Autowired
    MeterRegistry meters;

    @Test
    void shouldLoseNothingAndDeadLetterNothingWhileTheRegistryIsSilent() {
        String session = UUID.randomUUID().toString();
        for (int n = 1; n <= 60; n++) sendSession(turn(session, n)); // published through the real registry

        await().atMost(Duration.ofSeconds(60)).until(() -> failedBatches(meters) >= 2);
        assertThat(REGISTRY.connections()).isPositive();
        assertThat(sql().queryForObject(
                                "SELECT count(*) FROM conversation.tuning_conversation_turns WHERE session_id = ?::uuid",
                                Integer.class,
                                session))
                .isZero();
        assertThat(recordsWithKey("agent-sessions-dlt", session)).isEmpty();

        REGISTRY.mode(TcpRelay.Mode.FORWARD);
        SessionIngestIT.awaitSession(session, 60, 0);
        assertThat(recordsWithKey("agent-sessions-dlt", session)).isEmpty();
    }
}
