package io.promptloop.support.lifecycle;

import java.time.Duration;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ContextClosedEvent;

/**
 * Bounds shutdown whatever the dependencies do. Graceful shutdown (HTTP drained, listeners stopped, the last batch
 * committed) normally ends in seconds; but a Kafka client or a connection pool that waits for a broker or a
 * database that has gone can keep a JVM alive long after SIGTERM. When the context starts closing, this starts a
 * daemon timer: if the JVM is still alive after {@code promptloop.shutdown.timeout}, it logs the threads that are
 * still running (one line each) and halts the JVM with exit status 1. Nothing is lost by that: every batch commits
 * its offsets only after its transaction, so what was in flight is read again by the next replica.
 */
public final class ShutdownWatchdog implements ApplicationListener<ContextClosedEvent> {

    private static final Logger log = LoggerFactory.getLogger(ShutdownWatchdog.class);

    private final Duration timeout;
    private final Runnable halt;
    private volatile Thread timer;

    public ShutdownWatchdog(Duration timeout) {
        this(timeout, () -> Runtime.getRuntime().halt(1));
    }

    ShutdownWatchdog(Duration timeout, Runnable halt) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("promptloop.shutdown.timeout must be positive, was " + timeout);
        }
        this.timeout = timeout;
        this.halt = halt;
    }

    @Override
    public synchronized void onApplicationEvent(ContextClosedEvent event) {
        if (timer != null || event.getApplicationContext().getParent() != null) return; // once, for the root context
        timer = Thread.ofPlatform().daemon().name("shutdown-watchdog").start(() -> {
            try {
                Thread.sleep(timeout);
            } catch (InterruptedException e) {
                return;
            }
            log.error("shutdown did not finish within {} (promptloop.shutdown.timeout); halting the JVM", timeout);
            for (Map.Entry<Thread, StackTraceElement[]> t :
                    Thread.getAllStackTraces().entrySet()) {
                Thread thread = t.getKey();
                if (thread.isDaemon() || thread == Thread.currentThread()) continue;
                StackTraceElement[] stack = t.getValue();
                log.error(
                        "still running: thread '{}' {} at {}",
                        thread.getName(),
                        thread.getState(),
                        stack.length == 0 ? "?" : stack[0]);
            }
            halt.run();
        });
    }

    /** Whether the timer was started (for tests). */
    boolean armed() {
        return timer != null;
    }
}
