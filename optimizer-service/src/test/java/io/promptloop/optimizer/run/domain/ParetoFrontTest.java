package io.promptloop.optimizer.run.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Parent selection against the reference implementation, gepa-ai/gepa at commit
 * b265bf9ca77fd8e8d82039d9f74911b8780fe1ce: its own test fixtures (named per test), and
 * {@code gepa-reference/fronts.jsonl}, 492 cases whose expected fronts were computed by the reference code itself
 * ({@code GEPAState.get_pareto_front_mapping} + {@code remove_dominated_programs}, Python 3.11.7; the generator,
 * {@code gepa-reference/generate.py}, says how to rebuild them).
 */
class ParetoFrontTest {

    // --- the reference repository's own test fixtures ---

    /** Source: gepa tests/test_gepa_utils.py, test_select_program_candidate_respects_frequency_bias. */
    @Test
    void shouldSelectTheOnlySurvivorLikeTheReferencesFrequencyBiasTest() {
        ParetoFront front = ParetoFront.ofFronts(List.of(Set.of(0, 1), Set.of(1)), new double[] {0.3, 0.6});
        assertThat(front.frequency()).containsExactly(Map.entry(1, 2));
        for (long seed = 0; seed < 50; seed++)
            assertThat(front.sample(new SplittableRandom(seed))).isEqualTo(1);
    }

    /**
     * Source: gepa tests/test_candidate_selector.py, fixture mock_state (three candidates with mean validation scores
     * 0.5, 0.6 and 0.8, every front set by hand to {0, 1, 2}): 0 and 1 are covered everywhere and removed.
     */
    @Test
    void shouldKeepOnlyTheBestOfThreeOnSharedFrontsLikeTheReferencesSelectorFixture() {
        List<Set<Integer>> fronts = List.of(Set.of(0, 1, 2), Set.of(0, 1, 2), Set.of(0, 1, 2));
        double seedMean = (0.5 + 0.3 + 0.7) / 3;
        ParetoFront front = ParetoFront.ofFronts(fronts, new double[] {seedMean, 0.6, 0.8});
        assertThat(front.frequency()).containsExactly(Map.entry(2, 3));
    }

    /** Source: gepa tests/test_parallel_proposals.py, fixture mock_state (fronts {0, 1} twice, means 0.5 and 0.7). */
    @Test
    void shouldRemoveTheWeakerOfTwoOnEveryFrontLikeTheReferencesParallelProposalFixture() {
        ParetoFront front = ParetoFront.ofFronts(List.of(Set.of(0, 1), Set.of(0, 1)), new double[] {0.5, 0.7});
        assertThat(front.frequency()).containsExactly(Map.entry(1, 2));
    }

    /**
     * Source: gepa tests/proposer/test_merge.py, _make_state (front {1, 2} on example 0, program scores 0.1, 0.6,
     * 0.7); the seed is on no front and never considered.
     */
    @Test
    void shouldIgnoreACandidateOnNoFrontLikeTheReferencesMergeStateFixture() {
        ParetoFront front = ParetoFront.ofFronts(List.of(Set.of(1, 2)), new double[] {0.1, 0.6, 0.7});
        assertThat(front.frequency()).containsExactly(Map.entry(2, 1));
    }

    /**
     * Source: gepa tests/test_state.py, test_agent_state_directory_layout (a hybrid state of the seed alone, scores
     * 0.3/0.7/0.5, objectives accuracy = the score and latency 0.9/0.8/0.7): three instance fronts and two objective
     * fronts, all the seed's.
     */
    @Test
    void shouldBuildTheHybridFrontsOfTheReferencesStateFixture() {
        double[][] scores = {{0.3, 0.7, 0.5}};
        ParetoFront front =
                ParetoFront.of(FrontierType.HYBRID, scores, Map.of("latency", new double[][] {{0.9, 0.8, 0.7}}));
        assertThat(front.frequency()).containsExactly(Map.entry(0, 5));
    }

    // --- every case the reference computed ---

    static Stream<Arguments> referenceCases() throws IOException {
        List<Arguments> cases = new ArrayList<>();
        JsonMapper json = JsonMapper.builder().build();
        try (InputStream in = ParetoFrontTest.class.getResourceAsStream("/gepa-reference/fronts.jsonl")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank()) continue;
                JsonNode c = json.readTree(line);
                Map<Integer, Integer> expected = new LinkedHashMap<>();
                for (JsonNode pair : c.get("frequency"))
                    expected.put(pair.get(0).asInt(), pair.get(1).asInt());
                cases.add(Arguments.of(
                        c.get("case").asString(),
                        FrontierType.parse(c.get("frontierType").asString()),
                        matrix(c.get("scores")),
                        matrix(c.get("cost")),
                        expected));
            }
        }
        assertThat(cases).hasSize(492);
        return cases.stream();
    }

    private static double[][] matrix(JsonNode rows) {
        double[][] m = new double[rows.size()][];
        for (int r = 0; r < rows.size(); r++) {
            m[r] = new double[rows.get(r).size()];
            for (int e = 0; e < m[r].length; e++) m[r][e] = rows.get(r).get(e).asDouble();
        }
        return m;
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("referenceCases")
    void shouldKeepExactlyTheCandidatesTheReferenceKeeps(
            String name, FrontierType type, double[][] scores, double[][] cost, Map<Integer, Integer> expected) {
        double[][] negatedCost = new double[cost.length][];
        for (int c = 0; c < cost.length; c++) {
            negatedCost[c] = new double[cost[c].length];
            for (int e = 0; e < cost[c].length; e++) negatedCost[c][e] = -cost[c][e];
        }
        ParetoFront front = ParetoFront.of(type, scores, Map.of("cost", negatedCost));
        // same survivors, same counts, same order (the order maps random draws to candidates)
        assertThat(new ArrayList<>(front.frequency().entrySet())).containsExactlyElementsOf(expected.entrySet());
    }

    // --- promptloop's own rules ---

    @Test
    void shouldKeepOneOfThreeExactTiesAtFullWeight() {
        // issue 11: the reference keeps the last of three identical candidates (ties by first appearance)
        double[][] ties = {{0.5, 0.5}, {0.5, 0.5}, {0.5, 0.5}};
        assertThat(ParetoFront.of(ties).frequency()).containsExactly(Map.entry(2, 2));
        // the selection of runs started before: all three, a third each
        assertThat(ParetoFront.byScoreDominance(ties).frequency()).isEqualTo(Map.of(0, 2, 1, 2, 2, 2));
    }

    @Test
    void shouldRejectANaNScoreNamingCandidateAndExample() {
        assertThatThrownBy(() -> ParetoFront.of(new double[][] {{0.5, 0.5}, {0.4, Double.NaN}}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("score of candidate 1 on example 1 is NaN: every value on a front must be a finite number");
    }

    @Test
    void shouldRejectAnInfiniteObjective() {
        assertThatThrownBy(() -> ParetoFront.of(
                        FrontierType.OBJECTIVE, new double[][] {{0.5}, {0.4}}, Map.of("cost", new double[][] {
                            {Double.NEGATIVE_INFINITY}, {-1}
                        })))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("cost of candidate 0 on example 0 is -Infinity");
    }

    @Test
    void shouldRejectRaggedRowsClearly() {
        assertThatThrownBy(() -> ParetoFront.of(new double[][] {{0.5, 0.5, 0.1}, {0.4, 0.2}}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("ragged score matrix: candidate 1 has 2 values, expected 3 (one per validation example)");
        assertThatThrownBy(() -> ParetoFront.of(
                        FrontierType.CARTESIAN, new double[][] {{0.5, 0.5}}, Map.of("cost", new double[][] {{1}})))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("ragged cost matrix: candidate 0 has 1 values, expected 2");
    }

    @Test
    void shouldRejectAnEmptyMatrixAndEmptyFronts() {
        assertThatThrownBy(() -> ParetoFront.of(new double[0][]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no candidates");
        assertThatThrownBy(() -> ParetoFront.of(new double[][] {{}}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no validation examples");
        assertThatThrownBy(() -> ParetoFront.ofFronts(List.of(Set.of()), new double[] {0.5}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no candidate is on any front");
        assertThatThrownBy(() -> ParetoFront.ofFronts(List.of(Set.of(0, 3)), new double[] {0.5}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("candidate 3 is on a front but has no aggregate score");
    }

    @Test
    void shouldSampleParentsInProportionToFrontMembership() {
        double[][] scores = {
            {1, 1, 1, 0}, // c0 best on 3 of 4 examples
            {0, 0, 0, 1}, // c1 best on 1
        };
        ParetoFront front = ParetoFront.of(scores);
        SplittableRandom random = new SplittableRandom(42);
        Map<Integer, Integer> picks = new HashMap<>();
        int draws = 40_000;
        for (int i = 0; i < draws; i++) picks.merge(front.sample(random), 1, Integer::sum);
        // expected 3/4 and 1/4; 5 standard deviations of a binomial(40000, 0.25) is about 433
        assertThat(picks.get(0)).isBetween(30_000 - 433, 30_000 + 433);
        assertThat(picks.get(1)).isBetween(10_000 - 433, 10_000 + 433);
    }

    @Test
    void shouldKeepTheScoreDominanceSelectionForRunsStartedBefore() {
        double[][] scores = {
            // e0   e1   e2
            {0.9, 0.4, 0.1}, // c0: ties c1 on e0, c1 >= everywhere and > on e1: dominated
            {0.9, 0.6, 0.1}, // c1: best on e0, e1
            {0.1, 0.1, 0.7}, // c2: best on e2
        };
        assertThat(ParetoFront.byScoreDominance(scores).frequency()).isEqualTo(Map.of(1, 2, 2, 1));
    }
}
