package io.promptloop.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.promptloop.testkit.DatabaseLogin;
import io.promptloop.testkit.Postgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The commit probe against a real (embedded) PostgreSQL: it commits, counts, and sees a stall of the server's. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CommitProbeTest {

    private Postgres postgres;

    @BeforeAll
    void start() {
        postgres = new Postgres(Postgres.Settings.defaults());
        postgres.start();
    }

    @AfterAll
    void stop() {
        if (postgres != null) postgres.close();
    }

    private Connection connect() throws SQLException {
        DatabaseLogin login = postgres.superuser();
        return DriverManager.getConnection(login.jdbcUrl(), login.user(), login.password());
    }

    @Test
    void shouldCommitEveryIntervalAndSeeAWindowInWhichTheServerHeldItsCommits() throws Exception {
        try (Connection probed = connect();
                Connection blocker = connect()) {
            CommitProbe probe = new CommitProbe(probed, 2, 1);
            await().atMost(Duration.ofSeconds(20)).until(() -> count(blocker) >= 3);
            // the server holds the probe's next insert for 600 ms (a lock here; a WAL flush stall in a real phase)
            blocker.setAutoCommit(false);
            long heldFrom = System.nanoTime();
            try (Statement s = blocker.createStatement()) {
                s.execute("LOCK TABLE bench.commit_probe IN EXCLUSIVE MODE");
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> waiting(blocker) && System.nanoTime() - heldFrom > 600_000_000L);
            }
            blocker.commit();
            blocker.setAutoCommit(true);
            long rowsBefore = count(blocker);
            await().atMost(Duration.ofSeconds(20)).until(() -> count(blocker) >= rowsBefore + 3);
            probe.close();

            String[] report = probe.report();
            long rows = count(blocker);
            assertThat(report[0]).contains(String.format("%,d probes", rows)).doesNotContain("STOPPED");
            assertThat(report[1]).startsWith("  PostgreSQL's own commits by 1 s of the phase");
            // the held probe took at least the 600 ms minus the time it was issued after the lock (< one interval)
            long slowest = Math.max(probe.maxMicros(0), probe.maxMicros(1));
            assertThat(slowest).isGreaterThan(TimeUnit.MILLISECONDS.toMicros(600 - CommitProbe.INTERVAL_MILLIS));
            assertThat(probe.maxMicros(2)).as("no third window in a 2-s phase").isEqualTo(-1);
        }
    }

    private static long count(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM bench.commit_probe")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Whether an insert waits for the lock this connection holds. */
    private static boolean waiting(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                        + " AND query LIKE 'INSERT INTO bench.commit_probe%'")) {
            rs.next();
            return rs.getLong(1) > 0;
        }
    }
}
