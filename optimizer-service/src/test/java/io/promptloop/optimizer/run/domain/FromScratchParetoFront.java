package io.promptloop.optimizer.run.domain;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.random.RandomGenerator;

/**
 * {@link ParetoFront} as it was before issue 12, verbatim but for its name: every front recomputed from the whole
 * score matrix. Kept as the from-scratch side of {@code IncrementalFrontTest} and the "before" of
 * {@link GepaEngineBenchmark}.
 */
final class FromScratchParetoFront {

    /** The main metric's name among the objectives. */
    static final String SCORE = "score";

    private final Map<Integer, Integer> frequency; // candidate -> number of fronts it remains on

    private FromScratchParetoFront(Map<Integer, Integer> frequency) {
        this.frequency = frequency;
    }

    /** The instance front (per validation example) of a score matrix: GEPA's default. */
    public static FromScratchParetoFront of(double[][] scores) {
        return of(FrontierType.INSTANCE, scores, Map.of());
    }

    /**
     * @param scores {@code scores[c][e]}: main score of candidate c on validation example e; every row full
     * @param objectives further objectives by name, {@code objectives.get(name)[c][e]}, oriented so that higher is
     *     better, same shape as {@code scores}; the main score is always the objective {@value #SCORE}
     * @throws IllegalArgumentException on no candidates, no examples, ragged rows, or a value that is not finite
     */
    public static FromScratchParetoFront of(FrontierType type, double[][] scores, Map<String, double[][]> objectives) {
        int examples = validate(SCORE, scores, -1);
        Map<String, double[][]> metrics = new LinkedHashMap<>();
        metrics.put(SCORE, scores);
        for (String name : new TreeSet<>(objectives.keySet())) {
            if (name.equals(SCORE)) throw new IllegalArgumentException("objective '" + SCORE + "' is the main score");
            double[][] values = objectives.get(name);
            if (values.length != scores.length)
                throw new IllegalArgumentException("objective '" + name + "' has " + values.length
                        + " candidates, the score matrix " + scores.length);
            validate(name, values, examples);
            metrics.put(name, values);
        }
        List<BitSet> fronts = new ArrayList<>();
        if (type == FrontierType.INSTANCE || type == FrontierType.HYBRID) {
            for (int e = 0; e < examples; e++) fronts.add(best(scores, e));
        }
        if (type == FrontierType.OBJECTIVE || type == FrontierType.HYBRID) {
            for (double[][] values : metrics.values()) {
                double[][] means = new double[values.length][1];
                for (int c = 0; c < values.length; c++) means[c][0] = mean(values[c]);
                fronts.add(best(means, 0));
            }
        }
        if (type == FrontierType.CARTESIAN) {
            for (int e = 0; e < examples; e++) for (double[][] values : metrics.values()) fronts.add(best(values, e));
        }
        double[] aggregate = new double[scores.length];
        for (int c = 0; c < scores.length; c++) aggregate[c] = mean(scores[c]);
        List<Set<Integer>> asSets = new ArrayList<>();
        for (BitSet f : fronts) asSets.add(f.stream().boxed().collect(java.util.stream.Collectors.toSet()));
        return ofFronts(asSets, aggregate);
    }

    /**
     * The reference's {@code remove_dominated_programs} and frequency count over given fronts, as its tests call it.
     *
     * @param fronts the fronts in key order (each a set of candidate indices; empty fronts are ignored)
     * @param aggregateScores mean validation score per candidate index (the order in which removal is tried)
     */
    public static FromScratchParetoFront ofFronts(
            List<? extends Collection<Integer>> fronts, double[] aggregateScores) {
        List<int[]> members = new ArrayList<>(fronts.size());
        for (Collection<Integer> f : fronts)
            members.add(f.stream().mapToInt(Integer::intValue).sorted().toArray());
        LinkedHashSet<Integer> firstAppearance = new LinkedHashSet<>();
        for (int[] f : members) for (int c : f) firstAppearance.add(c);
        if (firstAppearance.isEmpty()) throw new IllegalArgumentException("no candidate is on any front");
        for (int c : firstAppearance) {
            if (c < 0 || c >= aggregateScores.length)
                throw new IllegalArgumentException("candidate " + c + " is on a front but has no aggregate score ("
                        + aggregateScores.length + " given)");
            if (Double.isNaN(aggregateScores[c]))
                throw new IllegalArgumentException("aggregate score of candidate " + c + " is NaN");
        }
        Integer[] order = firstAppearance.toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble(c -> aggregateScores[c])); // stable: ties by first appearance
        int[] alive = new int[members.size()];
        Map<Integer, List<Integer>> frontsOf = new LinkedHashMap<>();
        for (int f = 0; f < members.size(); f++) {
            alive[f] = members.get(f).length;
            for (int c : members.get(f))
                frontsOf.computeIfAbsent(c, k -> new ArrayList<>()).add(f);
        }
        BitSet removed = new BitSet();
        for (int c : order) {
            boolean coveredEverywhere = true;
            for (int f : frontsOf.get(c)) {
                if (alive[f] < 2) {
                    coveredEverywhere = false;
                    break;
                }
            }
            if (coveredEverywhere) {
                removed.set(c);
                for (int f : frontsOf.get(c)) alive[f]--;
            }
        }
        Map<Integer, Integer> frequency = new LinkedHashMap<>();
        for (int[] f : members) for (int c : f) if (!removed.get(c)) frequency.merge(c, 1, Integer::sum);
        return new FromScratchParetoFront(frequency);
    }

    /**
     * The selection of runs started before issue 11 (a candidate dropped only when another survivor is at least as
     * good on every example and better on one), kept so that such a run resumed after the upgrade replays the path
     * it took. New runs use {@link #of}.
     */
    public static FromScratchParetoFront byScoreDominance(double[][] scores) {
        int examples = validate(SCORE, scores, -1);
        int candidates = scores.length;
        List<BitSet> fronts = new ArrayList<>(examples);
        for (int e = 0; e < examples; e++) fronts.add(best(scores, e));
        BitSet onSomeFront = new BitSet(candidates);
        fronts.forEach(onSomeFront::or);
        BitSet survivors = (BitSet) onSomeFront.clone();
        Integer[] order = onSomeFront.stream().boxed().toArray(Integer[]::new);
        Arrays.sort(
                order,
                Comparator.comparingDouble((Integer c) -> mean(scores[c])).thenComparingInt(c -> c));
        for (int c : order) if (dominatedByScores(c, survivors, scores)) survivors.clear(c);
        Map<Integer, Integer> frequency = new LinkedHashMap<>();
        for (BitSet front : fronts) {
            for (int c = front.nextSetBit(0); c >= 0; c = front.nextSetBit(c + 1)) {
                if (survivors.get(c)) frequency.merge(c, 1, Integer::sum);
            }
        }
        return new FromScratchParetoFront(frequency);
    }

    private static boolean dominatedByScores(int c, BitSet survivors, double[][] scores) {
        for (int o = survivors.nextSetBit(0); o >= 0; o = survivors.nextSetBit(o + 1)) {
            if (o == c) continue;
            boolean atLeastAsGood = true;
            boolean better = false;
            for (int e = 0; e < scores[c].length; e++) {
                if (scores[o][e] < scores[c][e]) {
                    atLeastAsGood = false;
                    break;
                }
                if (scores[o][e] > scores[c][e]) better = true;
            }
            if (atLeastAsGood && better) return true;
        }
        return false;
    }

    /** Checks a matrix is non-empty, rectangular ({@code examples} columns unless -1) and finite; its columns. */
    private static int validate(String name, double[][] matrix, int examples) {
        if (matrix.length == 0) throw new IllegalArgumentException("no candidates");
        int width = examples < 0 ? matrix[0].length : examples;
        if (width == 0) throw new IllegalArgumentException("no validation examples");
        for (int c = 0; c < matrix.length; c++) {
            if (matrix[c].length != width)
                throw new IllegalArgumentException("ragged " + name + " matrix: candidate " + c + " has "
                        + matrix[c].length + " values, expected " + width + " (one per validation example)");
            for (int e = 0; e < width; e++) {
                if (!Double.isFinite(matrix[c][e]))
                    throw new IllegalArgumentException(name + " of candidate " + c + " on example " + e + " is "
                            + matrix[c][e] + ": every value on a front must be a finite number");
            }
        }
        return width;
    }

    /** Candidates with the highest value in column {@code e} (all of them on an exact tie). */
    private static BitSet best(double[][] values, int e) {
        double best = Double.NEGATIVE_INFINITY;
        for (double[] row : values) best = Math.max(best, row[e]);
        BitSet front = new BitSet(values.length);
        for (int c = 0; c < values.length; c++) if (values[c][e] == best) front.set(c);
        return front;
    }

    static double mean(double[] row) {
        double sum = 0;
        for (double v : row) sum += v;
        return row.length == 0 ? 0 : sum / row.length;
    }

    /** Candidates left on the fronts, with the number of fronts each remains on, in order of first appearance. */
    public Map<Integer, Integer> frequency() {
        return java.util.Collections.unmodifiableMap(frequency);
    }

    /** Samples a parent in proportion to the number of fronts it remains on. */
    public int sample(RandomGenerator random) {
        int total = 0;
        for (int f : frequency.values()) total += f;
        int pick = random.nextInt(total);
        for (var entry : frequency.entrySet()) {
            pick -= entry.getValue();
            if (pick < 0) return entry.getKey();
        }
        throw new IllegalStateException("unreachable");
    }
}
