package io.promptloop.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.promptloop.ingest.ingestion.messaging.DurableOffsets;
import java.time.Duration;
import java.util.UUID;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;

/**
 * PostgreSQL crashes (SIGKILL of all its processes) right after the service stored a stream with asynchronous
 * commits: the last commits, whose WAL the server had not written yet, are lost. The service committed no Kafka
 * offset for them (it had not seen their WAL flushed), notices the server's crash by its watcher's broken
 * connection, reads them again and stores them: every event once, counters right.
 *
 * <p>The server's WAL writer is slowed ({@code wal_writer_delay = 10s}) so that the stream's last commit is
 * still unwritten when the server is killed; the test proves that the crash lost rows (the service stored rows
 * again after it) before it checks the outcome. Run in the default {@code synchronous} mode instead (on this test
 * server, where {@code synchronous_commit} is off, that is offsets committed right after an asynchronous commit)
 * the same scenario loses the rows for good: {@code awaitSession} times out.
 */
// its own context: the listeners' ledgers must hold this test's batches only
@DirtiesContext
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.NONE,
        properties = "promptloop.ingest.commits.mode=flush-gated")
class PostgresCrashIT extends IngestTestSupport {

    private static final int TURNS = 200;
    private static final int ROUNDS = 3;

    @Autowired
    MeterRegistry meters;

    @BeforeEach
    void slowWalWriter() {
        sql().execute("ALTER SYSTEM SET wal_writer_delay = '10s'");
        sql().execute("SELECT pg_reload_conf()");
    }

    @AfterEach
    void restoreServer() {
        INFRA.postgres().start(); // no-op when it is running
        sql().execute("ALTER SYSTEM RESET wal_writer_delay");
        sql().execute("SELECT pg_reload_conf()");
    }

    @Test
    void shouldStoreAgainWhatACrashOfPostgresLostAndNothingTwice() {
        double storedAgain = 0;
        // a checkpoint or another writer can flush the WAL just before the kill; then that round lost nothing
        for (int round = 1; round <= ROUNDS && storedAgain == 0; round++) {
            String session = UUID.randomUUID().toString();
            for (int n = 1; n <= TURNS; n++) sendSession(turn(session, n));
            for (int n = 10; n <= TURNS; n += 10) sendSession(note(session, n, "note " + n));
            avro().flush();
            SessionIngestIT.awaitSession(session, TURNS, TURNS / 10);
            double storedBefore = stored();

            INFRA.postgres().crash();
            INFRA.postgres().start();

            SessionIngestIT.awaitSession(session, TURNS, TURNS / 10);
            // rows stored again after the crash were lost by it: the service read them again (nothing else sends);
            // its counter moves right after the commit the query above saw
            storedAgain = storedSince(storedBefore);
            System.out.printf(
                    "round %d: %s rows lost by the crash and stored again; %s batches read again%n",
                    round,
                    storedAgain,
                    meters.get(DurableOffsets.REWOUND).counter().count());
        }
        assertThat(storedAgain)
                .as("in %d rounds the crash never lost a stored row: the scenario did not happen", ROUNDS)
                .isPositive();
        assertThat(meters.get(DurableOffsets.REWOUND).counter().count()).isPositive();
    }

    private double storedSince(double before) {
        try {
            await().atMost(Duration.ofSeconds(2)).until(() -> stored() > before);
        } catch (ConditionTimeoutException e) {
            // nothing was stored again: this round's crash lost nothing
        }
        return stored() - before;
    }

    private double stored() {
        return meters.find("promptloop.ingest.events").tag("outcome", "stored").counters().stream()
                .mapToDouble(c -> c.count())
                .sum();
    }
}
