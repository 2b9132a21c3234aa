package io.promptloop.ingest.session.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class CsvFormatTest {

    @Test
    void shouldNeutraliseCellsThatASpreadsheetWouldRunAsFormulas() {
        // input cell -> expected CSV text
        String[][] cases = {
            {"=HYPERLINK(\"http://x\",\"y\")", "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""},
            {"+1+1", "'+1+1"},
            {"-2+3", "'-2+3"},
            {"@SUM(A1)", "'@SUM(A1)"},
            {"\t=1", "'\t=1"},
            {"plain text", "plain text"},
            {"a=b", "a=b"},
        };
        for (String[] c : cases) {
            assertThat(CsvFormat.row(List.of(c[0]))).as(c[0]).isEqualTo(c[1] + "\r\n");
        }
    }

    @Test
    void shouldQuoteSeparatorsQuotesAndLineBreaks() {
        String row = CsvFormat.row(Arrays.asList("a,b", "say \"hi\"", "line1\nline2", null, 7, " padded"));
        assertThat(row).isEqualTo("\"a,b\",\"say \"\"hi\"\"\",\"line1\nline2\",,7,\" padded\"\r\n");
    }
}
