package io.promptloop.console.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Word diffs of instruction texts, safe to write into a page unescaped. */
class TextDiffTest {

    @Test
    void shouldMarkInsertedAndDeletedWordsInOneMergedLine() {
        List<TextDiff.Row> rows = TextDiff.of("Answer briefly.", "Answer briefly and cite.");

        assertThat(rows).singleElement().satisfies(r -> {
            assertThat(r.tag()).isEqualTo("CHANGE");
            assertThat(r.oldLine()).contains("<ins>").startsWith("Answer briefly");
            assertThat(r.oldLine().replaceAll("</?(ins|del)>", "")).contains("cite");
        });
    }

    @Test
    void shouldKeepUnchangedLinesAndMarkADroppedLine() {
        List<TextDiff.Row> rows = TextDiff.of("Be kind.\nCite the policy.\nBe brief.", "Be kind.\nBe brief.");

        assertThat(rows).extracting(TextDiff.Row::tag).containsExactly("EQUAL", "DELETE", "EQUAL");
        assertThat(rows.get(1).oldLine()).isEqualTo("<del>Cite the policy.</del>");
    }

    @Test
    void shouldEscapeTheTextsOwnMarkupSoThatOnlyTheDiffsTagsAreTags() {
        List<TextDiff.Row> rows = TextDiff.of("Use <b>bold</b> & \"quotes\".", "Use <i>italics</i>.");

        String merged = rows.getFirst().oldLine();
        assertThat(merged)
                .doesNotContain("<b>")
                .doesNotContain("<i>")
                .contains("&lt;")
                .contains("&amp;");
        assertThat(merged.replaceAll("</?(ins|del)>", "")).doesNotContain("<").doesNotContain(">");
    }

    @Test
    void shouldTreatAMissingTextAsEmpty() {
        assertThat(TextDiff.of(null, "New.")).extracting(TextDiff.Row::tag).containsExactly("INSERT");
        assertThat(TextDiff.of("Same.", "Same.")).extracting(TextDiff.Row::tag).containsExactly("EQUAL");
    }
}
