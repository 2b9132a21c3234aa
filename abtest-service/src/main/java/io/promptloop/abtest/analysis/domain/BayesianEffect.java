package io.promptloop.abtest.analysis.domain;

/**
 * Bayesian analysis of an effect: the normal posterior of the effect given the frequentist estimate as likelihood
 * and a normal prior, with its credible interval, chance to win and risk (expected loss of each choice).
 *
 * <p>Source: GrowthBook gbstats {@code bayesian.tests.EffectBayesianABTest.compute_result} and {@code get_risk}:
 * posterior precision 1/var + 1/τ², posterior mean (effect/var + μ₀/τ²)/precision (flat improper prior: the estimate
 * itself); a relative prior N(μ₀, τ²) is scaled to an absolute effect by |m_c| and m_c² as gbstats does.
 *
 * @param mean posterior mean of the effect
 * @param sd posterior standard deviation
 * @param credible equal-tailed (1 − α) credible interval, gbstats {@code gaussian_credible_interval}
 * @param chanceToWin posterior probability that the treatment is better in the metric's direction
 * @param riskControl expected loss of keeping the control: E[max(better-direction effect, 0)]
 * @param riskTreatment expected loss of shipping the treatment: E[max(−better-direction effect, 0)]
 */
public record BayesianEffect(
        double mean, double sd, Interval credible, double chanceToWin, double riskControl, double riskTreatment) {

    /** GrowthBook's default chance-to-win threshold ("confidence upper", 0.95; lower 0.05). */
    public static final double DEFAULT_CHANCE_TO_WIN_THRESHOLD = 0.95;

    /**
     * The posterior of the estimate's effect.
     *
     * @param prior informative prior on the relative effect, or null for gbstats' flat improper prior
     * @param alpha 1 − credibility of the interval, in (0, 1)
     * @param higherIsBetter the metric's direction (gbstats {@code inverse} is its negation)
     */
    public static BayesianEffect of(Estimate e, GaussianPrior prior, double alpha, boolean higherIsBetter) {
        FixedHorizon.requireAlpha(alpha);
        double dataMean = e.effect();
        double dataVariance = e.variance();
        double mean;
        double precision;
        if (prior == null) {
            mean = dataMean;
            precision = 1 / dataVariance;
        } else {
            double priorMean = prior.mean();
            double priorVariance = prior.variance();
            if (e.type() == EffectType.ABSOLUTE) {
                double mc = e.controlMean();
                priorMean *= Math.abs(mc);
                priorVariance *= mc * mc;
            }
            precision = 1 / dataVariance + 1 / priorVariance;
            mean = (dataMean / dataVariance + priorMean / priorVariance) / precision;
        }
        double sd = Math.sqrt(1 / precision);
        double zQuantile = Distributions.normalQuantile(1 - alpha / 2);
        Interval credible = new Interval(mean - zQuantile * sd, mean + zQuantile * sd);
        double z = mean / sd;
        // Φ(μ/σ) = P(effect > 0) = norm.sf(0, μ, σ)
        double chanceUp = Distributions.normalCdf(z);
        double chanceDown = Distributions.normalCdf(-z);
        // E[X·1{X>0}] = μΦ(μ/σ) + σφ(μ/σ) and −E[X·1{X<0}] = σφ(μ/σ) − μΦ(−μ/σ): gbstats' truncated-normal means
        // times their probabilities, in closed form
        double density = Distributions.normalPdf(z);
        double upside = mean * chanceUp + sd * density;
        double downside = sd * density - mean * chanceDown;
        return higherIsBetter
                ? new BayesianEffect(mean, sd, credible, chanceUp, Math.max(0, upside), Math.max(0, downside))
                : new BayesianEffect(mean, sd, credible, chanceDown, Math.max(0, downside), Math.max(0, upside));
    }

    /**
     * GrowthBook's Bayesian decision rule ({@code shared/experiments.getMetricResultStatus}): the treatment won when
     * its chance to win exceeds the threshold, lost when it is below 1 − threshold; else no decision.
     *
     * @return +1 treatment won, −1 treatment lost, 0 undecided
     */
    public int decision(double threshold) {
        if (chanceToWin > threshold) {
            return 1;
        }
        if (chanceToWin < 1 - threshold) {
            return -1;
        }
        return 0;
    }
}
