package io.promptloop.optimizer.reflection.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class BootstrapFewShotTest {

    private static final String BASE = "You answer managers' HR policy questions.";
    private static final Pattern DEMO_INPUT = Pattern.compile("^Input: question (\\S+)$", Pattern.MULTILINE);

    private final List<ReflectionExample> traces = List.of(
            trace("e1", 0.95),
            trace("e2", 0.70), // below the default threshold
            trace("e3", 0.80), // exactly at it
            trace("e4", 1.00),
            trace("e5", 0.95), // ties with e1: by id
            trace("e6", 0.85),
            trace("e7", 0.40));

    @Test
    void shouldShowTheTopScoringTracesFirstInTheFirstCandidate() {
        String first = new BootstrapFewShot(BASE, traces, 7).candidates(1).getFirst();

        assertThat(first)
                .isEqualTo(BASE + "\n\nExamples of good answers:\n"
                        + "Input: question e4\nOutput: answer e4\n\n"
                        + "Input: question e1\nOutput: answer e1\n\n"
                        + "Input: question e5\nOutput: answer e5\n\n"
                        + "Input: question e6\nOutput: answer e6");
    }

    @Test
    void shouldRespectTheThresholdAndTheNumberOfDemos() {
        Object[][] cases = {
            // max demos, threshold -> demos of the first candidate
            {4, 0.8, List.of("e4", "e1", "e5", "e6")},
            {2, 0.8, List.of("e4", "e1")},
            {9, 0.8, List.of("e4", "e1", "e5", "e6", "e3")}, // fewer good traces than demos allowed
            {9, 0.0, List.of("e4", "e1", "e5", "e6", "e3", "e2", "e7")},
            {4, 0.96, List.of("e4")},
            {1, 1.0, List.of("e4")},
        };
        for (Object[] c : cases) {
            var bootstrap = new BootstrapFewShot(BASE, traces, (int) c[0], (double) c[1], 7);
            assertThat(demoIds(bootstrap.candidates(1).getFirst()))
                    .as("maxDemos %s, threshold %s", c[0], c[1])
                    .isEqualTo(c[2]);
            for (String candidate : bootstrap.candidates(20)) {
                assertThat(demoIds(candidate))
                        .hasSizeBetween(1, (int) c[0])
                        .doesNotHaveDuplicates()
                        .isSubsetOf(bootstrap.pool().stream()
                                .map(ReflectionExample::exampleId)
                                .toList());
            }
        }
    }

    @Test
    void shouldOfferDistinctAlternativesThatTheSeedDetermines() {
        List<String> a = new BootstrapFewShot(BASE, traces, 3, 0.8, 11).candidates(6);
        List<String> again = new BootstrapFewShot(BASE, traces, 3, 0.8, 11).candidates(6);
        List<String> otherSeed = new BootstrapFewShot(BASE, traces, 3, 0.8, 12).candidates(6);

        assertThat(a).hasSize(6).doesNotHaveDuplicates().isEqualTo(again);
        assertThat(otherSeed.getFirst()).isEqualTo(a.getFirst()); // the top set does not depend on the seed
        assertThat(otherSeed).isNotEqualTo(a);
        assertThat(new BootstrapFewShot(BASE, traces, 3, 0.8, 11).candidates(3)).isEqualTo(a.subList(0, 3));
    }

    @Test
    void shouldStopAtTheNumberOfDistinctDemoSets() {
        // two good traces, up to two demos: {e1, e4}, {e4}, {e1}
        List<ReflectionExample> two = List.of(trace("e1", 0.9), trace("e4", 1.0), trace("e7", 0.1));
        List<String> candidates = new BootstrapFewShot(BASE, two, 2, 0.8, 5).candidates(10);

        assertThat(candidates).hasSize(3);
        assertThat(candidates.stream().map(BootstrapFewShotTest::demoIds))
                .containsExactlyInAnyOrder(List.of("e4", "e1"), List.of("e4"), List.of("e1"));
        assertThat(demoIds(candidates.getFirst())).containsExactly("e4", "e1");
    }

    @Test
    void shouldHaveNoCandidateWithoutAGoodTrace() {
        assertThat(new BootstrapFewShot(BASE, List.of(trace("e7", 0.4)), 5).candidates(3))
                .isEmpty();
        assertThat(new BootstrapFewShot(BASE, List.of(), 5).candidates(3)).isEmpty();
        assertThat(new BootstrapFewShot(BASE, traces, 5).candidates(0)).isEmpty();
    }

    @Test
    void shouldKeepOneTracePerExampleAndSkipEmptyOutputs() {
        List<ReflectionExample> repeated = List.of(
                trace("e1", 0.85),
                trace("e1", 0.9),
                new ReflectionExample("e2", "question e2", "  ", 1.0, ""),
                trace("e3", 0.8));

        assertThat(new BootstrapFewShot(BASE, repeated, 5).pool())
                .extracting(ReflectionExample::exampleId, ReflectionExample::score)
                .containsExactly(tuple("e1", 0.9), tuple("e3", 0.8));
    }

    @Test
    void shouldReplaceTheExamplesBlockOfABootstrappedInstruction() {
        String bootstrapped =
                new BootstrapFewShot(BASE, traces, 7).candidates(1).getFirst();
        String again = new BootstrapFewShot(bootstrapped, List.of(trace("e9", 0.9)), 7)
                .candidates(1)
                .getFirst();

        assertThat(again)
                .isEqualTo(BASE + "\n\nExamples of good answers:\nInput: question e9\nOutput: answer e9")
                .containsOnlyOnce(BootstrapFewShot.EXAMPLES_HEADER);
    }

    private static List<String> demoIds(String candidate) {
        List<String> ids = new ArrayList<>();
        Matcher m = DEMO_INPUT.matcher(candidate);
        while (m.find()) ids.add(m.group(1));
        return ids;
    }

    private static ReflectionExample trace(String id, double score) {
        return new ReflectionExample(id, "question " + id, "answer " + id, score, "");
    }
}
