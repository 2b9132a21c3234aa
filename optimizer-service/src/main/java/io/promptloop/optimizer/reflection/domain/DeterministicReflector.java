package io.promptloop.optimizer.reflection.domain;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * A reflector that needs no model: it distils the feedback of the low-scoring examples into guideline lines
 * appended to the instruction, so that an optimization run works offline.
 *
 * <p>Feedback is cut into phrases at {@code ;}, line breaks and sentence-ending {@code . ! ?} (a dot inside a
 * token such as {@code 4.2} does not cut); leading markers such as {@code Missing:}, {@code should},
 * {@code please}, {@code needs to}, {@code does not} or {@code no} are dropped (feedback names what an answer
 * lacks: "No concrete next step" teaches "concrete next step"), and so is praise such as {@code Complete answer}.
 * A phrase counts once for every low-scoring example whose feedback mentions it. The most frequent phrases
 * that the instruction does not already contain are appended <em>verbatim</em> (the evaluators look for the
 * very words); ties go to the phrase mentioned first (examples lowest score first), then alphabetically.
 * This is GEPA's reflective mutation (Agrawal et al., 2025) with frequency counting in place of the model.
 */
public final class DeterministicReflector implements Reflector {

    public static final String GUIDELINES_HEADER = "Guidelines learned from feedback:";
    public static final int DEFAULT_MAX_NEW_GUIDELINES = 3;

    /** Examples scoring below this have something to learn from. */
    static final double PERFECT = 1.0;

    /** A longer "phrase" is prose, not a guideline. */
    static final int MAX_PHRASE_LENGTH = 300;

    private static final Pattern SEGMENT_END = Pattern.compile("[;\\r\\n]+|[.!?]+(?=\\s|$)");
    private static final Pattern LEADING_MARKER = Pattern.compile(
            "^(?:[-*•–>]+"
                    + "|\\d{1,2}[.)]"
                    + "|(?:missing|todo|note|feedback|suggestion|improvement|issue|problem)\\s*:"
                    + "|missing\\b"
                    + "|(?:(?:the )?(?:agent|assistant|answer|response|bot|it|you) )?"
                    + "(?:should|must|needs? to|has to|have to|ought to)\\b"
                    + "|please\\b|remember to\\b|make sure to\\b|try to\\b"
                    + "|(?:does not|doesn't|did not|didn't|fails? to|forgot to|lacks|lacking|no)\\b"
                    + ")[\\s:,]*",
            Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
    private static final Pattern EDGE_PUNCTUATION = Pattern.compile("^[\\s\"'`,:]+|[\\s\"'`,:]+$");
    /** Praise, "nothing to change" and vague verdicts: nothing to tell the agent. */
    private static final Pattern NOT_ACTIONABLE = Pattern.compile("(?:(?:a |the )?(?:complete|correct|good|great"
            + "|perfect|fine|excellent|solid|right)(?: (?:answer|response|reply|job|work))?"
            + "|ok|okay|lgtm|n/?a|none|nothing|all good|looks good|well done"
            + "|meets (?:all )?(?:the )?(?:rubric|requirements|expectations|criteria)"
            + "|needs (?:some )?(?:more )?(?:work|improvement)|could be better|try again"
            + "|no (?:changes?|issues?|problems?|notes?)(?: (?:needed|required|found))?"
            + "|nothing (?:essential |else |important )?(?:is )?(?:missing|to (?:add|improve|change)))");

    private final int maxNewGuidelines;

    public DeterministicReflector() {
        this(DEFAULT_MAX_NEW_GUIDELINES);
    }

    /** @param maxNewGuidelines how many guideline lines one reflection may add (to the instruction, and per tool) */
    public DeterministicReflector(int maxNewGuidelines) {
        if (maxNewGuidelines < 1)
            throw new IllegalArgumentException("maxNewGuidelines must be >= 1, was " + maxNewGuidelines);
        this.maxNewGuidelines = maxNewGuidelines;
    }

    @Override
    public String name() {
        return "deterministic";
    }

    @Override
    public Proposal propose(ReflectionRequest request) throws ReflectionException {
        List<ReflectionExample> low = request.examples().stream()
                .filter(e -> e.score() < PERFECT)
                .sorted(Comparator.comparingDouble(ReflectionExample::score)
                        .thenComparing(ReflectionExample::exampleId))
                .toList();
        if (low.isEmpty()) {
            throw new ReflectionException(
                    "no actionable feedback: none of the " + request.examples().size() + " examples scored below "
                            + PERFECT,
                    false);
        }
        List<Phrase> ranked = rank(low);

        String instruction = request.currentInstruction();
        List<Phrase> chosen = choose(ranked, instruction, p -> true);
        Map<String, String> tools = new LinkedHashMap<>();
        List<Phrase> toolPhrases = new ArrayList<>();
        request.toolDescriptions().forEach((tool, description) -> {
            List<Phrase> forTool = choose(ranked, description, p -> mentions(p.key(), tool));
            toolPhrases.addAll(forTool);
            tools.put(tool, appendGuidelines(description, texts(forTool)));
        });
        if (chosen.isEmpty() && toolPhrases.isEmpty()) {
            throw new ReflectionException(
                    "no actionable feedback: the feedback of the " + low.size() + " low-scoring example(s) holds no"
                            + " phrase that the instruction does not already contain",
                    false);
        }
        Set<String> weaknesses = new LinkedHashSet<>(texts(chosen));
        weaknesses.addAll(texts(toolPhrases));
        return new Proposal(
                appendGuidelines(instruction, texts(chosen)),
                tools,
                analysis(request.examples().size(), low, ranked, chosen),
                List.copyOf(weaknesses));
    }

    /** The best {@code maxNewGuidelines} phrases that {@code text} does not contain yet. */
    private List<Phrase> choose(List<Phrase> ranked, String text, Predicate<Phrase> eligible) {
        String known = normalise(text).toLowerCase(Locale.ROOT);
        List<Phrase> chosen = new ArrayList<>();
        for (Phrase p : ranked) {
            if (chosen.size() == maxNewGuidelines) break;
            if (!eligible.test(p) || known.contains(p.key())) continue;
            if (chosen.stream().anyMatch(c -> c.key().contains(p.key()))) continue;
            chosen.add(p);
        }
        return chosen;
    }

    /**
     * Phrases of the low-scoring examples, most useful first.
     *
     * @param low examples in the order that defines "seen first" (lowest score first)
     */
    static List<Phrase> rank(List<ReflectionExample> low) {
        Map<String, String> textByKey = new LinkedHashMap<>();
        for (ReflectionExample example : low) {
            for (String text : phrases(example.feedback())) textByKey.putIfAbsent(text.toLowerCase(Locale.ROOT), text);
        }
        List<String> feedback = low.stream()
                .map(e -> normalise(e.feedback()).toLowerCase(Locale.ROOT))
                .toList();
        List<Phrase> phrases = new ArrayList<>();
        textByKey.forEach((key, text) -> {
            int examples = 0;
            int firstSeen = -1;
            for (int i = 0; i < feedback.size(); i++) {
                if (!feedback.get(i).contains(key)) continue;
                examples++;
                if (firstSeen < 0) firstSeen = i;
            }
            phrases.add(new Phrase(text, key, examples, firstSeen));
        });
        phrases.sort(Comparator.comparingInt(Phrase::examples)
                .reversed()
                .thenComparingInt(Phrase::firstSeen)
                .thenComparing(Phrase::key));
        return List.copyOf(phrases);
    }

    /** The actionable phrases of one feedback text, verbatim apart from markers and surrounding punctuation. */
    static List<String> phrases(String feedback) {
        List<String> phrases = new ArrayList<>();
        for (String segment : SEGMENT_END.split(feedback)) {
            String whole = normalise(segment);
            String phrase = stripMarkers(whole);
            if (phrase.length() > MAX_PHRASE_LENGTH || letters(phrase) < 3) continue;
            if (praise(EDGE_PUNCTUATION.matcher(whole).replaceAll("")) || praise(phrase)) continue;
            if (phrases.stream().noneMatch(phrase::equalsIgnoreCase)) phrases.add(phrase);
        }
        return phrases;
    }

    private static String stripMarkers(String segment) {
        String s = EDGE_PUNCTUATION.matcher(segment).replaceAll("");
        for (var m = LEADING_MARKER.matcher(s); m.lookingAt() && m.end() > 0; m = LEADING_MARKER.matcher(s)) {
            s = EDGE_PUNCTUATION.matcher(s.substring(m.end())).replaceAll("");
        }
        return s;
    }

    /** Whether every comma-separated part is praise ("Good response, no changes needed"). */
    private static boolean praise(String phrase) {
        for (String part : phrase.toLowerCase(Locale.ROOT).split(",")) {
            if (!NOT_ACTIONABLE.matcher(part.strip()).matches()) return false;
        }
        return true;
    }

    private static long letters(String s) {
        return s.codePoints().filter(Character::isLetter).count();
    }

    /** Whether a phrase names the tool, as {@code search_policy} or as {@code search policy}. */
    static boolean mentions(String phraseKey, String tool) {
        String name = tool.toLowerCase(Locale.ROOT);
        for (String variant : new LinkedHashSet<>(
                List.of(name, name.replaceAll("[_\\-.]+", " ").strip()))) {
            if (variant.isEmpty()) continue;
            if (Pattern.compile("(?<![\\p{L}\\p{N}])" + Pattern.quote(variant) + "(?![\\p{L}\\p{N}])")
                    .matcher(phraseKey)
                    .find()) return true;
        }
        return false;
    }

    /**
     * Appends {@code lines} as bullets to the text's guidelines block, starting one at the end if there is none.
     */
    static String appendGuidelines(String text, List<String> lines) {
        if (lines.isEmpty()) return text;
        StringBuilder bullets = new StringBuilder();
        for (String line : lines) bullets.append("- ").append(line).append('\n');
        List<String> rows = new ArrayList<>(List.of(text.split("\n", -1)));
        int header = -1;
        for (int i = 0; i < rows.size() && header < 0; i++)
            if (rows.get(i).strip().equals(GUIDELINES_HEADER)) header = i;
        if (header < 0) {
            String base = text.stripTrailing();
            return (base.isEmpty() ? "" : base + "\n\n") + GUIDELINES_HEADER + "\n"
                    + bullets.toString().stripTrailing();
        }
        int last = header;
        while (last + 1 < rows.size() && rows.get(last + 1).startsWith("- ")) last++;
        rows.add(last + 1, bullets.toString().stripTrailing());
        return String.join("\n", rows);
    }

    private static String analysis(int total, List<ReflectionExample> low, List<Phrase> ranked, List<Phrase> chosen) {
        StringBuilder s = new StringBuilder();
        s.append(low.size())
                .append(" of ")
                .append(total)
                .append(" examples scored below ")
                .append(PERFECT)
                .append(String.format(
                        Locale.ROOT,
                        " (lowest %.3f: %s).",
                        low.getFirst().score(),
                        low.getFirst().exampleId()));
        if (!ranked.isEmpty()) {
            s.append(" Recurring feedback:");
            ranked.stream()
                    .limit(10)
                    .forEach(p -> s.append(" \"")
                            .append(p.text())
                            .append("\" (")
                            .append(p.examples())
                            .append(p.examples() == 1 ? " example);" : " examples);"));
            s.setLength(s.length() - 1);
            s.append('.');
        }
        s.append(" Added ").append(chosen.size()).append(chosen.size() == 1 ? " guideline." : " guidelines.");
        return s.toString();
    }

    private static List<String> texts(List<Phrase> phrases) {
        return phrases.stream().map(Phrase::text).toList();
    }

    /** Collapses runs of white space, so that a phrase matches across line wraps. */
    private static String normalise(String s) {
        return s.replaceAll("\\s+", " ").strip();
    }

    /**
     * @param text the phrase as first written (after markers are dropped)
     * @param key lower-case form, used for counting and containment
     * @param examples number of low-scoring examples whose feedback mentions it
     * @param firstSeen position of the first of those examples (lowest score first)
     */
    record Phrase(String text, String key, int examples, int firstSeen) {}
}
