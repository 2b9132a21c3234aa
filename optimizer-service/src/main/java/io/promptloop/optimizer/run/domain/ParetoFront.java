package io.promptloop.optimizer.run.domain;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * The Pareto front of a per-example score matrix, as GEPA uses it to choose parents.
 *
 * <p>For every validation example the candidates that reach the best score on it form that example's
 * front. A candidate that sits on some front but is dominated — every front it is on also holds another
 * surviving candidate that is at least as good everywhere — is dropped; the survivors are sampled in
 * proportion to the number of examples on whose front they sit. Source: Agrawal et al., "GEPA: Reflective
 * Prompt Evolution Can Outperform Reinforcement Learning" (2025), Algorithm 2 "SelectCandidate", and the
 * reference implementation's {@code remove_dominated_programs} / {@code select_program_candidate_from_pareto_front}.
 */
public final class ParetoFront {

    private final Map<Integer, Integer> frequency; // candidate -> number of examples it is best on

    private ParetoFront(Map<Integer, Integer> frequency) {
        this.frequency = frequency;
    }

    /**
     * @param scores {@code scores[c][e]}: score of candidate c on validation example e; every candidate has a
     *     full row (accepted candidates are validated on the whole set)
     */
    public static ParetoFront of(double[][] scores) {
        int candidates = scores.length;
        if (candidates == 0) throw new IllegalArgumentException("no candidates");
        int examples = scores[0].length;
        // fronts[e] = candidates with the best score on example e
        List<BitSet> fronts = new ArrayList<>(examples);
        for (int e = 0; e < examples; e++) {
            double best = Double.NEGATIVE_INFINITY;
            for (double[] row : scores) best = Math.max(best, row[e]);
            BitSet front = new BitSet(candidates);
            for (int c = 0; c < candidates; c++) if (scores[c][e] == best) front.set(c);
            fronts.add(front);
        }
        BitSet onSomeFront = new BitSet(candidates);
        fronts.forEach(onSomeFront::or);
        BitSet survivors = (BitSet) onSomeFront.clone();
        // Try to drop candidates weakest first (by mean score, then by index), as the reference does.
        Integer[] order = onSomeFront.stream().boxed().toArray(Integer[]::new);
        Arrays.sort(
                order,
                Comparator.comparingDouble((Integer c) -> mean(scores[c])).thenComparingInt(c -> c));
        for (int c : order) {
            if (dominated(c, survivors, scores)) survivors.clear(c);
        }
        Map<Integer, Integer> frequency = new LinkedHashMap<>();
        for (BitSet front : fronts) {
            for (int c = front.nextSetBit(0); c >= 0; c = front.nextSetBit(c + 1)) {
                if (survivors.get(c)) frequency.merge(c, 1, Integer::sum);
            }
        }
        return new ParetoFront(frequency);
    }

    /** Whether another surviving candidate is at least as good as {@code c} everywhere and better somewhere. */
    private static boolean dominated(int c, BitSet survivors, double[][] scores) {
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

    static double mean(double[] row) {
        double sum = 0;
        for (double v : row) sum += v;
        return row.length == 0 ? 0 : sum / row.length;
    }

    /** Candidates on the front (after dropping dominated ones), with the number of examples each is best on. */
    public Map<Integer, Integer> frequency() {
        return Map.copyOf(frequency);
    }

    /** Samples a parent in proportion to the number of examples on whose front it sits. */
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
