package io.promptloop.ingest.ingestion.persistence;

import io.promptloop.ingest.ingestion.domain.TurnRecorded.SearchResult;
import java.util.List;
import java.util.Map;

/** Minimal JSON encoding of the two shapes stored as jsonb: string maps and RAG search results. */
final class Json {

    private Json() {}

    static String object(Map<String, String> map) {
        if (map == null || map.isEmpty()) return "{}";
        StringBuilder out = new StringBuilder(64);
        out.append('{');
        boolean first = true;
        for (var entry : map.entrySet()) {
            if (!first) out.append(',');
            first = false;
            string(out, entry.getKey()).append(':');
            if (entry.getValue() == null) out.append("null");
            else string(out, entry.getValue());
        }
        return out.append('}').toString();
    }

    /** Seed 003's shape: {@code {"results": [{"chunk_id", "document_title", "chunk_text", "similarity"}]}}. */
    static String searchResults(List<SearchResult> results) {
        if (results == null || results.isEmpty()) return null;
        int capacity = 16;
        for (SearchResult r : results) {
            capacity += 96
                    + r.chunkId().length()
                    + r.chunkText().length()
                    + (r.documentTitle() == null ? 4 : r.documentTitle().length());
        }
        StringBuilder out = new StringBuilder(capacity);
        out.append("{\"results\":[");
        for (int i = 0; i < results.size(); i++) {
            SearchResult r = results.get(i);
            if (i > 0) out.append(',');
            out.append("{\"chunk_id\":");
            string(out, r.chunkId());
            out.append(",\"document_title\":");
            if (r.documentTitle() == null) out.append("null");
            else string(out, r.documentTitle());
            out.append(",\"chunk_text\":");
            string(out, r.chunkText());
            out.append(",\"similarity\":").append(r.similarity()).append('}');
        }
        return out.append("]}").toString();
    }

    /** Appends a JSON string literal; runs without a character to escape are appended in one piece. */
    static StringBuilder string(StringBuilder out, String s) {
        out.append('"');
        int from = 0;
        int length = s.length();
        for (int i = 0; i < length; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c != '"' && c != '\\') continue;
            out.append(s, from, i);
            from = i + 1;
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> out.append(String.format("\\u%04x", (int) c));
            }
        }
        return out.append(s, from, length).append('"');
    }
}
