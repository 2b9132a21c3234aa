package io.promptloop.support.lifecycle;

import java.time.Duration;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationContextAware;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Bounds shutdown whatever the dependencies do. Graceful shutdown (HTTP drained, listeners stopped, the last batch
 * committed) normally ends in seconds; but a Kafka client or a connection pool that waits for a broker or a
 * database that has gone can keep a JVM alive long after SIGTERM. This registers a JVM shutdown hook of its own:
 * when the JVM is told to stop, it waits for the application context to finish closing; if it is still open after
 * {@code promptloop.shutdown.timeout}, it logs the threads that are still running (one line each) and halts the JVM
 * with exit status 1. Nothing is lost by that: every batch commits its offsets only after its transaction, so what
 * was in flight is read again by the next replica. A context closed without the JVM stopping (tests) is left alone.
 */
public final class ShutdownWatchdog implements ApplicationContextAware, DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(ShutdownWatchdog.class);
    private static final long POLL_MILLIS = 100;

    private final Duration timeout;
    private final Runnable halt;
    private Thread hook;

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
    public synchronized void setApplicationContext(ApplicationContext context) {
        if (hook != null || context.getParent() != null) return; // once, for the root context
        if (!(context instanceof ConfigurableApplicationContext configurable)) return;
        hook = new Thread(() -> watch(configurable), "shutdown-watchdog");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Waits for the context to close; halts if it has not within the timeout. Returns whether it halted. */
    boolean watch(ConfigurableApplicationContext context) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (context.isActive() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        if (!context.isActive()) return false;
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
        return true;
    }

    /** Whether a JVM shutdown hook is registered (for tests). */
    synchronized boolean hooked() {
        return hook != null;
    }

    /** A context closed while the JVM goes on (tests, a restart) no longer needs the hook. */
    @Override
    public synchronized void destroy() {
        if (hook == null) return;
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shutdownInProgress) {
            // the JVM is stopping: the hook is running and watches this very close
        }
        hook = null;
    }
}
