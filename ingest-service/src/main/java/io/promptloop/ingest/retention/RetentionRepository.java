package io.promptloop.ingest.retention;

import java.sql.Timestamp;
import java.time.Instant;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.support.TransactionTemplate;

/** Deletes (or archives, then deletes) old sessions in one short transaction per batch. */
@Repository
class RetentionRepository {

    /** Advisory lock key shared by every replica: "promptloop retention". */
    private static final long LOCK_KEY = 0x70726f6d70746c6fL;

    private static final String PICKED = """
            WITH picked AS (
                SELECT id FROM conversation.prompt_tuning_sessions
                 WHERE session_start < ? ORDER BY session_start LIMIT ?
                   FOR UPDATE SKIP LOCKED)
            """;

    private static final String ARCHIVE = """
            , archived_sessions AS (
                INSERT INTO conversation.prompt_tuning_sessions_archive
                SELECT s.*, now() FROM conversation.prompt_tuning_sessions s JOIN picked p ON p.id = s.id
                ON CONFLICT (id) DO NOTHING)
            , archived_turns AS (
                INSERT INTO conversation.tuning_conversation_turns_archive
                SELECT t.*, now() FROM conversation.tuning_conversation_turns t JOIN picked p ON p.id = t.session_id
                ON CONFLICT (id) DO NOTHING)
            , archived_notes AS (
                INSERT INTO conversation.tuning_improvements_archive
                SELECT i.*, now() FROM conversation.tuning_improvements i JOIN picked p ON p.id = i.session_id
                ON CONFLICT (id) DO NOTHING)
            """;

    // turns and notes go with their session (ON DELETE CASCADE)
    private static final String DELETE = """
            DELETE FROM conversation.prompt_tuning_sessions s USING picked p WHERE p.id = s.id
            """;

    private final JdbcClient jdbc;
    private final TransactionTemplate transaction;

    RetentionRepository(JdbcClient jdbc, TransactionTemplate transaction) {
        this.jdbc = jdbc;
        this.transaction = transaction;
    }

    /** @return sessions removed, or -1 if another replica is running retention right now */
    int removeBatch(Instant cutoff, int batchSize, boolean archive) {
        Integer removed = transaction.execute(status -> {
            Boolean locked = jdbc.sql("SELECT pg_try_advisory_xact_lock(?)")
                    .param(LOCK_KEY)
                    .query(Boolean.class)
                    .single();
            if (!Boolean.TRUE.equals(locked)) return -1;
            return jdbc.sql(PICKED + (archive ? ARCHIVE : "") + DELETE)
                    .param(Timestamp.from(cutoff))
                    .param(batchSize)
                    .update();
        });
        return removed == null ? 0 : removed;
    }
}
