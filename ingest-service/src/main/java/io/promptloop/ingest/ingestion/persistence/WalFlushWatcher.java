package io.promptloop.ingest.ingestion.persistence;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.LockSupport;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Tells when a transaction committed with {@code synchronous_commit = off} is durable: once PostgreSQL reports its
 * write-ahead log flushed past the commit ({@code pg_current_wal_flush_lsn()}), read on a connection of its own
 * that was open before the commit and is still open. A commit is then visible at once and is made durable by the
 * server's WAL writer within {@code wal_writer_delay} (200 ms by default) instead of each commit waiting for its
 * own flush behind the server's other I/O; the caller holds back whatever depends on the commit (the Kafka
 * offsets) until it is durable.
 *
 * <p>Why the one connection: a server crash loses the asynchronous commits not yet flushed and ends every
 * connection, while the WAL position goes on counting after recovery and would later pass the lost commits'
 * positions. So a commit is only confirmed by a reading on the connection of the epoch it was committed in; when
 * that connection breaks, every commit of the epoch that was not confirmed is {@link Durability#LOST LOST}
 * (perhaps needlessly: the caller writes it again, idempotently). A WAL insert position lower than one read
 * before on the same connection (a pooler that moved it to another server) counts as a break too. The watcher
 * connects to the server directly, outside the pool: a transaction-mode pooler between them would hide a crash.
 *
 * <p>Commits stay synchronous (tickets are {@link Durability#DURABLE DURABLE} at once) when the mode is off, while
 * the watcher has no connection (start-up, an outage), and when the server has synchronous standbys
 * ({@code synchronous_standby_names} set): a local flush does not say that a standby has the commit.
 */
public final class WalFlushWatcher implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(WalFlushWatcher.class);

    /** Before the Kafka listener containers start and after they stop (their phase is MAX_VALUE - 100). */
    static final int PHASE = Integer.MAX_VALUE - 200;

    private static final String POSITIONS =
            "SELECT pg_current_wal_insert_lsn() - '0/0', pg_current_wal_flush_lsn() - '0/0'";
    private static final Duration IDLE_CHECK = Duration.ofSeconds(1);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

    /** Whether a transaction's commit is durable. */
    public enum Durability {
        /** flushed, or committed synchronously */
        DURABLE,
        /** not flushed yet; the watcher's connection of its epoch is still open */
        PENDING,
        /** the server may have lost it: the connection of its epoch broke before its flush was seen */
        LOST
    }

    /** One transaction: {@link #begin()} before it starts, {@link #committed} after it committed. */
    public static final class Ticket {
        private final long epoch;
        /** Set and read by the watcher's thread only: the insert position of its first reading after the commit. */
        private long target;

        private volatile boolean flushed;

        private Ticket(long epoch) {
            this.epoch = epoch;
            this.flushed = epoch <= 0;
        }

        /** Whether the transaction is to be committed with {@code synchronous_commit = off}. */
        public boolean asynchronous() {
            return epoch > 0;
        }
    }

    private final boolean enabled;
    private final DataSource dataSource;
    private final Duration pollInterval;
    private final Duration networkTimeout;
    private final ConcurrentLinkedQueue<Ticket> committed = new ConcurrentLinkedQueue<>();
    private final Executor timeouts = Executors.newVirtualThreadPerTaskExecutor();

    /** Positive while the connection of that epoch is open; its negative once it broke; 0 before the first. */
    private volatile long epoch;

    private volatile boolean running;
    private volatile Thread thread;
    private volatile boolean standbys;

    /**
     * @param enabled false: every commit synchronous, no thread, no connection
     * @param dataSource the service's pool; the watcher opens its own connection with the pool's settings
     * @param pollInterval how often the flush position is read while commits wait for it
     * @param networkTimeout how long a reading may take before the connection counts as broken
     */
    public WalFlushWatcher(boolean enabled, DataSource dataSource, Duration pollInterval, Duration networkTimeout) {
        this.enabled = enabled;
        this.dataSource = dataSource;
        this.pollInterval = pollInterval;
        this.networkTimeout = networkTimeout;
    }

    /** A ticket for a transaction about to start: asynchronous when a connection of the watcher is open now. */
    public Ticket begin() {
        long current = epoch;
        return new Ticket(enabled && !standbys && current > 0 ? current : 0);
    }

    /** The ticket's transaction committed: its flush is now watched for. */
    public void committed(Ticket ticket) {
        if (!ticket.asynchronous()) return;
        committed.add(ticket);
        Thread watcher = thread;
        if (watcher != null) LockSupport.unpark(watcher);
    }

    public Durability durability(Ticket ticket) {
        if (ticket.flushed) return Durability.DURABLE;
        return ticket.epoch == epoch ? Durability.PENDING : Durability.LOST;
    }

    @Override
    public void start() {
        if (!enabled || running) return;
        running = true;
        thread = Thread.ofPlatform().daemon().name("wal-flush-watcher").start(this::watch);
    }

    @Override
    public void stop() {
        running = false;
        Thread watcher = thread;
        if (watcher == null) return;
        LockSupport.unpark(watcher);
        try {
            watcher.join(networkTimeout.toMillis() + 1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        thread = null;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }

    private void watch() {
        List<Ticket> waiting = new ArrayList<>();
        Connection connection = null;
        long lastInsert = -1;
        long lastReading = 0;
        Duration backoff = pollInterval;
        boolean reportedOutage = false;
        while (running) {
            try {
                if (connection == null) {
                    connection = open();
                    if (standbys) {
                        log.info("PostgreSQL has synchronous standbys (synchronous_standby_names): every batch is"
                                + " committed synchronously");
                        close(connection);
                        return;
                    }
                    lastInsert = -1;
                    epoch = Math.abs(epoch) + 1;
                    if (reportedOutage) log.info("WAL flush watcher connected again: commits are asynchronous again");
                    reportedOutage = false;
                    backoff = pollInterval;
                }
                List<Ticket> fresh = new ArrayList<>();
                for (Ticket t = committed.poll(); t != null; t = committed.poll()) {
                    if (t.epoch == epoch) fresh.add(t); // an older epoch's ticket is LOST already
                }
                waiting.addAll(fresh);
                if (waiting.isEmpty() && System.nanoTime() - lastReading < IDLE_CHECK.toNanos()) {
                    LockSupport.parkNanos(IDLE_CHECK.toNanos());
                    continue;
                }
                long[] positions = positions(connection);
                lastReading = System.nanoTime();
                if (positions[0] < lastInsert) {
                    throw new SQLException("the WAL insert position went back from " + lastInsert + " to "
                            + positions[0] + ": another server, or one that lost WAL");
                }
                lastInsert = positions[0];
                // committed before this reading, so their commit records end at or before its insert position
                for (Ticket t : fresh) t.target = positions[0];
                long flushedTo = positions[1];
                waiting.removeIf(t -> {
                    if (t.target > flushedTo) return false; // every waiting ticket got its target when drained
                    t.flushed = true;
                    return true;
                });
                if (!waiting.isEmpty()) LockSupport.parkNanos(pollInterval.toNanos());
            } catch (SQLException | RuntimeException e) {
                // every commit of the epoch not confirmed is LOST from here on (durability() compares epochs)
                epoch = -Math.abs(epoch);
                waiting.clear();
                committed.clear();
                close(connection);
                connection = null;
                if (!running) break;
                if (!reportedOutage) {
                    log.warn(
                            "WAL flush watcher lost its connection to PostgreSQL ({}): batches whose flush it had"
                                    + " not seen are read again, and commits are synchronous until it is back",
                            e.getMessage());
                    reportedOutage = true;
                }
                LockSupport.parkNanos(backoff.toNanos());
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            }
        }
        epoch = -Math.abs(epoch);
        close(connection);
    }

    private static long[] positions(Connection connection) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(POSITIONS);
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return new long[] {rs.getLong(1), rs.getLong(2)};
        }
    }

    private Connection open() throws SQLException {
        Connection connection;
        if (dataSource instanceof HikariDataSource hikari) {
            Properties properties = new Properties();
            if (hikari.getUsername() != null) properties.setProperty("user", hikari.getUsername());
            if (hikari.getPassword() != null) properties.setProperty("password", hikari.getPassword());
            properties.setProperty("ApplicationName", "ingest-service WAL flush watcher");
            properties.setProperty("connectTimeout", Long.toString(Math.max(1, networkTimeout.toSeconds())));
            connection = DriverManager.getConnection(hikari.getJdbcUrl(), properties);
        } else {
            connection = dataSource.getConnection(); // holds one of the pool's connections for as long as it lives
        }
        try {
            connection.setAutoCommit(true);
            connection.setNetworkTimeout(timeouts, (int) Math.min(Integer.MAX_VALUE, networkTimeout.toMillis()));
            try (PreparedStatement ps =
                            connection.prepareStatement("SELECT current_setting('synchronous_standby_names')");
                    ResultSet rs = ps.executeQuery()) {
                rs.next();
                String names = rs.getString(1);
                standbys = names != null && !names.isBlank();
            }
            return connection;
        } catch (SQLException | RuntimeException e) {
            close(connection);
            throw e;
        }
    }

    private static void close(Connection connection) {
        if (connection == null) return;
        try {
            connection.close();
        } catch (SQLException e) {
            log.debug("closing the WAL flush watcher's connection: {}", e.getMessage());
        }
    }
}
