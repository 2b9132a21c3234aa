package io.promptloop.support.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.support.GenericApplicationContext;

class ShutdownWatchdogTest {

    @Test
    void shouldHaltAShutdownThatOutlivesItsTimeout() throws InterruptedException {
        var halted = new CountDownLatch(1);
        var watchdog = new ShutdownWatchdog(Duration.ofMillis(50), halted::countDown);
        var context = new GenericApplicationContext();
        watchdog.onApplicationEvent(new ContextClosedEvent(context));
        assertThat(watchdog.armed()).isTrue();
        assertThat(halted.await(10, TimeUnit.SECONDS)).as("halt called").isTrue();
    }

    @Test
    void shouldNotArmForAChildContext() {
        var watchdog = new ShutdownWatchdog(Duration.ofMillis(50), () -> {});
        var parent = new GenericApplicationContext();
        var child = new GenericApplicationContext(parent);
        watchdog.onApplicationEvent(new ContextClosedEvent(child));
        assertThat(watchdog.armed()).isFalse();
    }

    @Test
    void shouldRefuseANonPositiveTimeout() {
        assertThatThrownBy(() -> new ShutdownWatchdog(Duration.ZERO))
                .hasMessageContaining("promptloop.shutdown.timeout");
    }
}
