package io.promptloop.abtest.analysis.domain;

import static io.promptloop.abtest.analysis.domain.GbstatsFixtures.FIVE_DECIMALS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/**
 * CUPED against GrowthBook gbstats (growthbook/growthbook, packages/stats, gbstats 0.8.0): its own unit tests
 * (tests/test_shared_models.py TestComputeTheta, tests/frequentist/test_tests.py
 * TestSequentialTTest.test_sequential_test_runs_ra, tests/test_gbstats.py TestAnalyzeMetricDfRegressionAdjustment;
 * 5 decimals), and for the figures those tests do not check, values computed by running gbstats 0.8.0's
 * {@code RegressionAdjustedStatistic} with {@code TwoSidedTTest} / {@code SequentialTwoSidedTTest} on the same sums
 * (Python 3.11, numpy 2.4.6, scipy 1.17.1; compared to 1e-8).
 */
class CupedTest {

    /** gbstats' {@code RegressionAdjustedStatistic(post=SampleMean, pre=SampleMean, post_pre_sum_of_products)}. */
    private static CoMoments means(
            long n, double postSum, double postSumSq, double preSum, double preSumSq, double sumOfProducts) {
        return CoMoments.fromSums(n, preSum, preSumSq, postSum, postSumSq, sumOfProducts);
    }

    /** The same with {@code ProportionStatistic}s: 0/1 values, so Σx² = Σx. */
    private static CoMoments proportions(long n, double postSum, double preSum, double sumOfProducts) {
        return CoMoments.fromSums(n, preSum, preSum, postSum, postSum, sumOfProducts);
    }

    // test_gbstats.py RA_STATISTICS_DF: variation "zero" (control) and "one" (treatment)
    private static final CoMoments RA_CONTROL = means(3001, 300, 600, 210, 415, -20);
    private static final CoMoments RA_TREATMENT = means(3000, 222, 555, 120, 405, -10);

    @Test
    void shouldPoolThetaOverBothArmsAsGrowthBook() {
        // TestComputeTheta.test_returns_0_no_variance: pre METRIC_1, post METRIC_3 in both arms → theta 0.01864
        double[] pre = {0.3, 0.5, 0.9, 22};
        double[] post = {2, 1, 5, 3};
        CoMoments arm = CoMoments.EMPTY;
        for (int i = 0; i < pre.length; i++) arm = arm.add(pre[i], post[i]);

        assertThat(Cuped.theta(arm, arm)).isCloseTo(0.01864, within(FIVE_DECIMALS));
        // ... and 0 when the covariate has no spread (the second half of that test)
        CoMoments noCovariate = means(4, 11, 39, 0, 0, 0);
        assertThat(Cuped.theta(noCovariate, noCovariate)).isZero();
    }

    @Test
    void shouldMatchGrowthBookSequentialRegressionAdjustedTest() {
        // test_sequential_test_runs_ra: expected 0.50338, ci (-0.50969, 1.51646), stddev 0.33341 (N* 5000, α 0.05)
        CoMoments a = means(3000, 1396.87, 52377.9767, 16.87, 527.9767, 1);
        CoMoments b = means(3461, 2422.7, 134698.29, 22.7, 1348.29, 1);

        Estimate e = Cuped.tryOf(EffectType.RELATIVE, false, a, b).orElseThrow();
        Interval ci = ConfidenceSequence.interval(e, 0.05, 5000);

        assertThat(e.effect()).isCloseTo(0.50338, within(FIVE_DECIMALS));
        assertThat(e.standardError()).isCloseTo(0.33341, within(FIVE_DECIMALS));
        assertThat(ci.lower()).isCloseTo(-0.50969, within(FIVE_DECIMALS));
        assertThat(ci.upper()).isCloseTo(1.51646, within(FIVE_DECIMALS));
        // the reported means are the unadjusted ones, as gbstats' cr
        assertThat(e.controlMean()).isCloseTo(1396.87 / 3000, within(1e-12));
    }

    @Test
    void shouldMatchGrowthBookRegressionAdjustedTTest() {
        // test_analyze_metric_df_ra: expected -0.281707154, p 0.003732549; gbstats 0.8.0 run: theta -0.073211940,
        // ci (-0.472067646, -0.091346662), stddev 0.097104876
        assertThat(Cuped.theta(RA_CONTROL, RA_TREATMENT)).isCloseTo(-0.0732119403, within(1e-9));
        Estimate e = Cuped.tryOf(EffectType.RELATIVE, false, RA_CONTROL, RA_TREATMENT)
                .orElseThrow();

        assertThat(e.effect()).isCloseTo(-0.281707154, within(FIVE_DECIMALS));
        assertThat(FixedHorizon.pValue(e)).isCloseTo(0.003732549, within(FIVE_DECIMALS));
        assertThat(e.standardError()).isCloseTo(0.097104876, within(1e-8));
        Interval ci = FixedHorizon.interval(e, 0.05);
        assertThat(ci.lower()).isCloseTo(-0.472067646, within(1e-8));
        assertThat(ci.upper()).isCloseTo(-0.091346662, within(1e-8));
        // SequentialTwoSidedTTest (N* 5000): ci (-0.576582479, 0.013168171)
        Interval sequential = ConfidenceSequence.interval(e, 0.05, 5000);
        assertThat(sequential.lower()).isCloseTo(-0.576582479, within(1e-8));
        assertThat(sequential.upper()).isCloseTo(0.013168171, within(1e-8));
    }

    @Test
    void shouldMatchGbstatsAbsoluteRegressionAdjustment() {
        // gbstats 0.8.0 run, TwoSidedTTest(difference_type="absolute"): expected -0.028161328, stddev 0.011075983,
        // p 0.011029369
        Estimate e = Cuped.tryOf(EffectType.ABSOLUTE, false, RA_CONTROL, RA_TREATMENT)
                .orElseThrow();

        assertThat(e.effect()).isCloseTo(-0.028161328, within(1e-8));
        assertThat(e.standardError()).isCloseTo(0.011075983, within(1e-8));
        assertThat(FixedHorizon.pValue(e)).isCloseTo(0.011029369, within(1e-8));
    }

    @Test
    void shouldMatchGrowthBookRegressionAdjustedProportions() {
        // test_analyze_metric_df_ra_proportion: binomial metric and covariate, expected -0.31620216, p 0.000000353;
        // gbstats 0.8.0 run: theta -0.188246421, stddev 0.062015549, p 3.52550685e-7
        CoMoments control = proportions(3001, 300, 210, -20);
        CoMoments treatment = proportions(3000, 222, 120, -10);

        assertThat(Cuped.theta(control, treatment)).isCloseTo(-0.188246421, within(1e-8));
        Estimate e = Cuped.tryOf(EffectType.RELATIVE, true, control, treatment).orElseThrow();
        assertThat(e.effect()).isCloseTo(-0.31620216, within(FIVE_DECIMALS));
        assertThat(e.standardError()).isCloseTo(0.062015549, within(1e-8));
        assertThat(FixedHorizon.pValue(e)).isCloseTo(3.52550685e-7, within(1e-13));
    }

    @Test
    void shouldFallBackToTheUnadjustedAnalysisWhenNoUnitHasACovariate() {
        // gbstats create_theta_adjusted_statistics: theta 0 → the post statistics. Covariates all 0 (the rule for
        // units without pre-exposure data) give exactly the unadjusted estimate.
        CoMoments control = CoMoments.EMPTY;
        CoMoments treatment = CoMoments.EMPTY;
        Moments scoresC = Moments.EMPTY;
        Moments scoresT = Moments.EMPTY;
        java.util.SplittableRandom random = new java.util.SplittableRandom(5);
        for (int i = 0; i < 200; i++) {
            double c = 0.6 + 0.2 * random.nextGaussian();
            double t = 0.65 + 0.2 * random.nextGaussian();
            control = control.add(0, c);
            treatment = treatment.add(0, t);
            scoresC = scoresC.add(c);
            scoresT = scoresT.add(t);
        }

        Estimate adjusted =
                Cuped.tryOf(EffectType.RELATIVE, false, control, treatment).orElseThrow();
        Estimate plain = EffectEstimator.of(scoresC.summary(), scoresT.summary());

        assertThat(Cuped.theta(control, treatment)).isZero();
        assertThat(adjusted.effect()).isCloseTo(plain.effect(), within(1e-12));
        assertThat(adjusted.variance()).isCloseTo(plain.variance(), within(1e-12));
    }

    @Test
    void shouldUseTheAdjustedEstimateInTheAnalyzerWhenTheDesignAsksForCuped() {
        VariantStats control = new VariantStats(
                3001, 0, RA_CONTROL.y(), Moments.EMPTY, LatencyDigest.empty(), RA_CONTROL, CoMoments.EMPTY);
        VariantStats treatment = new VariantStats(
                3000, 0, RA_TREATMENT.y(), Moments.EMPTY, LatencyDigest.empty(), RA_TREATMENT, CoMoments.EMPTY);
        TestDesign plain = TestDesign.sequential(Metric.SCORE, 100, null);

        Analysis unadjusted = Analyzer.analyze(plain, control, treatment, null);
        Analysis adjusted = Analyzer.analyze(plain.withCuped(true), control, treatment, null);

        assertThat(adjusted.estimate().effect()).isCloseTo(-0.281707154, within(FIVE_DECIMALS));
        assertThat(unadjusted.estimate().effect())
                .isCloseTo((222.0 / 3000 - 300.0 / 3001) / (300.0 / 3001), within(1e-12));
        assertThat(plain.withCuped(true).cuped()).isTrue();
        assertThat(plain.withCuped(true).bayesian(null).cuped()).isTrue();
    }

    @Test
    void shouldNotEstimateBelowTwoUnitsOrWithAZeroControlMean() {
        CoMoments one = CoMoments.EMPTY.add(1, 2);
        assertThat(Cuped.whyNot(EffectType.RELATIVE, false, one, RA_TREATMENT))
                .contains(EffectEstimator.NOT_ENOUGH_DATA);
        // control metric all 0 with a covariate: adjusted variance > 0 only through θ, unadjusted mean 0
        CoMoments zeroMetric = means(100, 0, 0, 50, 40, 0);
        assertThat(Cuped.whyNot(EffectType.RELATIVE, false, zeroMetric, RA_TREATMENT))
                .isPresent();
        assertThat(Cuped.tryOf(EffectType.RELATIVE, false, zeroMetric, RA_TREATMENT))
                .isEmpty();
    }

    @Test
    void shouldFillInUnitsWithoutACovariateWithThePooledMeanOfTheCovariatesSent() {
        // 30 % of the units sent no covariate. The stored pairs hold only the others; the analysis must equal CUPED
        // on every unit with the missing covariates set to the mean of the sent ones (computed here from raw data).
        java.util.SplittableRandom random = new java.util.SplittableRandom(8);
        double[][] x = new double[2][500];
        double[][] y = new double[2][500];
        boolean[][] sent = new boolean[2][500];
        double sentSum = 0;
        int sentN = 0;
        for (int arm = 0; arm < 2; arm++) {
            for (int i = 0; i < 500; i++) {
                x[arm][i] = 0.6 + 0.15 * random.nextGaussian();
                y[arm][i] = 0.6 + 0.8 * (x[arm][i] - 0.6) + 0.09 * random.nextGaussian() + 0.02 * arm;
                sent[arm][i] = random.nextDouble() >= 0.3;
                if (sent[arm][i]) {
                    sentSum += x[arm][i];
                    sentN++;
                }
            }
        }
        double fill = sentSum / sentN;
        VariantStats[] stored = new VariantStats[2];
        CoMoments[] complete = new CoMoments[2];
        for (int arm = 0; arm < 2; arm++) {
            Moments scores = Moments.EMPTY;
            CoMoments pairs = CoMoments.EMPTY;
            CoMoments all = CoMoments.EMPTY;
            for (int i = 0; i < 500; i++) {
                scores = scores.add(y[arm][i]);
                if (sent[arm][i]) pairs = pairs.add(x[arm][i], y[arm][i]);
                all = all.add(sent[arm][i] ? x[arm][i] : fill, y[arm][i]);
            }
            stored[arm] = new VariantStats(500, 500, scores, Moments.EMPTY, LatencyDigest.empty(), pairs, null);
            complete[arm] = all;
        }
        TestDesign cuped = TestDesign.sequential(Metric.SCORE, 100, null).withCuped(true);

        Estimate viaStore = Analyzer.estimate(cuped, stored[0], stored[1]).orElseThrow();
        Estimate direct = Cuped.tryOf(EffectType.RELATIVE, false, complete[0], complete[1])
                .orElseThrow();

        assertThat(Analyzer.cupedTheta(Metric.SCORE, stored[0], stored[1]))
                .isCloseTo(Cuped.theta(complete[0], complete[1]), within(1e-9))
                .isBetween(0.7, 0.9);
        assertThat(viaStore.effect()).isCloseTo(direct.effect(), within(1e-9));
        assertThat(viaStore.variance()).isCloseTo(direct.variance(), within(1e-12));
    }

    @Test
    void shouldAnalyseLikeTheUnadjustedTestWhenNoObservationCarriedACovariate() {
        VariantStats control =
                new VariantStats(3001, 0, RA_CONTROL.y(), Moments.EMPTY, LatencyDigest.empty(), null, null);
        VariantStats treatment =
                new VariantStats(3000, 0, RA_TREATMENT.y(), Moments.EMPTY, LatencyDigest.empty(), null, null);
        TestDesign plain = TestDesign.sequential(Metric.SCORE, 100, null);

        Estimate adjusted =
                Analyzer.estimate(plain.withCuped(true), control, treatment).orElseThrow();
        Estimate unadjusted = Analyzer.estimate(plain, control, treatment).orElseThrow();

        assertThat(adjusted.effect()).isCloseTo(unadjusted.effect(), within(1e-12));
        assertThat(adjusted.variance()).isCloseTo(unadjusted.variance(), within(1e-15));
    }

    @Test
    void shouldTakeASubSampleOutOfMomentsExactly() {
        Moments whole = Moments.of(0.3, 0.5, 0.9, 22, 2, 1, 5, 3);
        Moments part = Moments.of(0.3, 0.5, 0.9);
        Moments rest = whole.minus(part);

        Moments expected = Moments.of(22, 2, 1, 5, 3);
        assertThat(rest.n()).isEqualTo(5);
        assertThat(rest.mean()).isCloseTo(expected.mean(), within(1e-12));
        assertThat(rest.m2()).isCloseTo(expected.m2(), within(1e-9));
        assertThat(whole.minus(whole)).isEqualTo(Moments.EMPTY);
    }
}
