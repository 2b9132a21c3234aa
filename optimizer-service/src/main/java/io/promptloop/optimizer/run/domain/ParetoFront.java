package io.promptloop.optimizer.run.domain;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.random.RandomGenerator;

/**
 * The Pareto front of a run's candidates, as GEPA uses it to choose parents.
 *
 * <p>A front is kept per key of the run's {@link FrontierType}: per validation example, per objective (its mean),
 * both, or per (example, objective); the candidates that reach the best value under a key form that key's front
 * (exact ties all join). Then, exactly as the reference's {@code remove_dominated_programs}: the candidates on some
 * front are tested in ascending order of their mean validation score (ties in order of first appearance: fronts in
 * key order, members in ascending index), and a candidate is removed when every front that contains it also
 * contains another candidate not removed; the reference rescans from the start after each removal. The survivors
 * are sampled in proportion to the number of fronts they remain on ({@code select_program_candidate_from_pareto_front}).
 * Source: gepa-ai/gepa {@code src/gepa/gepa_utils.py} ({@code is_dominated}, {@code remove_dominated_programs},
 * {@code select_program_candidate_from_pareto_front}), {@code src/gepa/core/state.py}
 * ({@code _get_pareto_front_mapping}, {@code _update_pareto_front_for_val_id},
 * {@code _update_objective_pareto_front}, {@code _update_pareto_front_for_cartesian}); Agrawal et al., "GEPA:
 * Reflective Prompt Evolution Can Outperform Reinforcement Learning" (2025), Algorithm 2.
 *
 * <p>One scan in that order removes exactly what the rescanning reference removes: removing a candidate only
 * shrinks fronts, so a candidate that was not removable stays not removable, and the rescan's first removable
 * candidate is always the next removable one after the last removal.
 *
 * <p>Scores must be finite: the reference lets a NaN silently drop out of (or, on the seed, pin itself to) a front;
 * here a NaN or infinite value, a ragged matrix, or no examples are rejected with a message naming the candidate
 * and example.
 */
public final class ParetoFront {

    /** The main metric's name among the objectives. */
    public static final String SCORE = "score";

    private final Map<Integer, Integer> frequency; // candidate -> number of fronts it remains on

    private ParetoFront(Map<Integer, Integer> frequency) {
        this.frequency = frequency;
    }

    /** The instance front (per validation example) of a score matrix: GEPA's default. */
    public static ParetoFront of(double[][] scores) {
        return of(FrontierType.INSTANCE, scores, Map.of());
    }

    /**
     * @param scores {@code scores[c][e]}: main score of candidate c on validation example e; every row full
     * @param objectives further objectives by name, {@code objectives.get(name)[c][e]}, oriented so that higher is
     *     better, same shape as {@code scores}; the main score is always the objective {@value #SCORE}
     * @throws IllegalArgumentException on no candidates, no examples, ragged rows, or a value that is not finite
     */
    public static ParetoFront of(FrontierType type, double[][] scores, Map<String, double[][]> objectives) {
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
        IncrementalFront front = new IncrementalFront(type, examples);
        for (int c = 0; c < scores.length; c++) {
            Map<String, double[]> row = new LinkedHashMap<>();
            for (var metric : metrics.entrySet())
                if (!metric.getKey().equals(SCORE)) row.put(metric.getKey(), metric.getValue()[c]);
            front.add(scores[c], row);
        }
        return front.select();
    }

    /**
     * The reference's {@code remove_dominated_programs} and frequency count over given fronts, as its tests call it.
     *
     * @param fronts the fronts in key order (each a set of candidate indices; empty fronts are ignored)
     * @param aggregateScores mean validation score per candidate index (the order in which removal is tried)
     */
    public static ParetoFront ofFronts(List<? extends Collection<Integer>> fronts, double[] aggregateScores) {
        int[][] members = new int[fronts.size()][];
        int[] counts = new int[fronts.size()];
        int index = 0;
        for (Collection<Integer> f : fronts) {
            members[index] = f.stream().mapToInt(Integer::intValue).sorted().toArray();
            counts[index] = members[index].length;
            for (int c : members[index]) {
                if (c < 0 || c >= aggregateScores.length)
                    throw new IllegalArgumentException("candidate " + c + " is on a front but has no aggregate score ("
                            + aggregateScores.length + " given)");
                if (Double.isNaN(aggregateScores[c]))
                    throw new IllegalArgumentException("aggregate score of candidate " + c + " is NaN");
            }
            index++;
        }
        return prune(members, counts, aggregateScores, aggregateScores.length);
    }

    /**
     * The reference's {@code remove_dominated_programs} and frequency count: the candidates on some front, in
     * ascending aggregate order (ties by first appearance: fronts in key order, members ascending), each removed
     * when every front that holds it still holds another; one scan is enough (see the class comment). Then each
     * survivor with the number of fronts it is on, in order of first appearance.
     *
     * @param members per front in key order, its members ascending in {@code members[f][0..counts[f])}
     * @param aggregate mean validation score per candidate
     * @param candidates candidates are {@code 0..candidates-1}
     */
    static ParetoFront prune(int[][] members, int[] counts, double[] aggregate, int candidates) {
        boolean[] seen = new boolean[candidates];
        int[] appearance = new int[candidates];
        int[] memberships = new int[candidates];
        int onFronts = 0;
        for (int f = 0; f < members.length; f++) {
            for (int i = 0; i < counts[f]; i++) {
                int c = members[f][i];
                if (!seen[c]) {
                    seen[c] = true;
                    appearance[onFronts++] = c;
                }
                memberships[c]++;
            }
        }
        if (onFronts == 0) throw new IllegalArgumentException("no candidate is on any front");
        // the fronts of each candidate (compressed rows)
        int[] start = new int[candidates + 1];
        for (int c = 0; c < candidates; c++) start[c + 1] = start[c] + memberships[c];
        int[] next = Arrays.copyOf(start, candidates);
        int[] frontsOf = new int[start[candidates]];
        for (int f = 0; f < members.length; f++)
            for (int i = 0; i < counts[f]; i++) frontsOf[next[members[f][i]]++] = f;

        Integer[] order = new Integer[onFronts];
        for (int i = 0; i < onFronts; i++) order[i] = appearance[i];
        Arrays.sort(order, Comparator.comparingDouble(c -> aggregate[c])); // stable: ties by first appearance
        int[] alive = Arrays.copyOf(counts, counts.length);
        boolean[] removed = new boolean[candidates];
        for (int c : order) {
            boolean coveredEverywhere = true;
            for (int i = start[c]; i < start[c + 1]; i++) {
                if (alive[frontsOf[i]] < 2) {
                    coveredEverywhere = false;
                    break;
                }
            }
            if (coveredEverywhere) {
                removed[c] = true;
                for (int i = start[c]; i < start[c + 1]; i++) alive[frontsOf[i]]--;
            }
        }
        // a survivor's first appearance and its number of fronts are what they were before the removals
        Map<Integer, Integer> frequency = new LinkedHashMap<>();
        for (int i = 0; i < onFronts; i++) {
            int c = appearance[i];
            if (!removed[c]) frequency.put(c, memberships[c]);
        }
        return new ParetoFront(frequency);
    }

    /**
     * The selection of runs started before issue 11 (a candidate dropped only when another survivor is at least as
     * good on every example and better on one), kept so that such a run resumed after the upgrade replays the path
     * it took. New runs use {@link #of}.
     */
    public static ParetoFront byScoreDominance(double[][] scores) {
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
        return new ParetoFront(frequency);
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
