package io.promptloop.optimizer.run.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.promptloop.optimizer.run.domain.Decision.Finished;
import io.promptloop.optimizer.run.domain.Decision.NeedMerge;
import io.promptloop.optimizer.run.domain.Decision.NeedReflection;
import io.promptloop.optimizer.run.domain.Decision.NeedScores;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The engine that keeps its derived state between calls decides exactly what the engine that replays every call
 * from the start decided ({@link ReplayingGepaEngine}, the engine before issue 12), on random runs: random
 * configurations (frontier types, legacy selection, merges, stoppers), scores with many ties, objectives some
 * candidates lack, failed reflections, scores reused without the run's iteration advancing, and a clock that moves.
 */
class IncrementalGepaEngineTest {

    private static final List<String> TRAIN =
            IntStream.range(0, 9).mapToObj(i -> "t" + i).toList();

    @Test
    void shouldDecideAtEveryStepWhatTheReplayFromTheStartDecides() {
        SplittableRandom random = new SplittableRandom(20261206);
        int steps = 0;
        int finished = 0;
        int merges = 0;
        for (int r = 0; r < 300; r++) {
            SimulatedRun run = new SimulatedRun(randomConfig(random, r), random.split());
            GepaEngine kept = new GepaEngine(); // lives through the whole run, like the service's cached engine
            for (int step = 0; step < 3_000; step++) {
                RunSnapshot snapshot = run.snapshot();
                Decision expected = new ReplayingGepaEngine().decide(snapshot);
                assertThat(kept.decide(snapshot)).as("run %d step %d", r, step).isEqualTo(expected);
                if (step % 7 == 0) // a replica that resumes the run: one replay from the stored history
                assertThat(new GepaEngine().decide(snapshot)).isEqualTo(expected);
                steps++;
                if (expected instanceof NeedMerge) merges++;
                if (expected instanceof Finished) {
                    finished++;
                    assertThat(kept.replays())
                            .as("run %d: the kept engine replayed the history once", r)
                            .isEqualTo(1);
                    assertThat(new GepaEngine().accepted(snapshot))
                            .isEqualTo(new ReplayingGepaEngine().accepted(snapshot));
                    break;
                }
                run.apply(expected);
            }
        }
        assertThat(finished).isEqualTo(300);
        assertThat(steps).isGreaterThan(10_000);
        assertThat(merges).isPositive();
    }

    /**
     * An iteration the run has not begun ({@code iterationsStarted}) that the engine could finish on known scores (a
     * perfect parent's minibatch, skipped) is not kept: scores reused without the run's iteration advancing leave
     * it unbegun, and on the next call the wall-time stopper is checked there again, as a replay would.
     */
    @Test
    void shouldCheckTheStoppersAgainAtAnIterationTheRunHasNotBegun() {
        GepaConfig config = new GepaConfig(1_000, 3, 5, 0, Duration.ofSeconds(100), 1.0);
        SimulatedRun run = new SimulatedRun(config, new SplittableRandom(1));
        for (String id : run.validation)
            run.scores.computeIfAbsent(0, k -> new HashMap<>()).put(id, 0.5);
        for (String id : Minibatches.forIteration(TRAIN, 0, 3, 5))
            run.scores.get(0).put(id, 1.0); // known: reused
        run.elapsed = Duration.ofSeconds(50);
        GepaEngine engine = new GepaEngine();
        Decision first = engine.decide(run.snapshot());
        // iteration 0 skipped (perfect seed on its minibatch), iteration 1 needs the seed's scores on its minibatch
        assertThat(first)
                .isInstanceOfSatisfying(
                        NeedScores.class, n -> assertThat(n.iteration()).isEqualTo(1));
        assertThat(first).isEqualTo(new ReplayingGepaEngine().decide(run.snapshot()));
        for (String id : ((NeedScores) first).exampleIds()) run.scores.get(0).put(id, 1.0); // reused again
        run.elapsed = Duration.ofSeconds(150); // the run's iteration is still 0
        Decision expected = new ReplayingGepaEngine().decide(run.snapshot());
        assertThat(expected).isEqualTo(new Finished(0, 0.5, 0.5, Decision.StopReason.WALL_TIME, 0));
        assertThat(engine.decide(run.snapshot())).isEqualTo(expected);
    }

    @Test
    void shouldStartOverWhenGivenASnapshotOfAnotherRun() {
        SplittableRandom random = new SplittableRandom(3);
        GepaEngine engine = new GepaEngine();
        SimulatedRun first = new SimulatedRun(GepaConfig.of(200, 1), random.split());
        for (int i = 0; i < 40; i++) first.apply(engine.decide(first.snapshot()));
        assertThat(engine.replays()).isEqualTo(1);
        SimulatedRun second = new SimulatedRun(GepaConfig.of(200, 1), random.split());
        for (int i = 0; i < 40; i++) {
            RunSnapshot snapshot = second.snapshot();
            Decision expected = new ReplayingGepaEngine().decide(snapshot);
            assertThat(engine.decide(snapshot)).isEqualTo(expected);
            if (expected instanceof Finished) break;
            second.apply(expected);
        }
        assertThat(engine.replays()).isEqualTo(2);
    }

    @Test
    void shouldFailAgainOnEveryCallWhileAnAcceptedCandidatesScoreIsNotFinite() {
        SimulatedRun run = new SimulatedRun(GepaConfig.of(500, 5), new SplittableRandom(11));
        GepaEngine engine = new GepaEngine();
        Decision d = engine.decide(run.snapshot());
        while (!(d instanceof NeedScores n && n.purpose() == Decision.Purpose.CHILD_VALIDATION)) {
            run.apply(d);
            d = engine.decide(run.snapshot());
        }
        NeedScores validation = (NeedScores) d;
        run.apply(validation);
        run.scores.get(validation.candidate()).put(validation.exampleIds().getFirst(), Double.NaN);
        for (int call = 0; call < 2; call++) {
            RunSnapshot snapshot = run.snapshot();
            assertThatThrownBy(() -> new ReplayingGepaEngine().decide(snapshot))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> engine.decide(snapshot))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("is NaN: every value on a front must be a finite number");
        }
    }

    private static GepaConfig randomConfig(SplittableRandom random, int r) {
        GepaConfig config = new GepaConfig(
                        30 + random.nextInt(200),
                        1 + random.nextInt(4),
                        random.nextLong(),
                        random.nextInt(3) == 0 ? 1 + random.nextInt(8) : 0,
                        random.nextBoolean() ? Duration.ofSeconds(10 + random.nextInt(150)) : null,
                        1.0,
                        random.nextInt(3) == 0 ? 1 + random.nextInt(5) : 0)
                .withFrontierType(FrontierType.values()[r % 4]);
        return r % 9 == 8 ? config.withLegacySelection(true) : config;
    }

    /** Plays the service's part (RunStepper), with the randomness of real runs. */
    static final class SimulatedRun {
        final GepaConfig config;
        final SplittableRandom random;
        final List<String> validation;
        final List<Candidate> candidates = new ArrayList<>();
        final Map<Integer, Map<String, Double>> scores = new HashMap<>();
        final Map<Integer, Map<String, Map<String, Double>>> objectives = new HashMap<>();
        final Map<Integer, Integer> reflections = new HashMap<>();
        final double[] quality = new double[10_000]; // per candidate: how good its scores tend to be
        int iterationsStarted;
        int spent;
        Duration elapsed = Duration.ZERO;

        SimulatedRun(GepaConfig config, SplittableRandom random) {
            this.config = config;
            this.random = random;
            this.validation = IntStream.range(0, 1 + random.nextInt(8))
                    .mapToObj(i -> "v" + i)
                    .toList();
            candidates.add(new Candidate(0, "seed", List.of(), Candidate.Origin.SEED));
            quality[0] = 0.3 + random.nextInt(7) * 0.1; // some seeds are near perfect: skipped minibatches
        }

        RunSnapshot snapshot() {
            return new RunSnapshot(
                    config,
                    TRAIN,
                    validation,
                    candidates,
                    scores,
                    reflections,
                    iterationsStarted,
                    spent,
                    elapsed,
                    objectives);
        }

        void apply(Decision d) {
            elapsed = elapsed.plusSeconds(random.nextInt(10));
            switch (d) {
                case NeedScores n -> {
                    // a third of the time the scores were known already: reused, the run's iteration stays
                    boolean reused = random.nextInt(3) == 0;
                    if (!reused) {
                        iterationsStarted = Math.max(iterationsStarted, n.iteration() + 1);
                        spent += n.exampleIds().size();
                    }
                    boolean cost = random.nextInt(8) != 0; // most evaluations carry a cost, a few do not
                    for (String id : n.exampleIds()) {
                        scores.computeIfAbsent(n.candidate(), k -> new HashMap<>())
                                .put(id, score(n.candidate()));
                        if (cost)
                            objectives
                                    .computeIfAbsent(n.candidate(), k -> new HashMap<>())
                                    .put(id, Map.of("cost", -(double) random.nextInt(3)));
                    }
                }
                case NeedReflection r -> {
                    iterationsStarted = Math.max(iterationsStarted, r.iteration() + 1);
                    int index = candidates.size();
                    boolean failed = random.nextInt(10) == 0; // a failed reflection: the parent's text again
                    String text = failed ? candidates.get(r.parent()).text() : "c" + index;
                    candidates.add(new Candidate(index, text, List.of(r.parent()), Candidate.Origin.REFLECTION));
                    reflections.put(r.iteration(), index);
                    quality[index] = failed
                            ? quality[r.parent()]
                            : Math.min(1, Math.max(0, quality[r.parent()] + (random.nextInt(5) - 1) * 0.1));
                }
                case NeedMerge m -> {
                    iterationsStarted = Math.max(iterationsStarted, m.iteration() + 1);
                    int index = candidates.size();
                    candidates.add(
                            new Candidate(index, m.text(), List.of(m.first(), m.second()), Candidate.Origin.MERGE));
                    reflections.put(m.iteration(), index);
                    quality[index] = Math.max(quality[m.first()], quality[m.second()]);
                }
                case Finished f -> throw new AssertionError(f);
            }
        }

        /** Scores in quarter steps (many exact ties), more often high for a better candidate. */
        private double score(int candidate) {
            double q = quality[candidate] + (random.nextDouble() - 0.5) * 0.6;
            return Math.round(Math.min(1, Math.max(0, q)) * 4) / 4.0;
        }
    }
}
