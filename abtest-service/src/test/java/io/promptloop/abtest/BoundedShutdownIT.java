package io.promptloop.abtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.promptloop.testkit.ServiceJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A replica told to stop (SIGTERM) after its broker and database have gone still ends in bounded time: graceful
 * shutdown where it can, the shutdown watchdog where a client waits for a dependency that is not coming back.
 */
class BoundedShutdownIT extends AbtestTestSupport {

    static final Duration WATCHDOG = Duration.ofSeconds(15);

    @Test
    void shouldEndWithinTheShutdownTimeoutWhenBrokerAndDatabaseAreGone() throws Exception {
        try (var replica = ServiceJvm.start(
                "abtest-shutdown",
                Path.of("target", "abtest-service.jar"),
                "384m",
                serviceProperties(),
                "--promptloop.shutdown.timeout=" + WATCHDOG.toSeconds() + "s")) {
            replica.awaitReady(Duration.ofMinutes(2));
            try {
                INFRA.kafka().stop();
                INFRA.postgres().stop();
                await().atMost(Duration.ofSeconds(30))
                        .pollInterval(Duration.ofMillis(200))
                        .until(() -> replica.readinessStatus() == 503);

                long started = System.nanoTime();
                boolean ended = replica.terminate(WATCHDOG.plusSeconds(15));
                double seconds = (System.nanoTime() - started) / 1e9;
                String log = Files.readString(replica.log());
                System.out.printf(
                        "SIGTERM with broker and database gone: ended=%s after %.1f s (%s)%n",
                        ended, seconds, log.contains("halting the JVM") ? "watchdog halted it" : "graceful");
                assertThat(ended)
                        .as("the JVM ended after SIGTERM:\n%s", replica.tail())
                        .isTrue();
            } finally {
                INFRA.postgres().start();
                INFRA.kafka().start();
            }
        }
    }
}
