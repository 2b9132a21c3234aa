package io.promptloop.console.text;

import com.github.difflib.text.DiffRow;
import com.github.difflib.text.DiffRowGenerator;
import java.util.Arrays;
import java.util.List;
import org.springframework.web.util.HtmlUtils;

/**
 * A word-level diff of two instruction texts as HTML-safe rows, by java-diff-utils (Myers' algorithm): deleted
 * words in {@code <del>}, inserted words in {@code <ins>}. The library marks the changes with control characters on
 * the raw texts; each row is then escaped for HTML as a whole ({@code < > & " '}) and only then are the marks turned
 * into tags. (The library's own normalizer escapes {@code <} and {@code >} but neither {@code &} nor quotes, and its
 * word split cuts the entities it makes, e.g. {@code &gt} and {@code ;} apart.) The rows can be written unescaped.
 */
public final class TextDiff {

    public record Row(String tag, String oldLine, String newLine) {}

    private static final char DEL_OPEN = '\u0001';
    private static final char DEL_CLOSE = '\u0002';
    private static final char INS_OPEN = '\u0003';
    private static final char INS_CLOSE = '\u0004';

    private static final DiffRowGenerator GENERATOR = DiffRowGenerator.create()
            .showInlineDiffs(true)
            .inlineDiffByWord(true)
            .mergeOriginalRevised(true)
            .lineNormalizer(line -> line)
            .oldTag(open -> String.valueOf(open ? DEL_OPEN : DEL_CLOSE))
            .newTag(open -> String.valueOf(open ? INS_OPEN : INS_CLOSE))
            .build();

    private TextDiff() {}

    /** One row per line of the merged text; {@code oldLine} holds the merged line with its marks. */
    public static List<Row> of(String before, String after) {
        List<DiffRow> rows = GENERATOR.generateDiffRows(lines(before), lines(after));
        return rows.stream()
                .map(r -> new Row(r.getTag().name(), html(r.getOldLine()), html(r.getNewLine())))
                .toList();
    }

    private static String html(String marked) {
        return HtmlUtils.htmlEscape(marked, "UTF-8")
                .replace(String.valueOf(DEL_OPEN), "<del>")
                .replace(String.valueOf(DEL_CLOSE), "</del>")
                .replace(String.valueOf(INS_OPEN), "<ins>")
                .replace(String.valueOf(INS_CLOSE), "</ins>");
    }

    /** Lines of the text, without the control characters the marks use (they have no place in an instruction). */
    private static List<String> lines(String text) {
        return text == null
                ? List.of()
                : Arrays.asList(text.replaceAll("[\\x01-\\x04]", "").split("\n", -1));
    }
}
