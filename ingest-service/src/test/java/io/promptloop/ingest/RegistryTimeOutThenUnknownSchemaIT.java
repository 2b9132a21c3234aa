package io.promptloop.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.promptloop.support.kafka.DeadLetters;
import io.promptloop.testkit.PoisonRecords;
import io.promptloop.testkit.PromptloopInfrastructure;
import io.promptloop.testkit.TcpRelay;
import java.net.URI;
import java.nio.charset.StandardCharsets;
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
 * A record with a schema id nobody has arrives while the registry takes requests and never answers: its look-up
 * times out and the batch is retried (the registry's fault, without end). Once the registry answers it says 404, the
 * record's own fault: it is dead-lettered as an unknown schema and the partition moves on. Before the error handler
 * cleared the retry state on a record's own fault, the record kept the registry's endless back-off and its partition
 * stood still (a CI run of {@code PoisonBurstIT} saw minutes of it; this test timed out after 90 s). The registry is
 * the test kit's real one, behind a relay the test switches. Its own class, not a second test of {@code
 * RegistryOutageIT}: each needs a context whose deserializer has cached no schema (tried: run after this one, that
 * test's turns decoded from the cache and never met the silent registry).
 */
@DirtiesContext
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class RegistryTimeOutThenUnknownSchemaIT extends IngestTestSupport {

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
    void shouldDeadLetterAnUnknownSchemaOnceTheRegistryAnswersAfterTimingOut() {
        String session = UUID.randomUUID().toString();
        sendRaw("agent-sessions", session, PoisonRecords.poison(1)); // Confluent framing, schema id 900001

        await().atMost(Duration.ofSeconds(60)).until(() -> failedBatches(meters) >= 3);
        assertThat(recordsWithKey("agent-sessions-dlt", session))
                .as("the registry's silence is no fault of the record")
                .isEmpty();

        REGISTRY.mode(TcpRelay.Mode.FORWARD);
        await().atMost(Duration.ofSeconds(60))
                .until(() -> recordsWithKey("agent-sessions-dlt", session).size() == 1);
        var dead = recordsWithKey("agent-sessions-dlt", session).getFirst();
        assertThat(new String(
                        dead.headers().lastHeader(DeadLetters.REASON_HEADER).value(), StandardCharsets.UTF_8))
                .isEqualTo("unknown_schema");

        sendSession(turn(session, 1)); // the partition moves on
        SessionIngestIT.awaitSession(session, 1, 0);
    }
}
