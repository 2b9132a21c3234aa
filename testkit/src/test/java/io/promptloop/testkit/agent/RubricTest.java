package io.promptloop.testkit.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RubricTest {

    private static final List<String> IDS = SimulatedAnswers.baselineExampleIds(60);

    /** A rubric with known phrases, so the scoring rows below do not depend on the seeded choice. */
    private static final Rubric KNOWN = new Rubric(
            1L,
            Map.of(
                    "two",
                    List.of("cite the policy section", "give a concrete next step"),
                    "four",
                    List.of(
                            "acknowledge the manager's frustration",
                            "ask for documentation of prior warnings",
                            "recommend talking to HR before acting",
                            "mention local labor law may differ")));

    @Test
    void shouldChooseTheSamePhrasesForTheSameSeed() {
        assertThat(Rubric.forExamples(IDS, 42)).isEqualTo(Rubric.forExamples(IDS, 42));
    }

    @Test
    void shouldChooseAnExamplesPhrasesFromItsIdAloneNotFromTheOtherExamples() {
        Rubric all = Rubric.forExamples(IDS, 42);
        Rubric one = Rubric.forExamples(List.of("hr-017"), 42);

        assertThat(one.requiredPhrases("hr-017")).isEqualTo(all.requiredPhrases("hr-017"));
        // an id the rubric was not built for gets the phrases it would have had
        assertThat(one.requiredPhrases("hr-042")).isEqualTo(all.requiredPhrases("hr-042"));
    }

    @Test
    void shouldChooseOtherPhrasesForAnotherSeed() {
        assertThat(Rubric.forExamples(IDS, 42).phrasesByExample())
                .isNotEqualTo(Rubric.forExamples(IDS, 43).phrasesByExample());
    }

    @Test
    void shouldGiveEachExampleTwoToFourDistinctPhrasesOfThePoolInPoolOrder() {
        Rubric rubric = Rubric.forExamples(IDS, 7);
        Set<Integer> sizes = new HashSet<>();
        Set<String> used = new HashSet<>();

        for (String id : IDS) {
            List<String> phrases = rubric.requiredPhrases(id);
            sizes.add(phrases.size());
            used.addAll(phrases);
            assertThat(phrases).as(id).doesNotHaveDuplicates().isSubsetOf(Rubric.PHRASES);
            assertThat(phrases.stream().map(Rubric.PHRASES::indexOf).toList())
                    .as(id)
                    .isSorted();
        }
        assertThat(sizes).containsExactlyInAnyOrder(2, 3, 4);
        assertThat(used).hasSizeGreaterThan(Rubric.PHRASES.size() * 3 / 4);
    }

    @Test
    void shouldHaveAPoolOfTwelvePhrasesNoneInsideAnother() {
        assertThat(Rubric.PHRASES).hasSize(12).doesNotHaveDuplicates();
        for (String phrase : Rubric.PHRASES) {
            for (String other : Rubric.PHRASES) {
                assertThat(phrase.equals(other) || !phrase.contains(other))
                        .as(phrase + " contains " + other)
                        .isTrue();
            }
        }
    }

    static Stream<Arguments> scores() {
        return Stream.of(
                // nothing of the rubric
                Arguments.of("two", "Be helpful and concise.", 0.0),
                // one of two
                Arguments.of("two", "Always cite the policy section.", 0.5),
                // both, in another order and case
                Arguments.of("two", "GIVE A CONCRETE NEXT STEP and Cite The Policy Section", 1.0),
                // one of four
                Arguments.of("four", "Mention local labor law may differ.", 0.25),
                // three of four; a phrase of another example does not count
                Arguments.of(
                        "four",
                        "Acknowledge the manager's frustration, ask for documentation of prior warnings,"
                                + " recommend talking to HR before acting, cite the policy section.",
                        0.75),
                // a paraphrase is not the phrase
                Arguments.of("four", "Tell them to speak with HR first.", 0.0),
                // no text at all
                Arguments.of("four", null, 0.0));
    }

    @ParameterizedTest
    @MethodSource("scores")
    void shouldScoreTheFractionOfTheExamplesPhrasesThatTheTextContains(String example, String text, double score) {
        assertThat(KNOWN.score(example, text)).isEqualTo(score);
    }

    static Stream<Arguments> feedback() {
        return Stream.of(
                // both missing, in rubric order
                Arguments.of("two", "", "Missing: cite the policy section; give a concrete next step."),
                // one missing
                Arguments.of("two", "cite the policy section", "Missing: give a concrete next step."),
                // none missing
                Arguments.of("two", "cite the policy section, give a concrete next step", "Meets the rubric."),
                // two of four missing, verbatim with the apostrophe
                Arguments.of(
                        "four",
                        "ask for documentation of prior warnings; mention local labor law may differ",
                        "Missing: acknowledge the manager's frustration; recommend talking to HR before acting."));
    }

    @ParameterizedTest
    @MethodSource("feedback")
    void shouldNameTheMissingPhrasesVerbatimInTheFeedback(String example, String text, String feedback) {
        assertThat(KNOWN.grade(example, text).feedback()).isEqualTo(feedback);
    }

    @Test
    void shouldFormatFeedbackAsMissingThenPhrasesSeparatedBySemicolons() {
        assertThat(Rubric.feedback(List.of("a", "b"))).isEqualTo("Missing: a; b.");
        assertThat(Rubric.feedback(List.of("a"))).isEqualTo("Missing: a.");
        assertThat(Rubric.feedback(List.of())).isEqualTo("Meets the rubric.");
    }

    @Test
    void shouldScoreEverySeededExampleWithinTheUnitInterval() {
        Rubric rubric = Rubric.forExamples(IDS, 99);
        String instruction = String.join(" ", Rubric.PHRASES.subList(0, 6));

        for (String id : IDS) {
            assertThat(rubric.score(id, instruction)).isBetween(0.0, 1.0);
            assertThat(rubric.score(id, String.join(" ", Rubric.PHRASES))).isEqualTo(1.0);
        }
    }
}
