package io.promptloop.abtest.analysis.domain;

import static io.promptloop.abtest.analysis.domain.GbstatsFixtures.FIVE_DECIMALS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/**
 * Ratio metrics by the delta method against GrowthBook gbstats (growthbook/growthbook, packages/stats, gbstats 0.8.0):
 * its own unit tests where they exist (tests/test_gbstats.py, tests/test_shared_models.py; 5 decimals), and for the
 * rest values computed by running gbstats 0.8.0's {@code RatioStatistic} with {@code TwoSidedTTest} / {@code
 * SequentialTwoSidedTTest} on the same sums (Python 3.11, numpy 2.4.6, scipy 1.17.1; 9 decimals shown, compared to 1e-8).
 */
class RatioTest {

    /** gbstats' {@code RatioStatistic} from its raw-sum inputs, exactly as gbstats computes them (no clamping). */
    private static SampleSummary gbstatsRatio(
            long n, double mSum, double mSumSq, double dSum, double dSumSq, double sop) {
        double varM = (mSumSq - mSum * mSum / n) / (n - 1);
        double varD = (dSumSq - dSum * dSum / n) / (n - 1);
        double cov = (sop - mSum * dSum / n) / (n - 1);
        return Ratio.summary(n, mSum / n, varM, dSum / n, varD, cov);
    }

    @Test
    void shouldMatchGrowthBookFrequentistRatioTest() {
        // test_gbstats.py TestAnalyzeMetricDfFrequentist.test_get_metric_dfs_frequentist_ratio on RATIO_STATISTICS_DF:
        // cr 0.529411765 (control "zero") and 0.6 (treatment "one"), expected 0.133333333, p 0.610663339
        SampleSummary control = gbstatsRatio(100, 270, 848.79, 510, 810, -900);
        SampleSummary treatment = gbstatsRatio(120, 300, 869, 500, 800, -905);

        assertThat(control.mean()).isCloseTo(0.529411765, within(FIVE_DECIMALS));
        assertThat(treatment.mean()).isCloseTo(0.6, within(FIVE_DECIMALS));
        Estimate e = EffectEstimator.of(control, treatment);
        assertThat(e.effect()).isCloseTo(0.133333333, within(FIVE_DECIMALS));
        assertThat(FixedHorizon.pValue(e)).isCloseTo(0.610663339, within(FIVE_DECIMALS));
        // gbstats 0.8.0 run: ci (-0.382075817, 0.648742484), stddev 0.261508038
        Interval ci = FixedHorizon.interval(e, 0.05);
        assertThat(ci.lower()).isCloseTo(-0.382075817, within(1e-8));
        assertThat(ci.upper()).isCloseTo(0.648742484, within(1e-8));
        assertThat(e.standardError()).isCloseTo(0.261508038, within(1e-8));
    }

    @Test
    void shouldMatchGbstatsFromStoredCoMomentsRelativeAbsoluteAndSequential() {
        // the post-period parts of test_gbstats.py RATIO_RA_STATISTICS_DF (a consistent sample), as promptloop stores
        // them: co-moments of (numerator, denominator). gbstats' test checks cr 0.713495487 and 0.729754963.
        CoMoments control = CoMoments.fromSums(
                100, 485.112236689623, 2715.484666118136, 679.9093275844917, 4939.424001640236, 3602.146836776702);
        CoMoments treatment = CoMoments.fromSums(
                100, 514.7757826608777, 2994.897482705013, 705.4090874383759, 5291.36604146392, 3918.1561431600717);
        SampleSummary c = Ratio.summary(control);
        SampleSummary t = Ratio.summary(treatment);

        assertThat(c.mean()).isCloseTo(0.713495487, within(FIVE_DECIMALS));
        assertThat(t.mean()).isCloseTo(0.729754963, within(FIVE_DECIMALS));
        // gbstats 0.8.0 run: RatioStatistic.variance 0.019620702937 and 0.019119165724
        assertThat(c.variance()).isCloseTo(0.019620702937, within(1e-10));
        assertThat(t.variance()).isCloseTo(0.019119165724, within(1e-10));

        Estimate relative = EffectEstimator.tryOf(EffectType.RELATIVE, c, t).orElseThrow();
        // TwoSidedTTest: expected 0.022788478, ci (-0.032242902, 0.077819859), p 0.415131381
        assertThat(relative.effect()).isCloseTo(0.022788478, within(1e-8));
        assertThat(FixedHorizon.pValue(relative)).isCloseTo(0.415131381, within(1e-8));
        assertThat(FixedHorizon.interval(relative, 0.05).lower()).isCloseTo(-0.032242902, within(1e-8));
        // SequentialTwoSidedTTest (N* 5000): ci (-0.119531533, 0.165108489)
        Interval sequential = ConfidenceSequence.interval(relative, 0.05, 5000);
        assertThat(sequential.lower()).isCloseTo(-0.119531533, within(1e-8));
        assertThat(sequential.upper()).isCloseTo(0.165108489, within(1e-8));

        Estimate absolute = EffectEstimator.tryOf(EffectType.ABSOLUTE, c, t).orElseThrow();
        // TwoSidedTTest absolute: expected 0.016259476, stddev 0.019682446, p 0.409747377
        assertThat(absolute.effect()).isCloseTo(0.016259476, within(1e-8));
        assertThat(absolute.standardError()).isCloseTo(0.019682446, within(1e-8));
        assertThat(FixedHorizon.pValue(absolute)).isCloseTo(0.409747377, within(1e-8));
    }

    @Test
    void shouldDecideNothingWhenADenominatorSumsToZero() {
        // test_shared_models.py test_ratio_denom_zero: variance 0; test_gbstats.py ratio_zero_denom: cr 0, p 1
        SampleSummary zero = Ratio.summary(4, 5.925, 114.9, 0.0, 2.9, 2.1);
        assertThat(zero.mean()).isZero();
        assertThat(zero.variance()).isZero();
        assertThat(EffectEstimator.whyNot(zero, zero)).contains(EffectEstimator.ZERO_VARIANCE);
    }

    @Test
    void shouldAnalyseARatioTestFromTheArmsPairs() {
        // 400 units per arm: numerator = resolved tasks, denominator = turns; the treatment resolves more per turn
        CoMoments control = CoMoments.EMPTY;
        CoMoments treatment = CoMoments.EMPTY;
        java.util.SplittableRandom random = new java.util.SplittableRandom(3);
        for (int i = 0; i < 400; i++) {
            int turnsC = 1 + random.nextInt(8);
            int turnsT = 1 + random.nextInt(8);
            control = control.add(binomial(random, turnsC, 0.5), turnsC);
            treatment = treatment.add(binomial(random, turnsT, 0.6), turnsT);
        }
        VariantStats c = new VariantStats(
                400, 400, Moments.EMPTY, Moments.EMPTY, LatencyDigest.empty(), CoMoments.EMPTY, control);
        VariantStats t = new VariantStats(
                400, 400, Moments.EMPTY, Moments.EMPTY, LatencyDigest.empty(), CoMoments.EMPTY, treatment);
        TestDesign design = TestDesign.sequential(Metric.RATIO, 100, null);

        Analysis a = Analyzer.analyze(design, c, t, null);

        assertThat(c.mean(Metric.RATIO)).isCloseTo(control.sumX() / control.sumY(), within(1e-12));
        assertThat(a.estimate().controlMean()).isCloseTo(c.mean(Metric.RATIO), within(1e-12));
        assertThat(a.decision()).isEqualTo(Decision.STOP_EFFICACY);
        assertThat(a.winner()).isEqualTo(Winner.TREATMENT);
        assertThat(a.estimate().effect()).isBetween(0.1, 0.3);
    }

    private static int binomial(java.util.SplittableRandom random, int n, double p) {
        int k = 0;
        for (int i = 0; i < n; i++) k += random.nextDouble() < p ? 1 : 0;
        return k;
    }
}
