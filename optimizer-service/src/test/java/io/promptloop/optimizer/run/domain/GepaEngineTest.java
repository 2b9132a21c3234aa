package io.promptloop.optimizer.run.domain;

import static org.assertj.core.api.Assertions.assertThat;

import io.promptloop.optimizer.run.domain.Decision.Finished;
import io.promptloop.optimizer.run.domain.Decision.NeedMerge;
import io.promptloop.optimizer.run.domain.Decision.NeedReflection;
import io.promptloop.optimizer.run.domain.Decision.NeedScores;
import io.promptloop.optimizer.run.domain.Decision.Purpose;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class GepaEngineTest {

    private final GepaEngine engine = new GepaEngine();
    private final List<String> train = List.of("t1", "t2", "t3", "t4", "t5", "t6");
    private final List<String> validation = List.of("v1", "v2", "v3", "v4");

    @Test
    void shouldStartByValidatingTheSeed() {
        Decision first = engine.decide(new Driver(GepaConfig.of(100, 7)).snapshot());
        assertThat(first).isEqualTo(new NeedScores(-1, 0, validation, Purpose.SEED_VALIDATION));
    }

    @Test
    void shouldAcceptOnlyStrictMinibatchImprovementsAndFinishAtTheBudgetWithTheBest() {
        // the score of an instruction on any example is the number of "+" in it, capped at 1 by /4
        Driver run = new Driver(GepaConfig.of(60, 7));
        Finished done = run.toTheEnd(
                text -> Math.min(1.0, text.chars().filter(c -> c == '+').count() / 4.0), parent -> parent + "+");

        assertThat(done.reason()).isIn(Decision.StopReason.BUDGET, Decision.StopReason.CONVERGED);
        assertThat(done.baselineScore()).isZero();
        assertThat(done.bestScore()).isGreaterThan(done.baselineScore());
        assertThat(run.candidates.get(done.best()).text()).startsWith("seed+");
        assertThat(done.bestScore()).isEqualTo(1.0); // "seed++++" is reachable within the budget
        // each accepted child descends from an accepted candidate
        for (Candidate c : run.candidates.subList(1, run.candidates.size()))
            assertThat(c.parents()).hasSize(1);
    }

    @Test
    void shouldRejectAChildThatIsNotStrictlyBetterAndKeepTheSeedAsBest() {
        Driver run = new Driver(GepaConfig.of(40, 3));
        Finished done = run.toTheEnd(text -> 0.5, parent -> parent + "!"); // nothing ever improves

        assertThat(done.best()).isZero();
        assertThat(done.bestScore()).isEqualTo(0.5);
        // rejected children were never validated: only the seed has validation scores
        run.scores.forEach((candidate, byExample) -> {
            if (candidate != 0) assertThat(byExample.keySet()).doesNotContainAnyElementsOf(validation);
        });
    }

    @Test
    void shouldStopAfterKIterationsWithoutImprovement() {
        Driver run = new Driver(new GepaConfig(10_000, 3, 3, 4, null, 1.0));
        Finished done = run.toTheEnd(text -> 0.5, parent -> parent + "!");
        assertThat(done.reason()).isEqualTo(Decision.StopReason.NO_IMPROVEMENT);
        assertThat(done.iterations()).isEqualTo(4);
    }

    @Test
    void shouldStopAtWallTimeOnlyBeforeANewIteration() {
        Driver run = new Driver(new GepaConfig(10_000, 3, 3, 0, Duration.ofMinutes(5), 1.0));
        run.elapsed = Duration.ofMinutes(6);
        Decision d = engine.decide(run.snapshot());
        assertThat(d).isInstanceOf(NeedScores.class); // the seed is validated whatever the time
        run.record((NeedScores) d, text -> 0.2);
        assertThat(engine.decide(run.snapshot()))
                .isInstanceOfSatisfying(
                        Finished.class, f -> assertThat(f.reason()).isEqualTo(Decision.StopReason.WALL_TIME));
    }

    @Test
    void shouldSkipAParentThatIsPerfectOnTheMinibatch() {
        Driver run = new Driver(new GepaConfig(30, 3, 5, 0, null, 1.0));
        Finished done = run.toTheEnd(text -> 1.0, parent -> parent + "?");
        assertThat(run.reflections).isEmpty();
        assertThat(done.reason()).isEqualTo(Decision.StopReason.CONVERGED);
        assertThat(done.best()).isZero();
    }

    @Test
    void shouldTakeTheSamePathWhenReplayedFromAnyPoint() {
        Function<String, Double> score = text -> Math.min(1.0, (text.length() % 7) / 6.0);
        Function<String, String> reflect = parent -> parent + "x";
        Driver uninterrupted = new Driver(GepaConfig.of(80, 99));
        Finished expected = uninterrupted.toTheEnd(score, reflect);

        // a run interrupted after every single step and rebuilt from its records gives the same result,
        // because decide() is a function of the records alone
        Driver resumed = new Driver(GepaConfig.of(80, 99));
        Decision d;
        while (!((d = new GepaEngine().decide(resumed.copy().snapshot())) instanceof Finished))
            resumed.apply(d, score, reflect);
        assertThat(d).isEqualTo(expected);
        assertThat(resumed.candidates).isEqualTo(uninterrupted.candidates);
    }

    // --- merge --------------------------------------------------------------------------------------

    /** Topic A: t1..t3, v1, v2; topic B: t4..t6, v3, v4. */
    private static boolean topicA(String example) {
        return Set.of("t1", "t2", "t3", "v1", "v2").contains(example);
    }

    /**
     * An instruction with both guidelines is perfect; with one it is perfect on that topic and over-focused (0.25)
     * on the other; with none it is mediocre (0.5) everywhere. So each single-guideline child beats the seed on one
     * topic only, and two branches stay on the front.
     */
    private static double topicScore(String text, String example) {
        boolean a = text.contains("- guideline A");
        boolean b = text.contains("- guideline B");
        if (a && b) return 1.0;
        if (!a && !b) return 0.5;
        return (topicA(example) ? a : b) ? 1.0 : 0.25;
    }

    /** Adds the guideline of the first minibatch example the instruction fails on. */
    private static String learnFirstMissing(String text, List<String> minibatch) {
        for (String example : minibatch) {
            if (topicScore(text, example) < 1.0) return text + "\n- guideline " + (topicA(example) ? "A" : "B");
        }
        return text + "\n- nothing new";
    }

    @Test
    void shouldMergeTwoBranchesWithACommonAncestorIntoTheBestCandidate() {
        Driver run =
                new Driver(GepaConfig.of(200, 4).withMaxMerges(3)); // seed 4: the second child branches off the seed
        Finished done = run.toTheEnd(GepaEngineTest::topicScore, GepaEngineTest::learnFirstMissing);

        List<Candidate> merges = run.candidates.stream()
                .filter(c -> c.origin() == Candidate.Origin.MERGE)
                .toList();
        assertThat(merges).hasSize(1);
        Candidate merge = merges.getFirst();
        // both parents are single-guideline branches of the seed, one per topic
        assertThat(merge.parents()).hasSize(2);
        assertThat(merge.parents().stream().map(p -> run.candidates.get(p).parents()))
                .containsOnly(List.of(0));
        assertThat(merge.text()).contains("- guideline A", "- guideline B");
        assertThat(done.best()).isEqualTo(merge.index());
        assertThat(done.bestScore()).isEqualTo(1.0);
        // the merge's evaluations (minibatch and validation) were requested and counted like any other
        assertThat(run.scores.get(merge.index()).keySet()).containsAll(validation);
    }

    @Test
    void shouldReplayARunWithAMergeFromAnyPoint() {
        Driver uninterrupted = new Driver(GepaConfig.of(200, 4).withMaxMerges(3));
        Finished expected = uninterrupted.toTheEnd(GepaEngineTest::topicScore, GepaEngineTest::learnFirstMissing);

        Driver resumed = new Driver(GepaConfig.of(200, 4).withMaxMerges(3));
        Decision d;
        while (!((d = new GepaEngine().decide(resumed.copy().snapshot())) instanceof Finished))
            resumed.apply(d, GepaEngineTest::topicScore, GepaEngineTest::learnFirstMissing);
        assertThat(d).isEqualTo(expected);
        assertThat(resumed.candidates).isEqualTo(uninterrupted.candidates);
    }

    @Test
    void shouldNeverMergeWhenMergeIsOff() {
        Driver run = new Driver(GepaConfig.of(200, 4));
        run.toTheEnd(GepaEngineTest::topicScore, GepaEngineTest::learnFirstMissing);
        assertThat(run.candidates).noneMatch(c -> c.origin() == Candidate.Origin.MERGE);
    }

    @Test
    void shouldChooseOnlyFrontPairsThatShareAnAncestorAndNeitherDescendsFromTheOther() {
        // 0 seed; 1 and 2 children of 0; 3 child of 1 (hand-built lineage)
        List<Candidate> lineage = List.of(
                new Candidate(0, "Base", List.of(), Candidate.Origin.SEED),
                new Candidate(1, "Base\n- a", List.of(0), Candidate.Origin.REFLECTION),
                new Candidate(2, "Base\n- b", List.of(0), Candidate.Origin.REFLECTION),
                new Candidate(3, "Base\n- a\n- c", List.of(1), Candidate.Origin.REFLECTION));
        RunSnapshot snapshot = new RunSnapshot(
                GepaConfig.of(100, 1), train, validation, lineage, Map.of(), Map.of(), 0, 0, Duration.ZERO);
        List<Integer> accepted = List.of(0, 1, 2, 3);
        // front: 3 is best on v1, v2 and 2 on v3, v4; 0 and 1 are dominated
        ParetoFront front = ParetoFront.of(new double[][] {
            {0, 0, 0, 0}, {0.5, 0.5, 0, 0}, {0, 0, 1, 1}, {1, 1, 0, 0},
        });

        GepaEngine.MergePlan plan =
                GepaEngine.mergePlan(snapshot, front, accepted, Set.of(), new java.util.SplittableRandom(1));

        assertThat(plan).isEqualTo(new GepaEngine.MergePlan(2, 3, 0, "Base\n- b\n- a\n- c"));
        // tried before: nothing left
        assertThat(GepaEngine.mergePlan(
                        snapshot, front, accepted, Set.of(List.of(2, 3)), new java.util.SplittableRandom(1)))
                .isNull();
        // 1 and 3 on the front: 3 descends from 1, no merge
        ParetoFront lineageOnly = ParetoFront.of(new double[][] {
            {0, 0, 0, 0}, {1, 1, 0.5, 0}, {0, 0, 0, 0}, {0.5, 0.5, 1, 1},
        });
        assertThat(GepaEngine.mergePlan(snapshot, lineageOnly, accepted, Set.of(), new java.util.SplittableRandom(1)))
                .isNull();
    }

    @Test
    void shouldAnnounceTheFinalFrontBestMeanFirst() {
        // seed 0 and three accepted children; 3 is covered by 1 (best or tied wherever 3 is), so the instance
        // front keeps 1 (mean 0.75) and 2 (mean 0.6): announced best mean first, the seed covered by both
        List<Candidate> four = List.of(
                new Candidate(0, "a", List.of(), Candidate.Origin.SEED),
                new Candidate(1, "b", List.of(0), Candidate.Origin.REFLECTION),
                new Candidate(2, "c", List.of(0), Candidate.Origin.REFLECTION),
                new Candidate(3, "d", List.of(1), Candidate.Origin.REFLECTION));
        List<String> val = List.of("v1", "v2");
        Map<Integer, Map<String, Double>> scores = Map.of(
                0, Map.of("v1", 0.4, "v2", 0.4),
                1, Map.of("v1", 1.0, "v2", 0.5),
                2, Map.of("v1", 0.2, "v2", 1.0),
                3, Map.of("v1", 0.9, "v2", 0.5));
        RunSnapshot done = new RunSnapshot(
                GepaConfig.of(100, 1),
                train,
                val,
                four,
                scores,
                Map.of(0, 1, 1, 2, 2, 3),
                3,
                0,
                Duration.ZERO,
                Map.of());

        assertThat(engine.finalFront(done)).containsExactly(1, 2);
    }

    @Test
    void shouldKeepTheFrontOverTheRunsFrontierTypeAndItsCompleteObjectives() {
        List<Candidate> three = List.of(
                new Candidate(0, "a", List.of(), Candidate.Origin.SEED),
                new Candidate(1, "b", List.of(0), Candidate.Origin.REFLECTION),
                new Candidate(2, "c", List.of(0), Candidate.Origin.REFLECTION));
        List<String> val = List.of("v1", "v2");
        Map<Integer, Map<String, Double>> scores = Map.of(
                0, Map.of("v1", 0.5, "v2", 0.5),
                1, Map.of("v1", 1.0, "v2", 0.5),
                2, Map.of("v1", 0.5, "v2", 1.0));
        // 0 is the cheapest everywhere: on a cost front it survives, on the instance front it is covered
        Map<Integer, Map<String, Map<String, Double>>> cost = Map.of(
                0, Map.of("v1", Map.of("cost", -1.0), "v2", Map.of("cost", -1.0)),
                1, Map.of("v1", Map.of("cost", -3.0), "v2", Map.of("cost", -3.0)),
                2, Map.of("v1", Map.of("cost", -3.0), "v2", Map.of("cost", -3.0)));
        Function<GepaConfig, Map<Integer, Integer>> front = config -> GepaEngine.front(
                        new RunSnapshot(config, train, val, three, scores, Map.of(), 0, 0, Duration.ZERO, cost),
                        List.of(0, 1, 2))
                .frequency();

        assertThat(front.apply(GepaConfig.of(100, 1))).isEqualTo(Map.of(1, 1, 2, 1));
        assertThat(front.apply(GepaConfig.of(100, 1).withFrontierType(FrontierType.CARTESIAN)))
                .isEqualTo(Map.of(0, 2, 1, 1, 2, 1));
        // objective: score means 0.5/0.75/0.75 (front {1, 2}), cost means (front {0}); 1 is covered by 2
        assertThat(front.apply(GepaConfig.of(100, 1).withFrontierType(FrontierType.OBJECTIVE)))
                .isEqualTo(Map.of(0, 1, 2, 1));
        // runs started before issue 11 keep score dominance: 0 is dominated, 1 and 2 stay
        assertThat(front.apply(GepaConfig.of(100, 1).withLegacySelection(true))).isEqualTo(Map.of(1, 1, 2, 1));

        // an objective one candidate lacks on one example is left out: the cartesian front is the score's alone
        Map<Integer, Map<String, Map<String, Double>>> incomplete = Map.of(
                0, Map.of("v1", Map.of("cost", -1.0), "v2", Map.of("cost", -1.0)),
                1, Map.of("v1", Map.of("cost", -3.0)),
                2, Map.of("v1", Map.of("cost", -3.0), "v2", Map.of("cost", -3.0)));
        assertThat(GepaEngine.front(
                                new RunSnapshot(
                                        GepaConfig.of(100, 1).withFrontierType(FrontierType.CARTESIAN),
                                        train,
                                        val,
                                        three,
                                        scores,
                                        Map.of(),
                                        0,
                                        0,
                                        Duration.ZERO,
                                        incomplete),
                                List.of(0, 1, 2))
                        .frequency())
                .isEqualTo(Map.of(1, 1, 2, 1));
    }

    /** Plays the service's part: records scores and reflections the way the optimizer service does. */
    private final class Driver {
        final GepaConfig config;
        final List<Candidate> candidates = new ArrayList<>();
        final Map<Integer, Map<String, Double>> scores = new HashMap<>();
        final Map<Integer, Integer> reflections = new HashMap<>();
        int iterationsStarted;
        int spent;
        Duration elapsed = Duration.ZERO;

        Driver(GepaConfig config) {
            this.config = config;
            candidates.add(new Candidate(0, "seed", List.of(), Candidate.Origin.SEED));
        }

        RunSnapshot snapshot() {
            return new RunSnapshot(
                    config, train, validation, candidates, scores, reflections, iterationsStarted, spent, elapsed);
        }

        Driver copy() {
            Driver copy = new Driver(config);
            copy.candidates.clear();
            copy.candidates.addAll(candidates);
            scores.forEach((k, v) -> copy.scores.put(k, new HashMap<>(v)));
            copy.reflections.putAll(reflections);
            copy.iterationsStarted = iterationsStarted;
            copy.spent = spent;
            return copy;
        }

        Finished toTheEnd(Function<String, Double> score, Function<String, String> reflect) {
            return toTheEnd((text, example) -> score.apply(text), (text, minibatch) -> reflect.apply(text));
        }

        /** With scores per example, and a reflection that sees the minibatch. */
        Finished toTheEnd(BiFunction<String, String, Double> score, BiFunction<String, List<String>, String> reflect) {
            for (int steps = 0; steps < 10_000; steps++) {
                Decision d = engine.decide(snapshot());
                if (d instanceof Finished f) return f;
                apply(d, score, reflect);
            }
            throw new AssertionError("run did not finish");
        }

        void apply(Decision d, Function<String, Double> score, Function<String, String> reflect) {
            apply(d, (text, example) -> score.apply(text), (text, minibatch) -> reflect.apply(text));
        }

        void apply(
                Decision d,
                BiFunction<String, String, Double> score,
                BiFunction<String, List<String>, String> reflect) {
            switch (d) {
                case NeedScores n -> record(n, score);
                case NeedReflection r -> {
                    iterationsStarted = Math.max(iterationsStarted, r.iteration() + 1);
                    String text = reflect.apply(candidates.get(r.parent()).text(), r.minibatch());
                    int index = candidates.size();
                    candidates.add(new Candidate(index, text, List.of(r.parent()), Candidate.Origin.REFLECTION));
                    reflections.put(r.iteration(), index);
                }
                case NeedMerge m -> {
                    iterationsStarted = Math.max(iterationsStarted, m.iteration() + 1);
                    int index = candidates.size();
                    candidates.add(
                            new Candidate(index, m.text(), List.of(m.first(), m.second()), Candidate.Origin.MERGE));
                    reflections.put(m.iteration(), index);
                }
                case Finished f -> throw new AssertionError(f);
            }
        }

        void record(NeedScores n, Function<String, Double> score) {
            record(n, (text, example) -> score.apply(text));
        }

        void record(NeedScores n, BiFunction<String, String, Double> score) {
            iterationsStarted = Math.max(iterationsStarted, n.iteration() + 1);
            spent += n.exampleIds().size();
            for (String id : n.exampleIds()) {
                scores.computeIfAbsent(n.candidate(), k -> new HashMap<>())
                        .put(id, score.apply(candidates.get(n.candidate()).text(), id));
            }
        }
    }
}
