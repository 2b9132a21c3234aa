package io.promptloop.abtest.analysis.domain;

/**
 * One treatment arm against the baseline at one look of a multi-arm test.
 *
 * @param arm 1-based index of the treatment arm (0 is the baseline)
 * @param analysis the pairwise analysis at the arm's Holm level {@code holmAlpha} (its interval is the one the
 *     decision used)
 * @param pValue the pairwise p-value at the nominal α (1 when not estimable): the key of Holm's order
 * @param adjustedPValue Holm–Bonferroni adjusted p-value over the K arms
 * @param holmAlpha α / (K − rank) of the arm's step in Holm's step-down order
 * @param state better, worse, open or out for a broken guardrail
 */
public record ArmResult(
        int arm, Analysis analysis, double pValue, double adjustedPValue, double holmAlpha, ArmState state) {

    public ArmResult {
        if (arm < 1 || analysis == null || state == null) {
            throw new IllegalArgumentException("an arm result needs its arm (>= 1), analysis and state");
        }
    }
}
