package io.promptloop.benchmarks;

import io.promptloop.avro.session.SearchResult;
import io.promptloop.avro.session.SessionEvent;
import io.promptloop.avro.session.TurnRecorded;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import tools.jackson.databind.json.JsonMapper;

/**
 * One row of {@code conversation.tuning_conversation_turns} built from a decoded {@code TurnRecorded} event the
 * way ingest-service builds it (same columns, same JSON shapes for the jsonb columns), for the baselines.
 */
record TurnRow(
        UUID id,
        UUID sessionId,
        int turnNumber,
        String userMessage,
        String agentResponse,
        Instant occurredAt,
        Integer processingTimeMs,
        String searchResults,
        Double avgSimilarity,
        Integer totalChunks,
        Double confidenceScore,
        String templateUsed,
        UUID instructionId,
        String metadata) {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** The columns the service writes, in this record's order; {@code ingested_at} takes its default. */
    static final String COLUMNS = "id, session_id, turn_number, user_message, agent_response, occurred_at, "
            + "processing_time_ms, search_results, avg_similarity, total_chunks, confidence_score, template_used, "
            + "instruction_id, metadata";

    static TurnRow of(SessionEvent event) {
        TurnRecorded t = (TurnRecorded) event.getPayload();
        return new TurnRow(
                UUID.fromString(event.getEventId()),
                UUID.fromString(event.getSessionId()),
                t.getTurnNumber(),
                t.getUserMessage(),
                t.getAgentResponse(),
                event.getOccurredAt(),
                t.getProcessingTimeMs(),
                searchResultsJson(t.getSearchResults()),
                t.getAvgSimilarity(),
                t.getTotalChunks(),
                t.getConfidenceScore(),
                t.getTemplateUsed(),
                t.getInstructionId() == null ? null : UUID.fromString(t.getInstructionId()),
                objectJson(t.getMetadata()));
    }

    /** Appends the row as one line of PostgreSQL's COPY text format (tab-separated, {@code \N} for NULL). */
    void appendCopyText(StringBuilder out) {
        out.append(id).append('\t');
        out.append(sessionId).append('\t');
        out.append(turnNumber).append('\t');
        copyText(out, userMessage).append('\t');
        copyText(out, agentResponse).append('\t');
        out.append(occurredAt).append('\t');
        copyValue(out, processingTimeMs).append('\t');
        copyText(out, searchResults).append('\t');
        copyValue(out, avgSimilarity).append('\t');
        copyValue(out, totalChunks).append('\t');
        copyValue(out, confidenceScore).append('\t');
        copyText(out, templateUsed).append('\t');
        copyValue(out, instructionId).append('\t');
        copyText(out, metadata).append('\n');
    }

    private static StringBuilder copyValue(StringBuilder out, Object value) {
        return value == null ? out.append("\\N") : out.append(value);
    }

    static StringBuilder copyText(StringBuilder out, String value) {
        if (value == null) return out.append("\\N");
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> out.append(c);
            }
        }
        return out;
    }

    /** Seed 003's shape, as ingest-service writes it: {@code {"results":[{chunk_id, document_title, ...}]}}. */
    static String searchResultsJson(List<SearchResult> results) {
        if (results == null || results.isEmpty()) return null;
        List<Map<String, Object>> rows = new ArrayList<>(results.size());
        for (SearchResult r : results) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("chunk_id", r.getChunkId());
            row.put("document_title", r.getDocumentTitle());
            row.put("chunk_text", r.getChunkText());
            row.put("similarity", r.getSimilarity());
            rows.add(row);
        }
        return JSON.writeValueAsString(Map.of("results", rows));
    }

    static String objectJson(Map<String, String> map) {
        return map == null || map.isEmpty() ? "{}" : JSON.writeValueAsString(map);
    }
}
