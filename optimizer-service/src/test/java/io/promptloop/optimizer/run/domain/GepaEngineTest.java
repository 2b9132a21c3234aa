package io.promptloop.optimizer.run.domain;

import static org.assertj.core.api.Assertions.assertThat;

import io.promptloop.optimizer.run.domain.Decision.Finished;
import io.promptloop.optimizer.run.domain.Decision.NeedReflection;
import io.promptloop.optimizer.run.domain.Decision.NeedScores;
import io.promptloop.optimizer.run.domain.Decision.Purpose;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
            for (int steps = 0; steps < 10_000; steps++) {
                Decision d = engine.decide(snapshot());
                if (d instanceof Finished f) return f;
                apply(d, score, reflect);
            }
            throw new AssertionError("run did not finish");
        }

        void apply(Decision d, Function<String, Double> score, Function<String, String> reflect) {
            switch (d) {
                case NeedScores n -> record(n, score);
                case NeedReflection r -> {
                    iterationsStarted = Math.max(iterationsStarted, r.iteration() + 1);
                    String text = reflect.apply(candidates.get(r.parent()).text());
                    int index = candidates.size();
                    candidates.add(new Candidate(index, text, List.of(r.parent()), Candidate.Origin.REFLECTION));
                    reflections.put(r.iteration(), index);
                }
                case Finished f -> throw new AssertionError(f);
            }
        }

        void record(NeedScores n, Function<String, Double> score) {
            iterationsStarted = Math.max(iterationsStarted, n.iteration() + 1);
            spent += n.exampleIds().size();
            for (String id : n.exampleIds()) {
                scores.computeIfAbsent(n.candidate(), k -> new HashMap<>())
                        .put(id, score.apply(candidates.get(n.candidate()).text()));
            }
        }
    }
}
