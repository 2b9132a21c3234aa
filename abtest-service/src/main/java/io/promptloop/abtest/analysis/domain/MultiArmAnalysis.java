package io.promptloop.abtest.analysis.domain;

import java.util.List;

/**
 * The result of analysing a test of K treatments against one baseline at one look.
 *
 * @param decision what to do with the test
 * @param winnerArm the arm to keep (0 = baseline) for {@link Decision#STOP_EFFICACY} and {@link Decision#STOP_SAFETY},
 *     null otherwise
 * @param reason short human-readable reason
 * @param srm Pearson χ² over the K + 1 arms against their weights
 * @param arms each treatment arm against the baseline, in arm order (arm 1 first)
 * @param informationFraction fixed design: min over all arms of n / maxSample at this look, when an arm's analysis
 *     used an alpha-spending boundary; else null
 * @param summary the look as one two-arm {@link Analysis} for the test-level row: the decision, the K-arm SRM and
 *     the lead arm's estimate and interval (the winner, else the arm with the smallest p-value)
 */
public record MultiArmAnalysis(
        Decision decision,
        Integer winnerArm,
        String reason,
        SrmResult srm,
        List<ArmResult> arms,
        Double informationFraction,
        Analysis summary) {

    public MultiArmAnalysis {
        if (decision == null || reason == null || srm == null || arms == null || arms.isEmpty() || summary == null) {
            throw new IllegalArgumentException("decision, reason, srm, arms and summary are required");
        }
        boolean needsWinner = decision == Decision.STOP_EFFICACY || decision == Decision.STOP_SAFETY;
        if (needsWinner != (winnerArm != null)) {
            throw new IllegalArgumentException("a winner goes with stop_efficacy and stop_safety only");
        }
        arms = List.copyOf(arms);
    }

    /** The arm the test-level row describes: the winning treatment, else the one with the smallest p-value. */
    public ArmResult lead() {
        if (winnerArm != null && winnerArm > 0) return arms.get(winnerArm - 1);
        ArmResult best = arms.get(0);
        for (ArmResult a : arms) if (a.pValue() < best.pValue()) best = a;
        return best;
    }
}
