package io.promptloop.abtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.promptloop.avro.observation.ObservationRecorded;
import io.promptloop.testkit.PromptloopInfrastructure;
import io.promptloop.testkit.TcpRelay;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The schema registry takes requests and never answers while observations arrive: batches are retried with
 * back-off (the registry client has no time-out of its own), nothing is dead-lettered, and when the registry
 * answers again every observation is counted once. The registry is the test kit's real one, behind a relay.
 */
@DirtiesContext
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class RegistryOutageIT extends AbtestTestSupport {

    @RegisterExtension
    static final TcpRelay REGISTRY = TcpRelay.to(URI.create(INFRA.registry().apiV3Url()), TcpRelay.Mode.SILENT);

    @DynamicPropertySource
    static void registryBehindTheRelay(DynamicPropertyRegistry registry) {
        PromptloopInfrastructure.registryThrough(REGISTRY, Duration.ofSeconds(1))
                .forEach((k, v) -> registry.add(k, () -> v));
    }

    @LocalServerPort
    int port;

    @Autowired
    MeterRegistry meters;

    @Test
    void shouldCountEveryObservationOnceAndDeadLetterNothingWhileTheRegistryIsSilent() {
        String agent = "registry-outage-" + UUID.randomUUID();
        var test = startedOpenTest(port, agent);
        UUID testId = UUID.fromString(test.get("testId").asString());
        var arm = new Arm(0.7, 0.1, 0.9, 200);
        List<ObservationRecorded> stream = traffic(testId, test.get("salt").asString(), 0.5, "u", 200, arm, arm, 4);

        publish(stream); // through the real registry
        await().atMost(Duration.ofSeconds(60)).until(() -> failedBatches(meters) >= 2);
        assertThat(REGISTRY.connections()).isPositive();
        assertThat(counted(testId)).isZero();
        assertThat(recordsWithKey("ab-observations-dlt", testId.toString())).isEmpty();

        REGISTRY.mode(TcpRelay.Mode.FORWARD);
        await().atMost(Duration.ofSeconds(90)).until(() -> counted(testId) == 200);
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(sql().queryForObject(
                                        "SELECT sum(n) FROM abtest.variant_statistics WHERE test_id = ?",
                                        Long.class,
                                        testId))
                        .isEqualTo(200));
        assertThat(recordsWithKey("ab-observations-dlt", testId.toString())).isEmpty();
    }
}
