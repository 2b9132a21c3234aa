package io.promptloop.benchmarks;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * The server's own commit latency beside a measured phase — the same-run floor for a publish → row latency: one
 * connection of its own inserts one row into {@code bench.commit_probe} and commits it, every {@link #INTERVAL_MILLIS}
 * ms, as the server's {@code synchronous_commit} says (on a durable server: a WAL flush per probe), and records the
 * round trip by the window of the phase it was due in. A window whose probes took hundreds of ms is one in which the
 * server itself could not commit faster, whatever its client did. Ten small commits a second add little to a phase's
 * I/O (the service commits about a hundred times a second at 5,000 events/s).
 */
final class CommitProbe implements AutoCloseable {

    static final int INTERVAL_MILLIS = 100;

    private final Connection connection;
    private final long startNanos;
    private final int windowSeconds;
    private final Histogram all = Harness.latencyHistogram();
    private final Histogram[] byWindow;
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private final Thread thread;
    private volatile boolean stop;

    /** Starts probing now; {@code seconds} is the phase's planned length, probes after it go to its last window. */
    CommitProbe(Connection connection, int seconds, int windowSeconds) throws SQLException {
        this.connection = connection;
        this.windowSeconds = windowSeconds;
        this.byWindow = new Histogram[Math.max(1, (seconds + windowSeconds - 1) / windowSeconds)];
        try (Statement s = connection.createStatement()) {
            s.execute("CREATE SCHEMA IF NOT EXISTS bench");
            s.execute("DROP TABLE IF EXISTS bench.commit_probe");
            s.execute("CREATE TABLE bench.commit_probe (id bigserial PRIMARY KEY, at timestamptz NOT NULL"
                    + " DEFAULT clock_timestamp())");
        }
        connection.setAutoCommit(true);
        this.startNanos = System.nanoTime();
        this.thread = Thread.ofPlatform().name("commit-probe").daemon().start(this::run);
    }

    private void run() {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO bench.commit_probe DEFAULT VALUES")) {
            long next = startNanos;
            while (!stop) {
                long begin = System.nanoTime();
                insert.executeUpdate();
                long micros = (System.nanoTime() - begin) / 1_000;
                int w = (int)
                        Math.min(byWindow.length - 1, (next - startNanos) / TimeUnit.SECONDS.toNanos(windowSeconds));
                Harness.recordLatency(all, micros);
                if (byWindow[w] == null) byWindow[w] = Harness.latencyHistogram();
                Harness.recordLatency(byWindow[w], micros);
                next += TimeUnit.MILLISECONDS.toNanos(INTERVAL_MILLIS);
                long wait = next - System.nanoTime();
                if (wait > 0) LockSupport.parkNanos(wait);
                else next = System.nanoTime(); // a stalled commit is one sample, not a burst of catch-up probes
            }
        } catch (SQLException e) {
            failure.set(e);
        }
    }

    /** Stops probing and waits for the last probe. */
    @Override
    public void close() throws InterruptedException {
        stop = true;
        thread.join(TimeUnit.SECONDS.toMillis(60));
    }

    /** The slowest probe of a window in µs, -1 if it had none; call after {@link #close()}. */
    long maxMicros(int window) {
        return window < byWindow.length && byWindow[window] != null ? byWindow[window].getMaxValue() : -1;
    }

    /** The report's lines; call after {@link #close()}. */
    String[] report() {
        String head = String.format(
                Locale.ROOT,
                "  PostgreSQL's own commits (same run: one row inserted and committed every %d ms on a connection of its"
                        + " own, as the server's synchronous_commit says; %,d probes%s): %s",
                INTERVAL_MILLIS,
                all.getTotalCount(),
                failure.get() == null ? "" : ", STOPPED by " + failure.get(),
                all.getTotalCount() == 0
                        ? "-"
                        : String.format(
                                Locale.ROOT,
                                "p50 %.1f ms, p99 %.1f ms, max %.1f ms",
                                all.getValueAtPercentile(50) / 1e3,
                                all.getValueAtPercentile(99) / 1e3,
                                all.getMaxValue() / 1e3));
        StringBuilder windows = new StringBuilder("  PostgreSQL's own commits by ")
                .append(windowSeconds)
                .append(" s of the phase (max ms; a window above 250 ms is one the server itself stalled in):");
        for (int w = 0; w < byWindow.length; w++) {
            windows.append(' ').append(w * windowSeconds).append("s ");
            windows.append(
                    byWindow[w] == null ? "-" : String.format(Locale.ROOT, "%.0f", byWindow[w].getMaxValue() / 1e3));
        }
        return new String[] {head, windows.toString()};
    }
}
