package io.promptloop.ingest.ingestion.persistence;

import io.promptloop.ingest.ingestion.domain.TurnRecorded;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.postgresql.copy.CopyIn;

/**
 * Turns in PostgreSQL's {@code COPY ... FROM STDIN (FORMAT binary)} format, streamed to the server in chunks: a
 * signature and header, per row the field count and each field as its length (-1 for NULL) and its type's binary
 * "send" form (uuid 16 bytes, int4, float8 and timestamptz big-endian, timestamptz as microseconds since
 * 2000-01-01 UTC, text as UTF-8, jsonb as version byte 1 followed by the JSON text), and a trailer of -1. PgJDBC has
 * no row encoder for COPY, so this is the small one it needs.
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

    /** Sends the turns to an open binary COPY and ends it; returns the rows the server reports as copied. */
    static long copyTurns(CopyIn copy, List<TurnRecorded> turns) throws SQLException {
        Buffer out = new Buffer(CHUNK_BYTES + 8192);
        try {
            out.bytes(HEADER);
            for (TurnRecorded turn : turns) {
                appendTurn(out, turn);
                if (out.size >= CHUNK_BYTES) out.flushTo(copy);
            }
            out.int16(-1);
            out.flushTo(copy);
            return copy.endCopy();
        } finally {
            if (copy.isActive()) copy.cancelCopy();
        }
    }

    static void appendTurn(Buffer out, TurnRecorded t) {
        out.int16(TURN_FIELDS);
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

    private static void uuid(Buffer out, UUID value) {
        if (value == null) {
            out.int32(-1);
            return;
        }
        out.int32(16);
        out.int64(value.getMostSignificantBits());
        out.int64(value.getLeastSignificantBits());
    }

    private static void int4(Buffer out, Integer value) {
        if (value == null) {
            out.int32(-1);
            return;
        }
        out.int32(4);
        out.int32(value);
    }

    private static void float8(Buffer out, Double value) {
        if (value == null) {
            out.int32(-1);
            return;
        }
        out.int32(8);
        out.int64(Double.doubleToLongBits(value));
    }

    private static void timestamptz(Buffer out, Instant value) {
        out.int32(8);
        out.int64(Math.addExact(
                Math.multiplyExact(value.getEpochSecond() - PG_EPOCH_SECONDS, 1_000_000L), value.getNano() / 1_000));
    }

    private static void text(Buffer out, String value) {
        if (value == null) {
            out.int32(-1);
            return;
        }
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        out.int32(utf8.length);
        out.bytes(utf8);
    }

    private static void jsonb(Buffer out, String json) {
        if (json == null) {
            out.int32(-1);
            return;
        }
        byte[] utf8 = json.getBytes(StandardCharsets.UTF_8);
        out.int32(utf8.length + 1);
        out.int8(JSONB_VERSION);
        out.bytes(utf8);
    }

    /** A growable big-endian byte buffer, sent to the COPY in chunks. */
    static final class Buffer {
        private byte[] bytes;
        private int size;

        Buffer(int capacity) {
            bytes = new byte[capacity];
        }

        byte[] toByteArray() {
            return Arrays.copyOf(bytes, size);
        }

        void flushTo(CopyIn copy) throws SQLException {
            if (size == 0) return;
            copy.writeToCopy(bytes, 0, size);
            size = 0;
        }

        private void room(int n) {
            if (size + n > bytes.length) bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + n));
        }

        void int8(int v) {
            room(1);
            bytes[size++] = (byte) v;
        }

        void int16(int v) {
            room(2);
            bytes[size++] = (byte) (v >>> 8);
            bytes[size++] = (byte) v;
        }

        void int32(int v) {
            room(4);
            bytes[size++] = (byte) (v >>> 24);
            bytes[size++] = (byte) (v >>> 16);
            bytes[size++] = (byte) (v >>> 8);
            bytes[size++] = (byte) v;
        }

        void int64(long v) {
            int32((int) (v >>> 32));
            int32((int) v);
        }

        void bytes(byte[] b) {
            room(b.length);
            System.arraycopy(b, 0, bytes, size, b.length);
            size += b.length;
        }
    }
}
