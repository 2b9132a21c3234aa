package io.promptloop.optimizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.promptloop.avro.common.AgentRef;
import io.promptloop.testkit.PromptloopInfrastructure;
import io.promptloop.testkit.TcpRelay;
import java.net.URI;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The optimizer's registry takes requests and never answers (a connection dropped behind a proxy): its listeners
 * must neither hang for good — the registry client has no time-out of its own, and a CI run once saw a listener
 * parked in it for the rest of the run — nor skip the valid records they could not decode as unreadable. When the
 * registry answers again every evaluation is stored. The registry is the test kit's real one, behind a relay.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext
@ExtendWith(OutputCaptureExtension.class)
class RegistryOutageIT extends OptimizerTestSupport {

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
    void shouldReadEvaluationsAgainOnceASilentRegistryAnswersAndSkipNone(CapturedOutput output) {
        String agent = "registry-outage-" + UUID.randomUUID();
        int evaluations = 20;
        try (var evaluator = evaluator(agent, 0)) { // publishes through the real registry, not the relay
            evaluator.publish(evaluator.baselineEvaluations(new AgentRef(agent, "answer"), BASELINE, evaluations));

            // the look-ups end after the time-out and are retried with back-off (before: one hung for good)
            await().atMost(Duration.ofSeconds(90))
                    .until(() -> output.getAll()
                                    .lines()
                                    .filter(l ->
                                            l.contains("retrying agent-evaluations") && l.contains("did not answer"))
                                    .count()
                            >= 2);
            assertThat(REGISTRY.connections()).isPositive();
            assertThat(examples(agent)).isZero();
            assertThat(ignored()).as("valid records skipped as unreadable").isZero();

            REGISTRY.mode(TcpRelay.Mode.FORWARD);
            await().atMost(Duration.ofSeconds(90)).until(() -> examples(agent) == evaluations);
            assertThat(ignored()).as("valid records skipped as unreadable").isZero();
        }
    }

    private static int examples(String agent) {
        return sql().queryForObject(
                        "SELECT count(*) FROM optimizer.examples WHERE agent_name = ?", Integer.class, agent);
    }

    private double ignored() {
        return meters.find("promptloop.optimizer.events.ignored").counters().stream()
                .mapToDouble(c -> c.count())
                .sum();
    }
}
