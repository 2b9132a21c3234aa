package io.promptloop.benchmarks;

import io.promptloop.testkit.DatabaseLogin;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * Writes the benchmark's rows straight into a fresh copy of {@code conversation.tuning_conversation_turns} on the
 * same PostgreSQL, one connection, three ways. Rows are built (event generated, {@link TurnRow} with its JSON)
 * outside the clock; the clock runs from the row objects to committed rows: parameter binding or COPY encoding,
 * the statements, and the commits. No Kafka and no Avro decoding are timed here.
 */
final class Baselines {

    /** Rows generated, then written, at a time; the writing of each chunk is timed. */
    static final int CHUNK = 10_000;
    /** Rows per JDBC batch / per unnest statement, each committed on its own (the service commits per poll). */
    static final int BATCH = 1_000;

    private Baselines() {}

    /** What one baseline did. */
    record Result(String method, long rows, double seconds) {
        double rowsPerSecond() {
            return rows / seconds;
        }
    }

    /** How a chunk of rows is written; runs on the clock. */
    @FunctionalInterface
    interface ChunkWriter {
        void write(Connection connection, List<TurnRow> rows) throws SQLException;
    }

    /** {@code bench.<name>} as {@code LIKE conversation.tuning_conversation_turns INCLUDING ALL} (no FK). */
    static String createTable(Connection superuser, String name) throws SQLException {
        String table = "bench." + name;
        try (Statement s = superuser.createStatement()) {
            s.execute("CREATE SCHEMA IF NOT EXISTS bench");
            s.execute("DROP TABLE IF EXISTS " + table);
            s.execute("CREATE TABLE " + table + " (LIKE conversation.tuning_conversation_turns INCLUDING ALL)");
        }
        return table;
    }

    static Connection connect(DatabaseLogin login, String urlOptions) throws SQLException {
        return DriverManager.getConnection(login.jdbcUrl() + urlOptions, login.user(), login.password());
    }

    static Result run(String method, Connection connection, TurnEvents events, ChunkWriter writer) throws SQLException {
        long timed = 0;
        List<TurnRow> rows = new ArrayList<>(CHUNK);
        for (long from = 0; from < events.count(); from += CHUNK) {
            rows.clear();
            long to = Math.min(events.count(), from + CHUNK);
            for (long i = from; i < to; i++) rows.add(TurnRow.of(events.event(i)));
            long started = System.nanoTime();
            writer.write(connection, rows);
            timed += System.nanoTime() - started;
        }
        return new Result(method, events.count(), timed / 1e9);
    }

    /** (a) {@code INSERT ... VALUES (...) ON CONFLICT DO NOTHING}, addBatch/executeBatch; needs reWriteBatchedInserts. */
    static ChunkWriter jdbcBatch(String table) {
        String sql = "INSERT INTO " + table + " (" + TurnRow.COLUMNS + ") "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?::jsonb) ON CONFLICT DO NOTHING";
        return (connection, rows) -> {
            connection.setAutoCommit(false);
            try (PreparedStatement ps = connection.prepareStatement(sql)) {
                for (int from = 0; from < rows.size(); from += BATCH) {
                    for (TurnRow r : rows.subList(from, Math.min(rows.size(), from + BATCH))) {
                        ps.setObject(1, r.id());
                        ps.setObject(2, r.sessionId());
                        ps.setInt(3, r.turnNumber());
                        ps.setString(4, r.userMessage());
                        ps.setString(5, r.agentResponse());
                        ps.setObject(6, OffsetDateTime.ofInstant(r.occurredAt(), ZoneOffset.UTC));
                        ps.setObject(7, r.processingTimeMs(), Types.INTEGER);
                        ps.setString(8, r.searchResults());
                        ps.setObject(9, r.avgSimilarity(), Types.DOUBLE);
                        ps.setObject(10, r.totalChunks(), Types.INTEGER);
                        ps.setObject(11, r.confidenceScore(), Types.DOUBLE);
                        ps.setString(12, r.templateUsed());
                        ps.setObject(13, r.instructionId(), Types.OTHER);
                        ps.setString(14, r.metadata());
                        ps.addBatch();
                    }
                    ps.executeBatch();
                    connection.commit();
                }
            }
        };
    }

    /**
     * (extra) ingest-service's own statement shape (EventWriter.INSERT_TURNS): {@code INSERT ... SELECT FROM
     * unnest(?::uuid[], ...) ON CONFLICT DO NOTHING RETURNING session_id}, one statement per 1,000 rows.
     */
    static ChunkWriter unnest(String table) {
        String sql = "INSERT INTO " + table + " (" + TurnRow.COLUMNS + ")" + """

                SELECT t.id, t.session_id, t.turn_number, t.user_message, t.agent_response,
                       to_timestamp(t.occurred_ms / 1000.0), t.processing_time_ms, t.search_results::jsonb,
                       t.avg_similarity, t.total_chunks, t.confidence_score, t.template_used, t.instruction_id,
                       t.metadata::jsonb
                  FROM unnest(?::uuid[], ?::uuid[], ?::int[], ?::text[], ?::text[], ?::bigint[], ?::int[], ?::text[],
                              ?::float8[], ?::int[], ?::float8[], ?::text[], ?::uuid[], ?::text[])
                    AS t(id, session_id, turn_number, user_message, agent_response, occurred_ms, processing_time_ms,
                         search_results, avg_similarity, total_chunks, confidence_score, template_used,
                         instruction_id, metadata)
                ON CONFLICT DO NOTHING
                RETURNING session_id
                """;
        return (connection, rows) -> {
            connection.setAutoCommit(false);
            try (PreparedStatement ps = connection.prepareStatement(sql)) {
                for (int from = 0; from < rows.size(); from += BATCH) {
                    List<TurnRow> l = rows.subList(from, Math.min(rows.size(), from + BATCH));
                    int i = 1;
                    ps.setArray(i++, array(connection, "uuid", l, TurnRow::id));
                    ps.setArray(i++, array(connection, "uuid", l, TurnRow::sessionId));
                    ps.setArray(i++, array(connection, "int4", l, TurnRow::turnNumber));
                    ps.setArray(i++, array(connection, "text", l, TurnRow::userMessage));
                    ps.setArray(i++, array(connection, "text", l, TurnRow::agentResponse));
                    ps.setArray(
                            i++,
                            array(connection, "int8", l, r -> r.occurredAt().toEpochMilli()));
                    ps.setArray(i++, array(connection, "int4", l, TurnRow::processingTimeMs));
                    ps.setArray(i++, array(connection, "text", l, TurnRow::searchResults));
                    ps.setArray(i++, array(connection, "float8", l, TurnRow::avgSimilarity));
                    ps.setArray(i++, array(connection, "int4", l, TurnRow::totalChunks));
                    ps.setArray(i++, array(connection, "float8", l, TurnRow::confidenceScore));
                    ps.setArray(i++, array(connection, "text", l, TurnRow::templateUsed));
                    ps.setArray(i++, array(connection, "uuid", l, TurnRow::instructionId));
                    ps.setArray(i, array(connection, "text", l, TurnRow::metadata));
                    int returned = 0;
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) returned++;
                    }
                    if (returned != l.size()) {
                        throw new IllegalStateException("unnest insert stored " + returned + " of " + l.size());
                    }
                    connection.commit();
                }
            }
        };
    }

    /**
     * (b) {@code COPY ... FROM STDIN} (text format) through PgJDBC's CopyManager, one COPY per chunk; rows are
     * encoded as the driver reads them, so PostgreSQL parses while the client encodes.
     */
    static ChunkWriter copy(String table) {
        String sql = "COPY " + table + " (" + TurnRow.COLUMNS + ") FROM STDIN (FORMAT text)";
        return (connection, rows) -> {
            connection.setAutoCommit(true);
            CopyManager copy = connection.unwrap(PGConnection.class).getCopyAPI();
            try {
                long stored = copy.copyIn(sql, new CopyTextStream(rows), 65_536);
                if (stored != rows.size()) {
                    throw new IllegalStateException("COPY stored " + stored + " of " + rows.size());
                }
            } catch (java.io.IOException e) {
                throw new SQLException("COPY into " + table + " failed", e);
            }
        };
    }

    /** The rows in COPY text format, encoded one row at a time as the stream is read. */
    static final class CopyTextStream extends java.io.InputStream {
        private final List<TurnRow> rows;
        private final StringBuilder text = new StringBuilder(4_096);
        private int next;
        private byte[] buffer = new byte[0];
        private int position;

        CopyTextStream(List<TurnRow> rows) {
            this.rows = rows;
        }

        private boolean fill() {
            while (position >= buffer.length) {
                if (next >= rows.size()) return false;
                text.setLength(0);
                rows.get(next++).appendCopyText(text);
                buffer = text.toString().getBytes(StandardCharsets.UTF_8);
                position = 0;
            }
            return true;
        }

        @Override
        public int read() {
            return fill() ? buffer[position++] & 0xFF : -1;
        }

        @Override
        public int read(byte[] target, int offset, int length) {
            if (length == 0) return 0;
            int copied = 0;
            while (copied < length && fill()) {
                int n = Math.min(length - copied, buffer.length - position);
                System.arraycopy(buffer, position, target, offset + copied, n);
                position += n;
                copied += n;
            }
            return copied == 0 ? -1 : copied;
        }
    }

    private static <T> java.sql.Array array(Connection con, String type, List<T> rows, Function<T, ?> column)
            throws SQLException {
        Object[] values = new Object[rows.size()];
        for (int i = 0; i < values.length; i++) values[i] = column.apply(rows.get(i));
        return con.createArrayOf(type, values);
    }
}
