package io.promptloop.ingest.ingestion;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.promptloop.ingest.ingestion.domain.BatchPlan;
import io.promptloop.ingest.ingestion.domain.BatchPlanner;
import io.promptloop.ingest.ingestion.domain.Decoded;
import io.promptloop.ingest.ingestion.domain.InvalidEventException;
import io.promptloop.ingest.ingestion.domain.RejectionReason;
import io.promptloop.ingest.ingestion.persistence.EventWriter;
import io.promptloop.ingest.ingestion.persistence.EventWriter.WriteResult;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Stores a batch of decoded agent events in one PostgreSQL transaction: the longest valid prefix is
 * written, and the first record that can never be stored is reported so that it is dead-lettered.
 * Faults of the database itself (down, overloaded, misconfigured) are thrown unchanged, so that the
 * batch is retried with back-off and nothing is dead-lettered for them.
 */
@Service
public class IngestionService {

    private static final Logger log = LoggerFactory.getLogger(IngestionService.class);

    /**
     * Batches that take the full lookup after a batch whose turns were assumed new met a stored one: redelivery
     * after a crash or rebalance, and agents re-sending, come in runs, and each refused COPY is work thrown away.
     */
    static final int LOOKUPS_AFTER_A_REFUSAL = 32;

    private final EventWriter writer;
    private final TransactionTemplate transaction;
    private final BatchPlanner planner = new BatchPlanner();
    private final AtomicInteger lookupsLeft = new AtomicInteger();
    private final Counter replans;

    public IngestionService(EventWriter writer, TransactionTemplate transaction, MeterRegistry meters) {
        this.writer = writer;
        this.transaction = transaction;
        this.replans = Counter.builder("promptloop.ingest.replans")
                .description("Batches planned on the assumption that their turns were new, in which PostgreSQL found"
                        + " a stored one (redelivery, a re-send, a taken turn number): planned again with a lookup")
                .register(meters);
    }

    /**
     * @param asynchronousCommit commit with {@code synchronous_commit = off}: the caller watches for the commit to
     *     become durable before it commits the batch's offsets (see {@code WalFlushWatcher})
     */
    public Outcome ingest(List<Decoded> batch, boolean asynchronousCommit) {
        try {
            return transaction.execute(status -> {
                if (asynchronousCommit) writer.commitAsynchronously();
                return writeLongestValidPrefix(batch);
            });
        } catch (DataAccessException e) {
            if (!isCausedByRow(e)) throw e;
            log.warn("PostgreSQL refused a row of a batch of {}; storing record by record to isolate it", batch.size());
            return isolate(batch, asynchronousCommit);
        }
    }

    /**
     * Plans and writes a batch. Each turn normally arrives once, so the batch is first planned as if none of its
     * turns were stored, which spares looking them up: only the turns its notes refer to outside the batch are
     * looked up. PostgreSQL checks the assumption (the turns are COPied, and a stored event id or turn number
     * makes the COPY fail before anything is written); if it fails, the turns are looked up and the batch is
     * planned again, so the outcome is the one of a plan with every turn looked up.
     */
    private Outcome writeLongestValidPrefix(List<Decoded> batch) {
        if (lookupsLeft.get() <= 0) {
            var storedNoteTurns = writer.findStoredTurns(BatchPlanner.notesReferencesOutsideBatch(batch));
            BatchPlan plan = planner.plan(batch, storedNoteTurns);
            var written = writer.writeAssumingNewTurns(plan.events(), plan.turnIdsOfNotes(), storedNoteTurns);
            if (written.isPresent()) return new Outcome(written.get(), plan.rejectedIndex(), plan.rejection());
            replans.increment();
            lookupsLeft.set(LOOKUPS_AFTER_A_REFUSAL);
        } else {
            lookupsLeft.decrementAndGet();
        }
        return writeWithLookup(batch);
    }

    private Outcome writeWithLookup(List<Decoded> batch) {
        var storedTurns = writer.findStoredTurns(BatchPlanner.referencedTurns(batch));
        BatchPlan plan = planner.plan(batch, storedTurns);
        WriteResult written = writer.write(plan.events(), plan.turnIdsOfNotes(), storedTurns);
        return new Outcome(written, plan.rejectedIndex(), plan.rejection());
    }

    /** Stores one record per transaction until the one PostgreSQL refuses; writes are idempotent. */
    private Outcome isolate(List<Decoded> batch, boolean asynchronousCommit) {
        WriteResult written = WriteResult.NONE;
        for (int i = 0; i < batch.size(); i++) {
            List<Decoded> single = List.of(batch.get(i));
            Outcome one;
            try {
                one = transaction.execute(status -> {
                    if (asynchronousCommit) writer.commitAsynchronously();
                    return writeWithLookup(single);
                });
            } catch (DataAccessException e) {
                if (!isCausedByRow(e)) throw e;
                String detail = e.getMostSpecificCause().getMessage();
                return new Outcome(
                        written,
                        i,
                        new InvalidEventException(
                                RejectionReason.REJECTED_BY_DATABASE, "PostgreSQL refused the row: " + detail, e));
            }
            written = written.plus(one.written());
            if (one.rejectedIndex() >= 0) return new Outcome(written, i, one.rejection());
        }
        return new Outcome(written, -1, null);
    }

    /**
     * Whether PostgreSQL refused the data itself (SQLSTATE class 22 data exception or 23 integrity
     * violation), as opposed to a fault of the server, connection or configuration, which is retried.
     */
    static boolean isCausedByRow(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                String state = sql.getSQLState();
                return state.startsWith("22") || state.startsWith("23");
            }
        }
        return false;
    }

    /**
     * @param written what was stored
     * @param rejectedIndex index of the record to dead-letter, or -1 when the whole batch was stored
     * @param rejection why that record was rejected
     */
    public record Outcome(WriteResult written, int rejectedIndex, InvalidEventException rejection) {}
}
