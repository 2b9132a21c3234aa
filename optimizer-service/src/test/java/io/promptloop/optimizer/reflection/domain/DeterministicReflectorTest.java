package io.promptloop.optimizer.reflection.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class DeterministicReflectorTest {

    private static final String SEED = "You answer managers' HR policy questions.";

    private final DeterministicReflector reflector = new DeterministicReflector();

    @Test
    void shouldCutFeedbackIntoVerbatimPhrasesWithoutMarkersOrPraise() {
        Object[][] cases = {
            // the simulated agent's evaluator feedback
            {
                "Missing: ask for documentation of prior warnings; cite the policy section.",
                List.of("ask for documentation of prior warnings", "cite the policy section")
            },
            // its long form: a dot inside "4.2" does not cut, "Does not" and "No" name what is lacking
            {
                "Missing: HR review before each step; that warnings stay active for 12 months. Does not cite the"
                        + " Progressive Discipline Policy section 4.2. No concrete next step for the manager.",
                List.of(
                        "HR review before each step",
                        "that warnings stay active for 12 months",
                        "cite the Progressive Discipline Policy section 4.2",
                        "concrete next step for the manager")
            },
            // a human note: free text stays whole, commas do not cut
            {"Too formal, needs more empathy", List.of("Too formal, needs more empathy")},
            // leading markers, one per line, some stacked
            {
                "Should ask clarifying questions first\nPlease use numbered steps\n- needs to name the policy!",
                List.of("ask clarifying questions first", "use numbered steps", "name the policy")
            },
            {"Missing: please quote the exact policy wording.", List.of("quote the exact policy wording")},
            // praise teaches nothing
            {"Complete answer; nothing essential missing.", List.of()},
            {"Good response, no changes needed", List.of()},
            {"Meets the rubric.", List.of()},
            // a vague verdict teaches nothing either
            {"Needs work. Could be better!", List.of()},
            // repeated within one feedback: once
            {"cite the policy section; Cite the policy section.", List.of("cite the policy section")},
            // nothing but punctuation and markers
            {"Missing: ; . ", List.of()},
            {"", List.of()},
        };
        for (Object[] c : cases) {
            assertThat(DeterministicReflector.phrases((String) c[0]))
                    .as((String) c[0])
                    .isEqualTo(c[1]);
        }
    }

    @Test
    void shouldAppendTheMostFrequentPhrasesVerbatimUnderOneHeader() throws ReflectionException {
        Proposal proposal = reflector.propose(request(
                SEED,
                example("e1", 0.4, "Missing: ask for documentation of prior warnings; cite the policy section."),
                example("e2", 0.6, "Missing: cite the policy section."),
                example("e3", 1.0, "Missing: something a perfect answer still did not say.")));

        assertThat(proposal.instruction())
                .isEqualTo(SEED + "\n\nGuidelines learned from feedback:\n"
                        + "- cite the policy section\n"
                        + "- ask for documentation of prior warnings");
        assertThat(proposal.weaknesses())
                .containsExactly("cite the policy section", "ask for documentation of prior warnings");
        assertThat(proposal.analysis())
                .contains("2 of 3 examples scored below 1.0")
                .contains("\"cite the policy section\" (2 examples)")
                .doesNotContain("perfect answer");
        assertThat(proposal.toolDescriptions()).isEmpty();
    }

    @Test
    void shouldRankByFrequencyThenFirstAppearanceThenAlphabet() throws ReflectionException {
        // examples are read lowest score first: z1 (0.1), then a2 (0.2), then m3 (0.3)
        List<ReflectionExample> examples = List.of(
                example("m3", 0.3, "gamma rule; beta rule"),
                example("a2", 0.2, "beta rule; delta rule"),
                example("z1", 0.1, "zeta rule; alpha rule"));
        String[][] cases = {
            // max new guidelines -> expected guidelines, best first
            // beta twice; then z1's phrases alphabetically (alpha, zeta); then a2's delta; then m3's gamma
            {"1", "beta rule"},
            {"2", "beta rule|alpha rule"},
            {"3", "beta rule|alpha rule|zeta rule"},
            {"5", "beta rule|alpha rule|zeta rule|delta rule|gamma rule"},
            {"9", "beta rule|alpha rule|zeta rule|delta rule|gamma rule"},
        };
        for (String[] c : cases) {
            Proposal proposal = new DeterministicReflector(Integer.parseInt(c[0])).propose(request(SEED, examples));
            assertThat(proposal.weaknesses()).as("max " + c[0]).containsExactly(c[1].split("\\|"));
        }
    }

    @Test
    void shouldCountAnExampleForEveryPhraseItsFeedbackMentions() throws ReflectionException {
        // "leaves out cite the policy section" is one phrase of e1, but e1 also mentions "cite the policy section"
        Proposal proposal = new DeterministicReflector(1)
                .propose(request(
                        SEED,
                        example("e1", 0.1, "Answer is right but leaves out cite the policy section"),
                        example("e2", 0.5, "ask for documentation; cite the policy section"),
                        example("e3", 0.6, "ask for documentation")));
        // cite... is mentioned by e1 and e2, ask... by e2 and e3: a tie broken by first appearance (e1 before e2)
        assertThat(proposal.weaknesses()).containsExactly("cite the policy section");
    }

    @Test
    void shouldNotRepeatWhatTheInstructionAlreadySays() throws ReflectionException {
        String instruction = SEED + " Always CITE THE POLICY SECTION.";
        Proposal proposal = reflector.propose(request(
                instruction,
                example("e1", 0.2, "Missing: cite the policy section; ask for documentation of prior warnings."),
                example("e2", 0.3, "Missing: cite the policy section.")));

        assertThat(proposal.instruction())
                .isEqualTo(instruction
                        + "\n\nGuidelines learned from feedback:\n- ask for documentation of prior warnings");
        assertThat(proposal.weaknesses()).containsExactly("ask for documentation of prior warnings");
    }

    @Test
    void shouldAppendToAnExistingGuidelinesBlockInsteadOfStartingASecond() throws ReflectionException {
        String instruction = SEED
                + "\n\nGuidelines learned from feedback:\n- cite the policy section\n- use numbered steps"
                + "\n\nExamples of good answers:\nInput: q\nOutput: a";
        Proposal proposal = reflector.propose(request(
                instruction, example("e1", 0.2, "Missing: cite the policy section; HR review before each step.")));

        assertThat(proposal.instruction())
                .isEqualTo(SEED
                        + "\n\nGuidelines learned from feedback:\n- cite the policy section\n- use numbered steps"
                        + "\n- HR review before each step"
                        + "\n\nExamples of good answers:\nInput: q\nOutput: a");
        assertThat(proposal.instruction()).containsOnlyOnce(DeterministicReflector.GUIDELINES_HEADER);
    }

    @Test
    void shouldAddAtMostTheConfiguredNumberOfGuidelinesPerCall() throws ReflectionException {
        ReflectionRequest request =
                request(SEED, example("e1", 0.1, "first point; second point; third point; fourth point"));
        Proposal first = reflector.propose(request);
        Proposal second = reflector.propose(request(first.instruction(), request.examples()));

        assertThat(first.weaknesses()).containsExactly("first point", "fourth point", "second point");
        assertThat(second.weaknesses()).containsExactly("third point");
        assertThat(second.instruction()).containsOnlyOnce(DeterministicReflector.GUIDELINES_HEADER);
    }

    @Test
    void shouldRefuseWhenThereIsNoActionableFeedback() {
        Object[][] cases = {
            // every example is perfect
            {request(SEED, example("e1", 1.0, "Missing: cite the policy section."))},
            // low scores, but only praise or no feedback at all
            {request(SEED, example("e1", 0.8, "Complete answer; nothing essential missing."), example("e2", 0.5, ""))},
            // everything the feedback asks for is already there
            {request(SEED + " Cite the policy section.", example("e1", 0.2, "Missing: cite the policy section."))},
            // no examples
            {request(SEED, List.of())},
        };
        for (Object[] c : cases) {
            assertThatThrownBy(() -> reflector.propose((ReflectionRequest) c[0]))
                    .isInstanceOfSatisfying(
                            ReflectionException.class,
                            e -> assertThat(e.retryable()).isFalse())
                    .hasMessageStartingWith("no actionable feedback");
        }
    }

    @Test
    void shouldGiveTheSameProposalForTheSameExamplesInAnyOrder() throws ReflectionException {
        List<ReflectionExample> examples = new ArrayList<>(List.of(
                example("e1", 0.5, "Missing: cite the policy section; HR review before each step."),
                example("e2", 0.5, "Missing: HR review before each step; be brief."),
                example("e3", 0.2, "Too formal, needs more empathy"),
                example("e4", 0.9, "Missing: be brief.")));
        Proposal expected = reflector.propose(request(SEED, examples));
        Random random = new Random(42);
        for (int i = 0; i < 20; i++) {
            Collections.shuffle(examples, random);
            assertThat(reflector.propose(request(SEED, examples))).isEqualTo(expected);
        }
        assertThat(expected.weaknesses())
                .containsExactly("HR review before each step", "be brief", "Too formal, needs more empathy");
    }

    @Test
    void shouldTeachEachToolThePhrasesThatNameIt() throws ReflectionException {
        Map<String, String> tools = Map.of(
                "search_policy", "Searches the HR policy corpus.",
                "timekeeping", "Reads and writes timesheets.");
        ReflectionRequest request = new ReflectionRequest(
                "hr-assistant",
                null,
                SEED,
                List.of(
                        example("e1", 0.3, "Call search policy before answering; cite the policy section."),
                        example("e2", 0.4, "Call search policy before answering.")),
                tools,
                3);

        Proposal proposal = reflector.propose(request);

        assertThat(proposal.toolDescriptions())
                .containsEntry(
                        "search_policy",
                        "Searches the HR policy corpus.\n\nGuidelines learned from feedback:\n"
                                + "- Call search policy before answering")
                .containsEntry("timekeeping", "Reads and writes timesheets.");
        assertThat(proposal.instruction()).contains("- Call search policy before answering\n- cite the policy section");
    }

    @Test
    void shouldLearnARubricFromFeedbackThatNamesTheMissingPhrases() throws ReflectionException {
        // the simulated evaluator's contract: an answer scores the fraction of its example's phrases that the
        // instruction contains (case-insensitive), and the feedback names the missing ones verbatim
        Map<String, List<String>> rubric = Map.of(
                "hr-001", List.of("acknowledge the manager's frustration", "cite the policy section"),
                "hr-002",
                        List.of(
                                "cite the policy section",
                                "give a concrete next step",
                                "keep medical details confidential"),
                "hr-003", List.of("ask for documentation of prior warnings", "cite the policy section"),
                "hr-004", List.of("mention local labor law may differ", "give a concrete next step"));
        String instruction = SEED;
        int reflections = 0;
        while (true) {
            String current = instruction.toLowerCase(Locale.ROOT);
            List<ReflectionExample> examples = new ArrayList<>();
            for (var entry : new TreeMap<>(rubric).entrySet()) {
                List<String> missing = entry.getValue().stream()
                        .filter(p -> !current.contains(p))
                        .toList();
                double score = 1.0 - (double) missing.size() / entry.getValue().size();
                String feedback =
                        missing.isEmpty() ? "Meets the rubric." : "Missing: " + String.join("; ", missing) + ".";
                examples.add(new ReflectionExample(entry.getKey(), "q", "a", score, feedback));
            }
            if (examples.stream().allMatch(e -> e.score() == 1.0)) break;
            instruction = reflector.propose(request(instruction, examples)).instruction();
            reflections++;
        }

        String learned = instruction;
        assertThat(reflections).isEqualTo(2); // 6 distinct phrases, at most 3 per reflection
        assertThat(learned).startsWith(SEED + "\n\nGuidelines learned from feedback:\n- cite the policy section\n");
        assertThat(learned).containsOnlyOnce(DeterministicReflector.GUIDELINES_HEADER);
        rubric.values().stream()
                .flatMap(List::stream)
                .forEach(p -> assertThat(learned).containsOnlyOnce(p));
    }

    private static ReflectionExample example(String id, double score, String feedback) {
        return new ReflectionExample(id, "question " + id, "answer " + id, score, feedback);
    }

    private static ReflectionRequest request(String instruction, ReflectionExample... examples) {
        return request(instruction, List.of(examples));
    }

    private static ReflectionRequest request(String instruction, List<ReflectionExample> examples) {
        return new ReflectionRequest("hr-assistant", null, instruction, examples, Map.of(), 0);
    }
}
