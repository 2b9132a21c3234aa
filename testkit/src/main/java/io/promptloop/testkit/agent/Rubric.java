package io.promptloop.testkit.agent;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * The hidden rubric of the simulated evaluator: for each example, the guideline phrases a good answer contains.
 * An instruction scores on an example the fraction of that example's phrases it contains (case-insensitive
 * substring), so an optimizer can only learn the rubric from the feedback, which names the missing phrases
 * verbatim.
 *
 * <p>An example's phrases depend on the seed and its id only, never on the other examples: {@link
 * #requiredPhrases(String)} derives them for an id that {@link #forExamples} was not given, and two rubrics of
 * one seed agree on every id.
 *
 * @param seed seed of the phrase choice
 * @param phrasesByExample the phrases of the examples the rubric was built for, in {@link #PHRASES} order
 */
public record Rubric(long seed, Map<String, List<String>> phrasesByExample) {

    /** The guidelines an HR assistant's answer to a manager is judged on. */
    public static final List<String> PHRASES = List.of(
            "acknowledge the manager's frustration",
            "ask for documentation of prior warnings",
            "cite the policy section",
            "recommend talking to HR before acting",
            "give a concrete next step",
            "mention local labor law may differ",
            "suggest a private conversation with the employee",
            "check whether the absence is protected leave",
            "keep medical details confidential",
            "apply the policy consistently across the team",
            "offer the employee assistance program",
            "set a clear timeline for improvement");

    /**
     * What a good description of a tool tells the agent, as the tool's own rubric: a tool is graded like a
     * pseudo-predictor whose "instruction" is its description. A required phrase is written {@code "<tool>:
     * <phrase>"}, so the feedback names the tool it is about.
     */
    public static final List<String> TOOL_PHRASES = List.of(
            "returns the policy section number",
            "call it before answering a policy question",
            "needs the employee's work country",
            "results may lag behind the latest policy update",
            "search by topic keyword rather than the whole question",
            "never pass medical details to it");

    static final int MIN_TOOL_PHRASES = 1;
    static final int MAX_TOOL_PHRASES = 2;

    static final int MIN_PHRASES = 2;
    static final int MAX_PHRASES = 4;

    /** The feedback when no phrase is missing. */
    public static final String MEETS_THE_RUBRIC = "Meets the rubric.";

    public Rubric {
        Objects.requireNonNull(phrasesByExample, "phrasesByExample");
        Map<String, List<String>> copy = new LinkedHashMap<>();
        phrasesByExample.forEach((id, phrases) -> copy.put(id, List.copyOf(phrases)));
        phrasesByExample = Collections.unmodifiableMap(copy);
    }

    /** Between 2 and 4 phrases for each example, chosen by {@code seed} and the example's id. */
    public static Rubric forExamples(List<String> exampleIds, long seed) {
        Map<String, List<String>> phrases = new LinkedHashMap<>();
        for (String id : exampleIds) {
            phrases.put(id, derive(seed, id));
        }
        return new Rubric(seed, phrases);
    }

    /** The phrases of {@code exampleId}; derived from the seed for an example the rubric was not built for. */
    public List<String> requiredPhrases(String exampleId) {
        List<String> phrases = phrasesByExample.get(exampleId);
        return phrases != null ? phrases : derive(seed, exampleId);
    }

    /**
     * The phrases the description of {@code tool} must contain for {@code exampleId}: one or two of {@link
     * #TOOL_PHRASES}, each prefixed with {@code "<tool>: "}, chosen by the seed, the tool and the example only.
     */
    public List<String> requiredToolPhrases(String tool, String exampleId) {
        Objects.requireNonNull(tool, "tool");
        SplittableRandom random = new SplittableRandom(seed ^ fnv1a("tool\u0000" + tool + "\u0000" + exampleId));
        int count = MIN_TOOL_PHRASES + random.nextInt(MAX_TOOL_PHRASES - MIN_TOOL_PHRASES + 1);
        return choose(random, TOOL_PHRASES, count).stream()
                .map(phrase -> tool + ": " + phrase)
                .toList();
    }

    /** How the description of {@code tool} fares on {@code exampleId}. */
    public Grade gradeTool(String tool, String exampleId, String description) {
        return grade(exampleId, description, requiredToolPhrases(tool, exampleId));
    }

    /** How {@code text} (an instruction or an answer) fares on {@code exampleId}. */
    public Grade grade(String exampleId, String text) {
        return grade(exampleId, text, requiredPhrases(exampleId));
    }

    private static Grade grade(String exampleId, String text, List<String> required) {
        String haystack = text == null ? "" : text.toLowerCase(Locale.ROOT);
        List<String> present = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (String phrase : required) {
            (haystack.contains(phrase.toLowerCase(Locale.ROOT)) ? present : missing).add(phrase);
        }
        return new Grade(exampleId, present, missing);
    }

    /** Fraction of the example's phrases that {@code text} contains, in [0, 1]. */
    public double score(String exampleId, String text) {
        return grade(exampleId, text).score();
    }

    /**
     * {@code "Missing: a; b."} naming the missing phrases verbatim, or {@value #MEETS_THE_RUBRIC} when none is.
     * The deterministic reflector of the optimizer parses this format: keep it exact.
     */
    public static String feedback(List<String> missing) {
        return missing.isEmpty() ? MEETS_THE_RUBRIC : "Missing: " + String.join("; ", missing) + ".";
    }

    /**
     * A text's grade on one example.
     *
     * @param exampleId the example
     * @param present the example's phrases the text contains
     * @param missing those it does not contain
     */
    public record Grade(String exampleId, List<String> present, List<String> missing) {

        public Grade {
            present = List.copyOf(present);
            missing = List.copyOf(missing);
        }

        /** Present phrases over required phrases. */
        public double score() {
            int required = present.size() + missing.size();
            return required == 0 ? 1.0 : (double) present.size() / required;
        }

        public String feedback() {
            return Rubric.feedback(missing);
        }
    }

    /** A partial Fisher–Yates shuffle of the pool, seeded by the seed and the id's bytes; kept in pool order. */
    private static List<String> derive(long seed, String exampleId) {
        SplittableRandom random = new SplittableRandom(seed ^ fnv1a(exampleId));
        int count = MIN_PHRASES + random.nextInt(MAX_PHRASES - MIN_PHRASES + 1);
        return choose(random, PHRASES, count);
    }

    /** {@code count} distinct phrases of the pool by a partial Fisher–Yates shuffle, kept in pool order. */
    private static List<String> choose(SplittableRandom random, List<String> pool, int count) {
        int[] indexes = new int[pool.size()];
        for (int i = 0; i < indexes.length; i++) {
            indexes[i] = i;
        }
        for (int i = 0; i < count; i++) {
            int j = i + random.nextInt(indexes.length - i);
            int swap = indexes[i];
            indexes[i] = indexes[j];
            indexes[j] = swap;
        }
        return Arrays.stream(indexes, 0, count).sorted().mapToObj(pool::get).toList();
    }

    /** 64-bit FNV-1a (Fowler, Noll, Vo) of the UTF-8 bytes: stable across JVMs, unlike a seeded hash. */
    private static long fnv1a(String text) {
        long hash = 0xcbf29ce484222325L;
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            hash ^= b & 0xff;
            hash *= 0x100000001b3L;
        }
        return hash;
    }
}
