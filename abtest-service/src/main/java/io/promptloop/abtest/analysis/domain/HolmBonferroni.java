package io.promptloop.abtest.analysis.domain;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * Holm–Bonferroni step-down adjustment of K p-values (K treatments against one baseline): controls the family-wise
 * error rate at α when each adjusted p-value is compared with α.
 *
 * <p>Source: S. Holm (1979), "A simple sequentially rejective multiple test procedure", Scand. J. Statist. 6:65;
 * as GrowthBook {@code shared/experiments.adjustPValuesHolmBonferroni}: sort ascending, p_(i)·(m − i) capped at 1,
 * then the running maximum.
 */
public final class HolmBonferroni {

    private HolmBonferroni() {}

    /** The adjusted p-values, in the order given. */
    public static double[] adjust(double[] pValues) {
        int m = pValues.length;
        for (double p : pValues) {
            if (!(p >= 0 && p <= 1)) {
                throw new IllegalArgumentException("p-values must be in [0, 1], got " + Arrays.toString(pValues));
            }
        }
        Integer[] order = IntStream.range(0, m).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble(i -> pValues[i]));
        double[] adjusted = new double[m];
        double running = 0;
        for (int rank = 0; rank < m; rank++) {
            int i = order[rank];
            running = Math.max(running, Math.min(1.0, pValues[i] * (m - rank)));
            adjusted[i] = running;
        }
        return adjusted;
    }
}
