package io.promptloop.ingest.ingestion;

import io.promptloop.ingest.ingestion.domain.BatchPlan;
import io.promptloop.ingest.ingestion.domain.BatchPlanner;
import io.promptloop.ingest.ingestion.domain.Decoded;
import io.promptloop.ingest.ingestion.domain.InvalidEventException;
import io.promptloop.ingest.ingestion.domain.RejectionReason;
import io.promptloop.ingest.ingestion.persistence.EventWriter;
import io.promptloop.ingest.ingestion.persistence.EventWriter.WriteResult;
import java.sql.SQLException;
import java.util.List;
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

    private final EventWriter writer;
    private final TransactionTemplate transaction;
    private final BatchPlanner planner = new BatchPlanner();

    public IngestionService(EventWriter writer, TransactionTemplate transaction) {
        this.writer = writer;
        this.transaction = transaction;
    }

    public Outcome ingest(List<Decoded> batch) {
        try {
            return transaction.execute(status -> writeLongestValidPrefix(batch));
        } catch (DataAccessException e) {
            if (!isCausedByRow(e)) throw e;
            log.warn("PostgreSQL refused a row of a batch of {}; storing record by record to isolate it", batch.size());
            return isolate(batch);
        }
    }

    private Outcome writeLongestValidPrefix(List<Decoded> batch) {
        var storedTurns = writer.findStoredTurns(BatchPlanner.referencedTurns(batch));
        BatchPlan plan = planner.plan(batch, storedTurns);
        WriteResult written = writer.write(plan.events(), plan.turnIdsOfNotes(), storedTurns);
        return new Outcome(written, plan.rejectedIndex(), plan.rejection());
    }

    /** Stores one record per transaction until the one PostgreSQL refuses; writes are idempotent. */
    private Outcome isolate(List<Decoded> batch) {
        WriteResult written = WriteResult.NONE;
        for (int i = 0; i < batch.size(); i++) {
            List<Decoded> single = List.of(batch.get(i));
            Outcome one;
            try {
                one = transaction.execute(status -> writeLongestValidPrefix(single));
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
