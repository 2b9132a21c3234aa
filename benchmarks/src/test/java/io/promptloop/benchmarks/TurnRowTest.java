package io.promptloop.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import io.promptloop.avro.session.SearchResult;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class TurnRowTest {

    @Test
    void shouldEscapeCopyTextAndWriteNullsAsBackslashN() {
        UUID id = UUID.fromString("00000000-0000-4000-8000-000000000001");
        TurnRow row = new TurnRow(
                id,
                id,
                3,
                "tab\there",
                "line one\n\nline \\ two\r",
                Instant.parse("2025-06-02T08:00:45.123Z"),
                null,
                null,
                0.5,
                null,
                null,
                null,
                null,
                "{}");
        StringBuilder out = new StringBuilder();
        row.appendCopyText(out);
        assertThat(out.toString())
                .isEqualTo(id + "\t" + id + "\t3\ttab\\there\tline one\\n\\nline \\\\ two\\r\t"
                        + "2025-06-02T08:00:45.123Z\t\\N\t\\N\t0.5\t\\N\t\\N\t\\N\t\\N\t{}\n");
    }

    @Test
    void shouldWriteSearchResultsInTheServicesJsonShape() {
        String json = TurnRow.searchResultsJson(List.of(new SearchResult("c-1", null, "say \"hi\"\n", 0.25)));
        assertThat(json)
                .isEqualTo("{\"results\":[{\"chunk_id\":\"c-1\",\"document_title\":null,"
                        + "\"chunk_text\":\"say \\\"hi\\\"\\n\",\"similarity\":0.25}]}");
        assertThat(TurnRow.searchResultsJson(List.of())).isNull();
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("a", "1");
        metadata.put("b", null);
        assertThat(TurnRow.objectJson(metadata)).isEqualTo("{\"a\":\"1\",\"b\":null}");
    }

    @Test
    void shouldBuildTheRowFromTheEvent() {
        var event = new TurnEvents(42, 100, 10).event(17);
        TurnRow row = TurnRow.of(event);
        assertThat(row.id()).hasToString(event.getEventId());
        assertThat(row.sessionId()).hasToString(event.getSessionId());
        assertThat(row.occurredAt()).isEqualTo(event.getOccurredAt());
        assertThat(row.searchResults()).startsWith("{\"results\":[{\"chunk_id\":\"chunk-");
        assertThat(row.metadata()).contains("\"locale\":\"en-US\"");
    }

    @Test
    void shouldStreamTheSameBytesAsTheRowsEncodedAtOnce() throws Exception {
        TurnEvents events = new TurnEvents(42, 50, 10);
        List<TurnRow> rows = new java.util.ArrayList<>();
        StringBuilder all = new StringBuilder();
        for (long i = 0; i < 50; i++) {
            TurnRow row = TurnRow.of(events.event(i));
            rows.add(row);
            row.appendCopyText(all);
        }
        byte[] streamed;
        try (var in = new Baselines.CopyTextStream(rows)) {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            byte[] chunk = new byte[777];
            int n;
            while ((n = in.read(chunk, 0, chunk.length)) > 0) out.write(chunk, 0, n);
            streamed = out.toByteArray();
        }
        assertThat(new String(streamed, java.nio.charset.StandardCharsets.UTF_8))
                .isEqualTo(all.toString());
    }
}
