package io.promptloop.abtest.analysis.domain;

/** Bayesian probability that the treatment is better than the control. */
public final class ChanceToWin {

    private ChanceToWin() {}

    /**
     * P(lift &gt; 0 | data) = Φ(lift/√var) under a normal likelihood for the relative lift and GrowthBook's flat
     * (improper) prior, whose posterior is N(lift, var); for lower-is-better metrics P(lift &lt; 0). Source: gbstats
     * {@code bayesian.tests.EffectBayesianABTest} with {@code GaussianPrior(proper=False)}, {@code chance_to_win =
     * norm.sf(0, mean, sd)} (1 − that when {@code inverse}).
     */
    public static double of(Estimate e, boolean higherIsBetter) {
        double z = e.effect() / e.standardError();
        return Distributions.normalCdf(higherIsBetter ? z : -z);
    }
}
