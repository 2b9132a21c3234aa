package io.promptloop.optimizer.run.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The fronts kept as candidates are added select exactly what the from-scratch computation selects over the same
 * candidates ({@link FromScratchParetoFront}, the implementation the reference cases of {@link ParetoFrontTest}
 * held before issue 12; those cases now run through {@link IncrementalFront} via {@link ParetoFront#of}).
 */
class IncrementalFrontTest {

    /** Random histories, seeded: after every addition, the same survivors with the same counts in the same order. */
    @Test
    void shouldSelectAfterEveryAdditionWhatTheFromScratchComputationSelects() {
        SplittableRandom random = new SplittableRandom(20261206);
        int checked = 0;
        for (int history = 0; history < 400; history++) {
            FrontierType type = FrontierType.values()[history % 4];
            int examples = 1 + random.nextInt(12);
            int candidates = 1 + random.nextInt(40);
            // coarse scores (many exact ties) in most histories, continuous ones in the rest
            int steps = history % 5 == 4 ? 0 : 2 + random.nextInt(10);
            boolean withCost = random.nextBoolean();
            IncrementalFront front = new IncrementalFront(type, examples);
            List<double[]> scores = new ArrayList<>();
            List<double[]> costs = new ArrayList<>();
            for (int c = 0; c < candidates; c++) {
                double[] row = row(random, examples, steps);
                double[] cost = row(random, examples, 3);
                for (int e = 0; e < examples; e++) cost[e] = -cost[e];
                scores.add(row);
                costs.add(cost);
                front.add(row, withCost ? Map.of("cost", cost) : Map.of());
                Map<String, double[][]> objectives =
                        withCost ? Map.of("cost", costs.toArray(double[][]::new)) : Map.of();
                var expected = FromScratchParetoFront.of(type, scores.toArray(double[][]::new), objectives)
                        .frequency();
                assertThat(new ArrayList<>(front.select().frequency().entrySet()))
                        .as("history %d (%s), after candidate %d", history, type, c)
                        .containsExactlyElementsOf(expected.entrySet());
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(4_000);
    }

    /**
     * An objective joins the fronts only while every candidate carries it: the from-scratch side is given just the
     * objectives all candidates so far carry.
     */
    @Test
    void shouldDropAnObjectiveForGoodOnceACandidateLacksIt() {
        SplittableRandom random = new SplittableRandom(7);
        for (int history = 0; history < 200; history++) {
            FrontierType type = List.of(FrontierType.OBJECTIVE, FrontierType.HYBRID, FrontierType.CARTESIAN)
                    .get(history % 3);
            int examples = 1 + random.nextInt(6);
            IncrementalFront front = new IncrementalFront(type, examples);
            List<double[]> scores = new ArrayList<>();
            Map<String, List<double[]>> carried =
                    new TreeMap<>(Map.of("cost", new ArrayList<>(), "latency", new ArrayList<>()));
            for (int c = 0; c < 25; c++) {
                double[] row = row(random, examples, 4);
                scores.add(row);
                Map<String, double[]> objectives = new LinkedHashMap<>();
                for (String name : List.of("cost", "latency")) {
                    if (random.nextInt(10) == 0) {
                        carried.remove(name); // this candidate lacks it: gone for good
                        continue;
                    }
                    double[] v = row(random, examples, 3);
                    objectives.put(name, v);
                    if (carried.containsKey(name)) carried.get(name).add(v);
                }
                front.add(row, objectives);
                Map<String, double[][]> expectedObjectives = new TreeMap<>();
                carried.forEach((name, rows) -> expectedObjectives.put(name, rows.toArray(double[][]::new)));
                assertThat(front.objectives()).isEqualTo(expectedObjectives.keySet());
                var expected = FromScratchParetoFront.of(type, scores.toArray(double[][]::new), expectedObjectives)
                        .frequency();
                assertThat(new ArrayList<>(front.select().frequency().entrySet()))
                        .as("history %d (%s), after candidate %d", history, type, c)
                        .containsExactlyElementsOf(expected.entrySet());
            }
        }
    }

    @Test
    void shouldLeaveACopyAsItWasWhenTheOriginalGrows() {
        IncrementalFront front = new IncrementalFront(FrontierType.INSTANCE, 2);
        front.add(new double[] {0.5, 0.5}, Map.of());
        IncrementalFront copy = front.copy();
        front.add(new double[] {0.9, 0.9}, Map.of());
        assertThat(copy.select().frequency()).containsExactly(Map.entry(0, 2));
        assertThat(front.select().frequency()).containsExactly(Map.entry(1, 2));
        copy.add(new double[] {0.5, 0.5}, Map.of()); // a tie: the later of two equals survives
        assertThat(copy.select().frequency()).containsExactly(Map.entry(1, 2));
        assertThat(front.size()).isEqualTo(2);
    }

    @Test
    void shouldRejectABadRowNamingTheCandidateAndAddNothing() {
        IncrementalFront front = new IncrementalFront(FrontierType.HYBRID, 2);
        front.add(new double[] {0.5, 0.5}, Map.of("cost", new double[] {-1, -1}));
        assertThatThrownBy(() -> front.add(new double[] {0.5, Double.NaN}, Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("score of candidate 1 on example 1 is NaN: every value on a front must be a finite number");
        assertThatThrownBy(() -> front.add(new double[] {0.5, 0.1}, Map.of("cost", new double[] {-1})))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("ragged cost matrix: candidate 1 has 1 values, expected 2 (one per validation example)");
        assertThatThrownBy(() -> front.add(new double[] {0.5}, Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("ragged score matrix: candidate 1 has 1 values");
        assertThat(front.size()).isEqualTo(1);
        assertThat(front.objectives()).containsExactly("cost");
        assertThatThrownBy(() -> new IncrementalFront(FrontierType.INSTANCE, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no validation examples");
    }

    /** {@code steps} > 0: values in {0, 1/steps, ..., 1}; 0: continuous in [0, 1). */
    private static double[] row(SplittableRandom random, int examples, int steps) {
        double[] row = new double[examples];
        for (int e = 0; e < examples; e++)
            row[e] = steps == 0 ? random.nextDouble() : random.nextInt(steps + 1) / (double) steps;
        return row;
    }
}
