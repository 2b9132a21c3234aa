package io.promptloop.abtest.analysis.domain;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * Business rule of a test of K treatments against one baseline (e.g. several Pareto-front candidates of one run):
 * each treatment is compared with the baseline by the two-arm rules of {@link Analyzer}, at the level Holm's
 * step-down gives it, so that the family-wise error over the K comparisons stays ≤ α at every look; the test stops
 * for the best arm that is significantly better with its guardrails intact.
 *
 * <p>Holm–Bonferroni (Holm 1979, Scand. J. Statist. 6:65; GrowthBook {@code adjustPValuesHolmBonferroni}) applied
 * to intervals: the arms are ordered by their nominal p-values; the arm of rank r (0-based) is tested at α/(K − r)
 * — its confidence sequence, or its alpha-spending boundaries, at that level — and counts as significant only when
 * every arm before it was. Under continuous peeking this keeps the family-wise error ≤ α: the first true null
 * rejected is tested at a level ≤ α/K₀ (K₀ true nulls), a confidence sequence (or a group-sequential boundary) at a
 * smaller level is wider (higher), so that null's sequence at α/K₀ excluded zero at some look, which happens with
 * probability ≤ α/K₀ for each of the K₀ nulls (the union bound over arms, the anytime validity over looks).
 * {@code SequentialFalsePositiveSimulationTest} measures it for K = 3.
 *
 * <p>With one treatment (K = 1) the result is exactly {@link Analyzer}'s.
 */
public final class MultiArmAnalyzer {

    static final String EVERY_ARM_OUT = "every treatment broke a guardrail";
    static final String EVERY_ARM_WORSE = "no treatment left that could beat the baseline";

    private MultiArmAnalyzer() {}

    /**
     * Analyses one look. Rules, first match wins:
     *
     * <ol>
     *   <li>SRM: Pearson χ² over all K + 1 arms against {@code weights} (gbstats {@code check_srm}), always reported;
     *   <li>every treatment broke a guardrail → STOP_SAFETY, the baseline (an arm that broke one is out of the
     *       running, the others go on);
     *   <li>SRM p &lt; srmThreshold → CONTINUE "srm", or STOP_FUTILITY at the maximum sample;
     *   <li>treatments significantly better after Holm → STOP_EFFICACY for the best of them (largest effect in the
     *       metric's direction);
     *   <li>no treatment open (each worse or out) → STOP_EFFICACY for the baseline;
     *   <li>every arm at the maximum sample (fixed: information fraction 1) → STOP_FUTILITY; else CONTINUE.
     * </ol>
     *
     * @param arms statistics per arm, the baseline first, then treatments 1..K (1 ≤ K ≤ 8)
     * @param weights traffic weight per arm, same order, each &gt; 0
     * @param previousLookFractions fixed design: see {@link Analyzer#analyze}
     */
    public static MultiArmAnalysis analyze(
            TestDesign design, List<VariantStats> arms, double[] weights, double[] previousLookFractions) {
        if (arms == null || weights == null || arms.size() < 2 || arms.size() > 9 || arms.size() != weights.length) {
            throw new IllegalArgumentException("need the baseline and 1..8 treatments, each with a weight");
        }
        for (double w : weights) {
            if (!(w > 0) || !Double.isFinite(w)) {
                throw new IllegalArgumentException("arm weights must be > 0, got " + Arrays.toString(weights));
            }
        }
        int k = arms.size() - 1;
        if (k > 1 && design.method() == Method.BAYESIAN) {
            throw new IllegalArgumentException("a multi-arm test is sequential or fixed, not bayesian");
        }
        VariantStats baseline = arms.get(0);
        if (k == 1) {
            return single(design, baseline, arms.get(1), previousLookFractions);
        }
        long[] counts = arms.stream().mapToLong(VariantStats::n).toArray();
        SrmResult srm = SampleRatioMismatch.check(counts, weights);
        double alpha = design.alpha();

        Analysis[] nominal = new Analysis[k];
        double[] p = new double[k];
        for (int i = 0; i < k; i++) {
            nominal[i] = Analyzer.analyze(
                    pair(design, weights, i + 1, alpha), baseline, arms.get(i + 1), previousLookFractions);
            p[i] = nominal[i].pValue() == null ? 1.0 : nominal[i].pValue();
        }
        double[] adjusted = HolmBonferroni.adjust(p);
        Integer[] order = IntStream.range(0, k).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.<Integer>comparingDouble(i -> p[i]).thenComparingInt(i -> i));

        ArmResult[] results = new ArmResult[k];
        boolean stepping = true;
        for (int rank = 0; rank < k; rank++) {
            int i = order[rank];
            double level = alpha / (k - rank);
            Analysis a = Analyzer.analyze(
                    pair(design, weights, i + 1, level), baseline, arms.get(i + 1), previousLookFractions);
            ArmState state;
            if (a.decision() == Decision.STOP_SAFETY) {
                state = ArmState.GUARDRAIL_BROKEN;
            } else if (stepping && a.decision() == Decision.STOP_EFFICACY) {
                state = a.winner() == Winner.TREATMENT ? ArmState.BETTER : ArmState.WORSE;
            } else {
                state = ArmState.OPEN;
            }
            // Holm stops at the first arm it cannot reject; a broken guardrail is no rejection of the null
            if (state != ArmState.BETTER && state != ArmState.WORSE) stepping = false;
            results[i] = new ArmResult(i + 1, a, p[i], adjusted[i], level, state);
        }
        List<ArmResult> list = List.of(results);

        Double fraction = null;
        long minN = Arrays.stream(counts).min().orElse(0);
        if (design.method() == Method.FIXED
                && list.stream().anyMatch(r -> r.analysis().informationFraction() != null)) {
            fraction = Math.min(1.0, (double) minN / design.maxSamplePerVariant());
        }
        boolean atMaximum = design.method() == Method.FIXED
                ? fraction != null && fraction >= 1.0
                : design.maxSamplePerVariant() != null && minN >= design.maxSamplePerVariant();

        Decision decision;
        Integer winner = null;
        String reason;
        List<ArmResult> better =
                list.stream().filter(r -> r.state() == ArmState.BETTER).toList();
        if (list.stream().allMatch(r -> r.state() == ArmState.GUARDRAIL_BROKEN)) {
            decision = Decision.STOP_SAFETY;
            winner = 0;
            reason = EVERY_ARM_OUT;
        } else if (srm.blocksDecision(design.srmThreshold())) {
            decision = atMaximum ? Decision.STOP_FUTILITY : Decision.CONTINUE;
            reason = atMaximum ? Analyzer.SRM_AT_MAXIMUM : Analyzer.SRM;
        } else if (!better.isEmpty()) {
            boolean higher = design.metric().higherIsBetter();
            ArmResult best = better.stream()
                    .max(Comparator.comparingDouble(
                            r -> (higher ? 1 : -1) * r.analysis().estimate().effect()))
                    .orElseThrow();
            decision = Decision.STOP_EFFICACY;
            winner = best.arm();
            reason = String.format(
                    Locale.ROOT,
                    "arm %d better (%d of %d significant after Holm): %s",
                    best.arm(),
                    better.size(),
                    k,
                    best.analysis().reason());
        } else if (list.stream().noneMatch(r -> r.state() == ArmState.OPEN)) {
            decision = Decision.STOP_EFFICACY;
            winner = 0;
            reason = EVERY_ARM_WORSE;
        } else if (atMaximum) {
            decision = Decision.STOP_FUTILITY;
            reason = Analyzer.NO_DIFFERENCE_AT_MAXIMUM;
        } else {
            decision = Decision.CONTINUE;
            Set<String> reasons = new LinkedHashSet<>();
            for (ArmResult r : list) {
                if (r.state() == ArmState.OPEN) reasons.add(r.analysis().reason());
            }
            reason = String.join("; ", reasons);
        }
        return build(design, decision, winner, reason, srm, list, fraction);
    }

    /** K = 1: the two-arm analysis as it is, with its state. */
    private static MultiArmAnalysis single(
            TestDesign design, VariantStats baseline, VariantStats treatment, double[] previous) {
        Analysis a = Analyzer.analyze(design, baseline, treatment, previous);
        ArmState state = a.decision() == Decision.STOP_SAFETY
                ? ArmState.GUARDRAIL_BROKEN
                : a.decision() == Decision.STOP_EFFICACY
                        ? (a.winner() == Winner.TREATMENT ? ArmState.BETTER : ArmState.WORSE)
                        : ArmState.OPEN;
        double p = a.pValue() == null ? 1.0 : a.pValue();
        ArmResult r = new ArmResult(1, a, p, p, design.alpha(), state);
        Integer winner = a.winner() == null ? null : a.winner() == Winner.TREATMENT ? 1 : 0;
        return new MultiArmAnalysis(a.decision(), winner, a.reason(), a.srm(), List.of(r), a.informationFraction(), a);
    }

    private static MultiArmAnalysis build(
            TestDesign design,
            Decision decision,
            Integer winner,
            String reason,
            SrmResult srm,
            List<ArmResult> arms,
            Double fraction) {
        ArmResult lead = winner != null && winner > 0 ? arms.get(winner - 1) : leadOf(arms);
        Analysis a = lead.analysis();
        Winner w = winner == null ? null : winner == 0 ? Winner.BASELINE : Winner.TREATMENT;
        Analysis summary = new Analysis(
                decision,
                w,
                reason,
                a.estimate(),
                a.interval(),
                a.pValue(),
                a.chanceToWin(),
                srm,
                a.guardrails(),
                fraction,
                a.adjustedAlpha(),
                a.boundary());
        return new MultiArmAnalysis(decision, winner, reason, srm, arms, fraction, summary);
    }

    private static ArmResult leadOf(List<ArmResult> arms) {
        List<ArmResult> sorted = new ArrayList<>(arms);
        sorted.sort(Comparator.comparingDouble(ArmResult::pValue).thenComparingInt(ArmResult::arm));
        return sorted.get(0);
    }

    /** Treatment arm {@code arm} against the baseline: its pair's split w_arm / (w_0 + w_arm), at {@code level}. */
    private static TestDesign pair(TestDesign design, double[] weights, int arm, double level) {
        return design.forArm(level, weights[arm] / (weights[0] + weights[arm]));
    }
}
