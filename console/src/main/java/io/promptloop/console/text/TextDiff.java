package io.promptloop.console.text;

import com.github.difflib.text.DiffRow;
import com.github.difflib.text.DiffRowGenerator;
import java.util.Arrays;
import java.util.List;

/**
 * A word-level diff of two instruction texts as HTML-safe rows, by java-diff-utils (Myers' algorithm): deleted
 * words in {@code <del>}, inserted words in {@code <ins>}. The library's default line normalizer escapes the texts
 * for HTML ({@code < > & "}) before it adds the tags, so the rows can be written unescaped.
 */
public final class TextDiff {

    public record Row(String tag, String oldLine, String newLine) {}

    private static final DiffRowGenerator GENERATOR = DiffRowGenerator.create()
            .showInlineDiffs(true)
            .inlineDiffByWord(true)
            .mergeOriginalRevised(true)
            .oldTag(open -> open ? "<del>" : "</del>")
            .newTag(open -> open ? "<ins>" : "</ins>")
            .build();

    private TextDiff() {}

    /** One row per line of the merged text; {@code oldLine} holds the merged line with its marks. */
    public static List<Row> of(String before, String after) {
        List<DiffRow> rows = GENERATOR.generateDiffRows(lines(before), lines(after));
        return rows.stream()
                .map(r -> new Row(r.getTag().name(), r.getOldLine(), r.getNewLine()))
                .toList();
    }

    private static List<String> lines(String text) {
        return text == null ? List.of() : Arrays.asList(text.split("\n", -1));
    }
}
