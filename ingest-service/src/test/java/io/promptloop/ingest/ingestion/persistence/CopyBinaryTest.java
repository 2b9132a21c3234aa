package io.promptloop.ingest.ingestion.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import io.promptloop.ingest.ingestion.domain.AgentId;
import io.promptloop.ingest.ingestion.domain.TurnRecorded;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The COPY binary format as PostgreSQL's documentation defines it (COPY, "Binary Format"): the 11-byte signature
 * {@code PGCOPY\n\377\r\n\0}, a 32-bit flags field and a 32-bit header extension length; per tuple a 16-bit field
 * count, then each field's 32-bit length (-1: NULL) and its bytes in the type's send format; a 16-bit -1 trailer.
 * The types' send formats are those of PostgreSQL's {@code uuid_send}, {@code int4send}, {@code float8send},
 * {@code timestamptz_send} (int64 microseconds since 2000-01-01 00:00 UTC), {@code textsend} and {@code jsonb_send}
 * (a version byte 1, then the text). {@code SessionIngestIT} shows PostgreSQL reading the rows back.
 */
class CopyBinaryTest {

    @Test
    void shouldStartWithTheSignatureAndAnEmptyHeader() {
        byte[] signature = "PGCOPY\n\377\r\n\0".getBytes(StandardCharsets.ISO_8859_1);
        assertThat(signature).hasSize(11);
        ByteBuffer header = ByteBuffer.wrap(CopyBinary.HEADER);
        byte[] first = new byte[11];
        header.get(first);
        assertThat(first).isEqualTo(signature);
        assertThat(header.getInt()).as("flags").isZero();
        assertThat(header.getInt()).as("header extension length").isZero();
        assertThat(header.hasRemaining()).isFalse();
    }

    @Test
    void shouldWriteATurnFieldByFieldInTheColumnOrderItDeclares() {
        UUID id = UUID.fromString("00000000-0000-0001-0000-000000000002");
        UUID session = UUID.fromString("ffffffff-0000-0000-8000-000000000003");
        Instant at = Instant.parse("2026-12-06T20:00:00.123Z");
        TurnRecorded turn = new TurnRecorded(
                id,
                at,
                new AgentId("era", "answer"),
                session,
                3,
                "hi\tthere \\N é中😀",
                "line 1\nline 2",
                null,
                List.of(new TurnRecorded.SearchResult("c-1", null, "say \"no\"\n", 0.5)),
                0.1,
                1,
                null,
                null,
                null,
                Map.of("k", "v"));

        ByteBuffer row = ByteBuffer.wrap(encoded(turn));

        assertThat(CopyBinary.TURN_COLUMNS.split(", ")).hasSize(CopyBinary.TURN_FIELDS);
        assertThat(row.getShort()).as("field count").isEqualTo((short) 14);
        assertThat(field(row)).as("id").isEqualTo(uuidBytes(id));
        assertThat(field(row)).as("session_id").isEqualTo(uuidBytes(session));
        assertThat(ByteBuffer.wrap(field(row)).getInt()).as("turn_number").isEqualTo(3);
        assertThat(new String(field(row), StandardCharsets.UTF_8)).isEqualTo("hi\tthere \\N é中😀");
        assertThat(new String(field(row), StandardCharsets.UTF_8)).isEqualTo("line 1\nline 2");
        assertThat(ByteBuffer.wrap(field(row)).getLong())
                .as("occurred_at")
                .isEqualTo(ChronoUnit.MICROS.between(Instant.parse("2000-01-01T00:00:00Z"), at));
        assertThat(field(row)).as("processing_time_ms").isNull();
        byte[] results = field(row);
        assertThat(results[0]).as("jsonb version").isEqualTo((byte) 1);
        assertThat(new String(results, 1, results.length - 1, StandardCharsets.UTF_8))
                .isEqualTo("{\"results\":[{\"chunk_id\":\"c-1\",\"document_title\":null,"
                        + "\"chunk_text\":\"say \\\"no\\\"\\n\",\"similarity\":0.5}]}");
        assertThat(ByteBuffer.wrap(field(row)).getDouble()).as("avg_similarity").isEqualTo(0.1);
        assertThat(ByteBuffer.wrap(field(row)).getInt()).as("total_chunks").isEqualTo(1);
        assertThat(field(row)).as("confidence_score").isNull();
        assertThat(field(row)).as("template_used").isNull();
        assertThat(field(row)).as("instruction_id").isNull();
        byte[] metadata = field(row);
        assertThat(metadata[0]).isEqualTo((byte) 1);
        assertThat(new String(metadata, 1, metadata.length - 1, StandardCharsets.UTF_8))
                .isEqualTo("{\"k\":\"v\"}");
        assertThat(row.hasRemaining()).isFalse();
    }

    @Test
    void shouldCountTimestampsFromPostgresqlsEpochBothWays() {
        assertThat(micros(Instant.parse("2000-01-01T00:00:00Z"))).isZero();
        assertThat(micros(Instant.parse("2000-01-01T00:00:00.000001Z"))).isEqualTo(1);
        assertThat(micros(Instant.parse("1999-12-31T23:59:59Z"))).isEqualTo(-1_000_000);
        assertThat(micros(Instant.parse("1970-01-01T00:00:00Z"))).isEqualTo(-946_684_800_000_000L);
    }

    private static long micros(Instant at) {
        TurnRecorded turn = new TurnRecorded(
                UUID.randomUUID(),
                at,
                new AgentId("a", null),
                UUID.randomUUID(),
                1,
                "",
                "",
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                Map.of());
        ByteBuffer row = ByteBuffer.wrap(encoded(turn));
        row.getShort();
        for (int skip = 0; skip < 5; skip++) field(row);
        return ByteBuffer.wrap(field(row)).getLong();
    }

    private static byte[] encoded(TurnRecorded turn) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            CopyBinary.appendTurn(new DataOutputStream(bytes), turn);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** The next field's bytes, or null for a NULL field (length -1). */
    private static byte[] field(ByteBuffer row) {
        int length = row.getInt();
        if (length == -1) return null;
        byte[] bytes = new byte[length];
        row.get(bytes);
        return bytes;
    }

    private static byte[] uuidBytes(UUID id) {
        return ByteBuffer.allocate(16)
                .putLong(id.getMostSignificantBits())
                .putLong(id.getLeastSignificantBits())
                .array();
    }
}
