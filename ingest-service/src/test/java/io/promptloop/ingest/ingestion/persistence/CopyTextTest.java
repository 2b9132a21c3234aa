package io.promptloop.ingest.ingestion.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import io.promptloop.ingest.ingestion.domain.AgentId;
import io.promptloop.ingest.ingestion.domain.TurnRecorded;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The COPY text format as PostgreSQL's documentation defines it (COPY, "Text Format"): columns separated by a tab,
 * rows ended by a newline, NULL written {@code \N}, and backslash, newline, carriage return and tab inside a value
 * written as {@code \\}, {@code \n}, {@code \r} and {@code \t}. The ITs show PostgreSQL reading the lines back.
 */
class CopyTextTest {

    @Test
    void shouldEscapeBackslashNewlineCarriageReturnAndTabAndNothingElse() {
        assertThat(CopyText.text(new StringBuilder(), "a\tb\nc\r\nd\\e \"f\" é中😀")
                        .toString())
                .isEqualTo("a\\tb\\nc\\r\\nd\\\\e \"f\" é中😀");
        assertThat(CopyText.text(new StringBuilder(), "\\N").toString()).isEqualTo("\\\\N");
        assertThat(CopyText.text(new StringBuilder(), "\\.").toString()).isEqualTo("\\\\.");
        assertThat(CopyText.text(new StringBuilder(), "").toString()).isEmpty();
        assertThat(CopyText.text(new StringBuilder(), null).toString()).isEqualTo("\\N");
    }

    @Test
    void shouldWriteATurnAsOneLineInTheColumnOrderItDeclares() {
        UUID id = UUID.fromString("00000000-0000-0000-0000-000000000001");
        UUID session = UUID.fromString("00000000-0000-0000-0000-000000000002");
        TurnRecorded turn = new TurnRecorded(
                id,
                Instant.parse("2026-12-06T20:00:00.123Z"),
                new AgentId("era", "answer"),
                session,
                3,
                "hi\tthere",
                "line 1\nline 2",
                null,
                List.of(new TurnRecorded.SearchResult("c-1", null, "say \"no\"\n", 0.5)),
                0.5,
                1,
                null,
                null,
                null,
                Map.of("k", "v"));

        StringBuilder line = new StringBuilder();
        CopyText.appendTurn(line, turn);

        assertThat(CopyText.TURN_COLUMNS.split(", ")).hasSize(14);
        assertThat(line.toString())
                .isEqualTo(String.join(
                                "\t",
                                id.toString(),
                                session.toString(),
                                "3",
                                "hi\\tthere",
                                "line 1\\nline 2",
                                "2026-12-06T20:00:00.123Z",
                                "\\N",
                                // JSON escapes the quote and newline; COPY then doubles JSON's backslashes
                                "{\"results\":[{\"chunk_id\":\"c-1\",\"document_title\":null,"
                                        + "\"chunk_text\":\"say \\\\\"no\\\\\"\\\\n\",\"similarity\":0.5}]}",
                                "0.5",
                                "1",
                                "\\N",
                                "\\N",
                                "\\N",
                                "{\"k\":\"v\"}")
                        + "\n");
    }
}
