package io.promptloop.abtest.analysis.domain;

/**
 * The result of analysing a test at one look.
 *
 * @param decision what to do
 * @param winner the arm to keep; set for {@link Decision#STOP_EFFICACY} and {@link Decision#STOP_SAFETY}
 *     (baseline), null otherwise
 * @param reason short human-readable reason ("not enough data", "srm", "srm at maximum sample", ...)
 * @param estimate relative lift of the primary metric; null when not estimable
 * @param interval the interval the decision used (confidence sequence, or alpha-spending interval); null when the
 *     analysis stopped before computing it
 * @param pValue sequential: anytime-valid p-value; fixed: nominal Welch p-value; null when not estimable
 * @param chanceToWin Bayesian probability the treatment is better; null when not estimable
 * @param srm sample ratio mismatch check
 * @param guardrails guardrail check
 * @param informationFraction fixed only: min(n_c, n_t)/maxSample at this look, set only when the look used an
 *     alpha-spending boundary (record exactly these fractions as the previous looks of later analyses)
 * @param adjustedAlpha fixed: cumulative alpha spent up to this look, α(t); sequential: alpha
 * @param boundary fixed: two-sided z critical value of this look (may be +∞ for a look too early to stop)
 * @param bayesian Bayesian design: the posterior (credible interval, chance to win, risks); null otherwise
 */
public record Analysis(
        Decision decision,
        Winner winner,
        String reason,
        Estimate estimate,
        Interval interval,
        Double pValue,
        Double chanceToWin,
        SrmResult srm,
        GuardrailResult guardrails,
        Double informationFraction,
        Double adjustedAlpha,
        Double boundary,
        BayesianEffect bayesian) {

    /** An analysis without a Bayesian posterior (sequential and fixed designs). */
    public Analysis(
            Decision decision,
            Winner winner,
            String reason,
            Estimate estimate,
            Interval interval,
            Double pValue,
            Double chanceToWin,
            SrmResult srm,
            GuardrailResult guardrails,
            Double informationFraction,
            Double adjustedAlpha,
            Double boundary) {
        this(
                decision,
                winner,
                reason,
                estimate,
                interval,
                pValue,
                chanceToWin,
                srm,
                guardrails,
                informationFraction,
                adjustedAlpha,
                boundary,
                null);
    }

    public Analysis {
        if (decision == null || reason == null || srm == null || guardrails == null) {
            throw new IllegalArgumentException("decision, reason, srm and guardrails are required");
        }
        boolean needsWinner = decision == Decision.STOP_EFFICACY || decision == Decision.STOP_SAFETY;
        if (needsWinner != (winner != null)) {
            throw new IllegalArgumentException("a winner goes with stop_efficacy and stop_safety only, got " + decision
                    + " with winner " + winner);
        }
    }
}
