package io.promptloop.support.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.context.support.GenericApplicationContext;

class ShutdownWatchdogTest {

    @Test
    void shouldHaltAShutdownThatOutlivesItsTimeout() {
        var halts = new AtomicInteger();
        var watchdog = new ShutdownWatchdog(Duration.ofMillis(300), halts::incrementAndGet);
        var stuck = new GenericApplicationContext();
        stuck.refresh(); // stays active: its close never finishes
        assertThat(watchdog.watch(stuck)).isTrue();
        assertThat(halts).hasValue(1);
        stuck.close();
    }

    @Test
    void shouldLetAClosedContextEndWithoutHalting() {
        var halts = new AtomicInteger();
        var watchdog = new ShutdownWatchdog(Duration.ofSeconds(5), halts::incrementAndGet);
        var context = new GenericApplicationContext();
        context.refresh();
        context.close();
        assertThat(watchdog.watch(context)).isFalse();
        assertThat(halts).hasValue(0);
    }

    @Test
    void shouldRegisterItsHookOnlyForTheRootContextAndRemoveItOnClose() {
        var watchdog = new ShutdownWatchdog(Duration.ofSeconds(5), () -> {});
        var parent = new GenericApplicationContext();
        watchdog.setApplicationContext(new GenericApplicationContext(parent));
        assertThat(watchdog.hooked())
                .as("a child context (the management server's) gets no hook")
                .isFalse();
        watchdog.setApplicationContext(parent);
        assertThat(watchdog.hooked()).isTrue();
        watchdog.destroy();
        assertThat(watchdog.hooked())
                .as("a closed context does not keep a hook in the JVM")
                .isFalse();
    }

    @Test
    void shouldRefuseANonPositiveTimeout() {
        assertThatThrownBy(() -> new ShutdownWatchdog(Duration.ZERO))
                .hasMessageContaining("promptloop.shutdown.timeout");
    }
}
