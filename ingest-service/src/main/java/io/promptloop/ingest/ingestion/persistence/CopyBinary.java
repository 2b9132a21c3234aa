package io.promptloop.ingest.ingestion.persistence;

import io.promptloop.ingest.ingestion.domain.TurnRecorded;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.postgresql.PGConnection;
import org.postgresql.copy.PGCopyOutputStream;

/**
 * Turns in PostgreSQL's {@code COPY ... FROM STDIN (FORMAT binary)} format, streamed to the server in chunks: a
 * signature and header, per row the field count and each field as its length (-1 for NULL) and its type's binary
 * "send" form (uuid 16 bytes, int4, float8 and timestamptz big-endian, timestamptz as microseconds since
 * 2000-01-01 UTC, text as UTF-8, jsonb as version byte 1 followed by the JSON text), and a trailer of -1. PgJDBC has
 * no row encoder for COPY, so this is the small one it needs, on pgjdbc's {@code PGCopyOutputStream} (buffering and
 * chunks) and the JDK's {@code DataOutputStream} (big-endian numbers).
 *
 * <p>Why binary and not text: PostgreSQL parses no uuid, number or timestamp and unescapes no text (its CPU per
 * benchmark-shaped turn, three interleaved rounds each: COPY alone 26.1–28.1 against 21.9–23.3 µs in one run, 25.1–30.9
 * against 23.1–27.1 in another; with the batch's session upsert 34.4–47.8 against 31.7–37.5;
 * {@code benchmarks/results/pg-breakdown-2026-12-07-binary.txt}), and the service escapes nothing either. The values
 * are the ones the INSERT path binds: timestamps at the microsecond (events carry milliseconds), doubles bit for bit.
 */
final class CopyBinary {

    /** The turns table's columns in the order {@link #appendTurn} writes them. */
    static final String TURN_COLUMNS = "id, session_id, turn_number, user_message, agent_response, occurred_at,"
            + " processing_time_ms, search_results, avg_similarity, total_chunks, confidence_score, template_used,"
            + " instruction_id, metadata";

    static final int TURN_FIELDS = 14;

    /** "PGCOPY\n\377\r\n\0", then the flags field and the header extension length, both 0. */
    static final byte[] HEADER = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0, 0, 0, 0, 0, 0, 0, 0, 0
    };

    /** 2000-01-01T00:00:00Z, PostgreSQL's epoch, in seconds since 1970. */
    private static final long PG_EPOCH_SECONDS = 946_684_800L;

    private static final int JSONB_VERSION = 1;
    private static final int CHUNK_BYTES = 128 * 1024;

    private CopyBinary() {}

    /** Runs {@code copySql} (a binary COPY FROM STDIN) with the turns and ends it; returns the rows the server copied. */
    static long copyTurns(PGConnection connection, String copySql, List<TurnRecorded> turns) throws SQLException {
        // pgjdbc's stream buffers the bytes and sends them to the COPY in chunks; the JDK's writes them big-endian
        PGCopyOutputStream copy = new PGCopyOutputStream(connection, copySql, CHUNK_BYTES);
        try {
            DataOutputStream out = new DataOutputStream(copy);
            out.write(HEADER);
            for (TurnRecorded turn : turns) appendTurn(out, turn);
            out.writeShort(-1);
            return copy.endCopy();
        } catch (IOException e) { // the stream's wrapping of the server's refusal
            throw e.getCause() instanceof SQLException refused ? refused : new SQLException("COPY failed: " + e, e);
        } finally {
            if (copy.isActive()) copy.cancelCopy();
        }
    }

    static void appendTurn(DataOutputStream out, TurnRecorded t) throws IOException {
        out.writeShort(TURN_FIELDS);
        uuid(out, t.eventId());
        uuid(out, t.sessionId());
        int4(out, t.turnNumber());
        text(out, t.userMessage());
        text(out, t.agentResponse());
        timestamptz(out, t.occurredAt());
        int4(out, t.processingTimeMs());
        jsonb(out, Json.searchResults(t.searchResults()));
        float8(out, t.avgSimilarity());
        int4(out, t.totalChunks());
        float8(out, t.confidenceScore());
        text(out, t.templateUsed());
        uuid(out, t.instructionId());
        jsonb(out, Json.object(t.metadata()));
    }

    private static void uuid(DataOutputStream out, UUID value) throws IOException {
        if (value == null) {
            out.writeInt(-1);
            return;
        }
        out.writeInt(16);
        out.writeLong(value.getMostSignificantBits());
        out.writeLong(value.getLeastSignificantBits());
    }

    private static void int4(DataOutputStream out, Integer value) throws IOException {
        if (value == null) {
            out.writeInt(-1);
            return;
        }
        out.writeInt(4);
        out.writeInt(value);
    }

    private static void float8(DataOutputStream out, Double value) throws IOException {
        if (value == null) {
            out.writeInt(-1);
            return;
        }
        out.writeInt(8);
        out.writeDouble(value);
    }

    private static void timestamptz(DataOutputStream out, Instant value) throws IOException {
        out.writeInt(8);
        out.writeLong(Math.addExact(
                Math.multiplyExact(value.getEpochSecond() - PG_EPOCH_SECONDS, 1_000_000L), value.getNano() / 1_000));
    }

    private static void text(DataOutputStream out, String value) throws IOException {
        if (value == null) {
            out.writeInt(-1);
            return;
        }
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
    }

    private static void jsonb(DataOutputStream out, String json) throws IOException {
        if (json == null) {
            out.writeInt(-1);
            return;
        }
        byte[] utf8 = json.getBytes(StandardCharsets.UTF_8);
        out.writeInt(utf8.length + 1);
        out.writeByte(JSONB_VERSION);
        out.write(utf8);
    }
}
