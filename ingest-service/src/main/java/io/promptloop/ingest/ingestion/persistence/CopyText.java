package io.promptloop.ingest.ingestion.persistence;

import io.promptloop.ingest.ingestion.domain.TurnRecorded;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.List;
import org.postgresql.copy.CopyIn;

/**
 * Turns as lines of PostgreSQL's {@code COPY ... FROM STDIN} text format (tab-separated, {@code \N} for NULL,
 * backslash escapes), streamed to the server in chunks. PgJDBC has no row encoder for COPY, so this is the
 * small one it needs; the values are exactly those the unnest statement binds (timestamps as ISO-8601 instants,
 * which PostgreSQL reads as the same microsecond as {@code to_timestamp(ms / 1000.0)}).
 */
final class CopyText {

    /** The turns table's columns in the order {@link #appendTurn} writes them. */
    static final String TURN_COLUMNS = "id, session_id, turn_number, user_message, agent_response, occurred_at,"
            + " processing_time_ms, search_results, avg_similarity, total_chunks, confidence_score, template_used,"
            + " instruction_id, metadata";

    private static final int CHUNK_CHARS = 128 * 1024;

    private CopyText() {}

    /** Sends the turns to an open COPY and ends it; returns the rows the server reports as copied. */
    static long copyTurns(CopyIn copy, List<TurnRecorded> turns) throws SQLException {
        StringBuilder text = new StringBuilder(CHUNK_CHARS + 8192);
        try {
            for (TurnRecorded turn : turns) {
                appendTurn(text, turn);
                if (text.length() >= CHUNK_CHARS) flush(copy, text);
            }
            flush(copy, text);
            return copy.endCopy();
        } finally {
            if (copy.isActive()) copy.cancelCopy();
        }
    }

    private static void flush(CopyIn copy, StringBuilder text) throws SQLException {
        if (text.isEmpty()) return;
        byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
        copy.writeToCopy(bytes, 0, bytes.length);
        text.setLength(0);
    }

    static void appendTurn(StringBuilder out, TurnRecorded t) {
        out.append(t.eventId()).append('\t');
        out.append(t.sessionId()).append('\t');
        out.append(t.turnNumber()).append('\t');
        text(out, t.userMessage()).append('\t');
        text(out, t.agentResponse()).append('\t');
        out.append(t.occurredAt()).append('\t');
        value(out, t.processingTimeMs()).append('\t');
        text(out, Json.searchResults(t.searchResults())).append('\t');
        value(out, t.avgSimilarity()).append('\t');
        value(out, t.totalChunks()).append('\t');
        value(out, t.confidenceScore()).append('\t');
        text(out, t.templateUsed()).append('\t');
        value(out, t.instructionId()).append('\t');
        text(out, Json.object(t.metadata())).append('\n');
    }

    private static StringBuilder value(StringBuilder out, Object value) {
        return value == null ? out.append("\\N") : out.append(value);
    }

    /** Appends the value with COPY's escapes; runs without a special character are appended in one piece. */
    static StringBuilder text(StringBuilder out, String value) {
        if (value == null) return out.append("\\N");
        int from = 0;
        int length = value.length();
        for (int i = 0; i < length; i++) {
            String escape = switch (value.charAt(i)) {
                case '\\' -> "\\\\";
                case '\n' -> "\\n";
                case '\r' -> "\\r";
                case '\t' -> "\\t";
                default -> null;
            };
            if (escape != null) {
                out.append(value, from, i).append(escape);
                from = i + 1;
            }
        }
        return out.append(value, from, length);
    }
}
