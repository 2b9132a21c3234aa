package io.promptloop.abtest.analysis.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/**
 * Why the service tests sequentially: simulated A/A tests looked at after every batch, analysed by the production
 * {@link Analyzer}. The confidence sequence keeps the false-positive rate under α however often we look; a
 * fixed-horizon t-test checked at every look (peeking) does not. A/B tests with a known lift measure the power.
 */
class SequentialFalsePositiveSimulationTest {

    private static final double ALPHA = 0.05;
    private static final int LOOKS = 20;
    private static final int BATCH = 100; // observations per arm between two looks
    private static final double MEAN = 0.7;
    private static final double SD = 0.2;

    private static final TestDesign SEQUENTIAL = TestDesign.sequential(Metric.SCORE, BATCH, null);

    @Test
    void shouldKeepTheSequentialFalsePositiveRateBelowAlphaWhilePeekingDoesNot() {
        RandomGenerator random = new SplittableRandom(20_240_601L);
        int aaTests = 2_000;
        int sequentialFalsePositives = 0;
        int peekingFalsePositives = 0;
        for (int test = 0; test < aaTests; test++) {
            Outcome outcome = run(random, 0.0);
            sequentialFalsePositives += outcome.sequentialRejected ? 1 : 0;
            peekingFalsePositives += outcome.peekingRejected ? 1 : 0;
        }
        double sequentialFpr = (double) sequentialFalsePositives / aaTests;
        double peekingFpr = (double) peekingFalsePositives / aaTests;

        int abTests = 500;
        int detected = 0;
        long stopLooks = 0;
        for (int test = 0; test < abTests; test++) {
            Outcome outcome = run(random, 0.05);
            if (outcome.sequentialRejected) {
                detected++;
                stopLooks += outcome.sequentialStopLook;
            }
        }
        double power = (double) detected / abTests;
        double meanStopLook = detected == 0 ? Double.NaN : (double) stopLooks / detected;

        System.out.printf(
                Locale.ROOT,
                "A/A %d tests x %d looks (%d per arm per look, score N(%.1f, %.1f)): sequential FPR=%.4f,"
                        + " naive peeking t-test FPR=%.4f; A/B lift +5%%, %d tests: power=%.3f (sequential, N*=%.0f),"
                        + " winners stopped at look %.1f of %d on average%n",
                aaTests,
                LOOKS,
                BATCH,
                MEAN,
                SD,
                sequentialFpr,
                peekingFpr,
                abTests,
                power,
                SEQUENTIAL.nStar(),
                meanStopLook,
                LOOKS);

        assertThat(sequentialFpr).isLessThanOrEqualTo(ALPHA);
        assertThat(peekingFpr).isGreaterThan(ALPHA);
        assertThat(power).isGreaterThanOrEqualTo(0.8);
    }

    @Test
    void shouldKeepTheFixedDesignFalsePositiveRateNearAlpha() {
        // Alpha spending over 5 looks at 20%, 40%, ... of 1,000 per arm: the boundaries spend α exactly, so the
        // A/A rejection rate is α up to Monte Carlo error (±0.015 is about 3 standard errors for 2,000 tests).
        TestDesign fixed =
                new TestDesign(Method.FIXED, Metric.SCORE, ALPHA, 5000, 10, 1_000L, 5, 0.5, Guardrails.none(), 0.001);
        RandomGenerator random = new SplittableRandom(7L);
        int tests = 2_000;
        int rejected = 0;
        for (int test = 0; test < tests; test++) {
            VariantStats control = VariantStats.empty();
            VariantStats treatment = VariantStats.empty();
            double[] looks = new double[0];
            for (int look = 0; look < 5; look++) {
                control = control.plus(batch(random, 200, MEAN));
                treatment = treatment.plus(batch(random, 200, MEAN));
                Analysis analysis = Analyzer.analyze(fixed, control, treatment, looks);
                if (analysis.decision() == Decision.STOP_EFFICACY) {
                    rejected++;
                    break;
                }
                looks = append(looks, analysis.informationFraction());
            }
        }
        double fpr = (double) rejected / tests;

        System.out.printf(
                Locale.ROOT, "A/A %d tests, fixed design with 5 Lan-DeMets OBF looks: FPR=%.4f%n", tests, fpr);

        assertThat(fpr).isBetween(ALPHA - 0.015, ALPHA + 0.015);
    }

    @Test
    void shouldReportPowerAtTwoAndFivePercentLiftAndTheBayesianRuleUnderPeeking() {
        // Issue 11: power reported at +2 % as well as +5 % (20 looks of 100 per arm, score N(0.7, 0.2)), two-sided
        // and one-sided on the same simulated data; and what GrowthBook's Bayesian rule does when peeked at.
        TestDesign oneSided = SEQUENTIAL.with(EffectType.RELATIVE, Sidedness.ONE_SIDED);
        TestDesign bayesian = SEQUENTIAL.bayesian(null);
        int tests = 400;
        StringBuilder report = new StringBuilder();
        double[] twoSidedPower = new double[2];
        double[] oneSidedPower = new double[2];
        double[] lifts = {0.02, 0.05};
        for (int i = 0; i < lifts.length; i++) {
            twoSidedPower[i] = power(SEQUENTIAL, lifts[i], tests, 99L + i);
            oneSidedPower[i] = power(oneSided, lifts[i], tests, 99L + i);
            report.append(String.format(
                    Locale.ROOT,
                    " +%.0f%%: two-sided %.3f, one-sided %.3f;",
                    lifts[i] * 100,
                    twoSidedPower[i],
                    oneSidedPower[i]));
        }
        double bayesianAaRate = power(bayesian, 0.0, 1_000, 5L);
        double oneSidedAaRate = power(oneSided, 0.0, 1_000, 5L);
        System.out.printf(
                Locale.ROOT,
                "power of %d tests x %d looks x %d per arm (sequential, N*=5000):%s A/A rate of stopping under"
                        + " peeking: Bayesian chance-to-win rule %.4f, one-sided sequential %.4f%n",
                tests,
                LOOKS,
                BATCH,
                report,
                bayesianAaRate,
                oneSidedAaRate);

        assertThat(twoSidedPower[0]).isLessThan(twoSidedPower[1]);
        // same data: the one-sided bound is tighter on the tested side, so it finds at least what two-sided finds
        assertThat(oneSidedPower[0]).isGreaterThanOrEqualTo(twoSidedPower[0]);
        assertThat(oneSidedPower[1]).isGreaterThanOrEqualTo(twoSidedPower[1]);
        assertThat(oneSidedAaRate).isLessThanOrEqualTo(ALPHA);
        // GrowthBook's Bayesian rule is not error-controlled when looked at 20 times (as GrowthBook documents)
        assertThat(bayesianAaRate).isGreaterThan(ALPHA);
    }

    @Test
    void shouldKeepTheFalsePositiveRateWithCupedAndNarrowIntervalsByOneMinusRhoSquared() {
        // Issue 11: A/A tests where each unit brings a pre-exposure covariate correlated ρ = 0.7 with its score
        // (score N(0.7, 0.2) either way). CUPED must keep the error rates (sequential under peeking ≤ α; one fixed
        // look ≈ α) and shrink the variance of the effect by about 1 − ρ² = 0.51 (interval width by √0.51 = 0.71).
        double rho = 0.7;
        TestDesign cuped = SEQUENTIAL.withCuped(true);
        RandomGenerator random = new SplittableRandom(20_261_206L);
        int tests = 2_000;
        int sequentialRejections = 0;
        int fixedRejections = 0;
        double varianceRatioSum = 0;
        for (int test = 0; test < tests; test++) {
            VariantStats control = VariantStats.empty();
            VariantStats treatment = VariantStats.empty();
            boolean rejected = false;
            for (int look = 1; look <= LOOKS; look++) {
                control = control.plus(pairedBatch(random, BATCH, MEAN, rho));
                treatment = treatment.plus(pairedBatch(random, BATCH, MEAN, rho));
                rejected |= Analyzer.analyze(cuped, control, treatment, null).decision() == Decision.STOP_EFFICACY;
            }
            sequentialRejections += rejected ? 1 : 0;
            Estimate adjusted = Analyzer.estimate(cuped, control, treatment).orElseThrow();
            Estimate plain = Analyzer.estimate(SEQUENTIAL, control, treatment).orElseThrow();
            fixedRejections += FixedHorizon.pValue(adjusted) < ALPHA ? 1 : 0;
            varianceRatioSum += adjusted.variance() / plain.variance();
        }
        double sequentialFpr = (double) sequentialRejections / tests;
        double fixedFpr = (double) fixedRejections / tests;
        double varianceRatio = varianceRatioSum / tests;

        int powerTests = 400;
        double[] lifts = {0.02, 0.05};
        double[] cupedPower = new double[2];
        double[] plainPower = new double[2];
        for (int i = 0; i < lifts.length; i++) {
            double[] both = pairedPower(cuped, lifts[i], rho, powerTests, 31L + i);
            cupedPower[i] = both[0];
            plainPower[i] = both[1];
        }
        System.out.printf(
                Locale.ROOT,
                "CUPED A/A %d tests x %d looks x %d per arm, covariate correlation %.1f: sequential FPR=%.4f, one"
                        + " fixed look at the end FPR=%.4f; Var(CUPED)/Var(unadjusted)=%.4f (1 - rho^2 = %.4f), interval"
                        + " width ratio %.4f; power of %d tests, CUPED vs unadjusted: +2%% %.3f vs %.3f, +5%% %.3f vs"
                        + " %.3f%n",
                tests,
                LOOKS,
                BATCH,
                rho,
                sequentialFpr,
                fixedFpr,
                varianceRatio,
                1 - rho * rho,
                Math.sqrt(varianceRatio),
                powerTests,
                cupedPower[0],
                plainPower[0],
                cupedPower[1],
                plainPower[1]);

        assertThat(sequentialFpr).isLessThanOrEqualTo(ALPHA);
        assertThat(fixedFpr).isBetween(ALPHA - 0.015, ALPHA + 0.015);
        assertThat(varianceRatio).isCloseTo(1 - rho * rho, within(0.03));
        assertThat(cupedPower[0]).isGreaterThan(plainPower[0]);
        assertThat(cupedPower[1]).isGreaterThanOrEqualTo(plainPower[1]);
    }

    /** Shares of tests stopped for the treatment: {CUPED design, the same design unadjusted}, on the same data. */
    private static double[] pairedPower(TestDesign cuped, double lift, double rho, int tests, long seed) {
        RandomGenerator random = new SplittableRandom(seed);
        TestDesign plain = cuped.withCuped(false);
        int adjustedStops = 0;
        int plainStops = 0;
        for (int test = 0; test < tests; test++) {
            VariantStats control = VariantStats.empty();
            VariantStats treatment = VariantStats.empty();
            boolean adjustedStop = false;
            boolean plainStop = false;
            for (int look = 1; look <= LOOKS; look++) {
                control = control.plus(pairedBatch(random, BATCH, MEAN, rho));
                treatment = treatment.plus(pairedBatch(random, BATCH, MEAN * (1 + lift), rho));
                adjustedStop |=
                        Analyzer.analyze(cuped, control, treatment, null).decision() == Decision.STOP_EFFICACY;
                plainStop |= Analyzer.analyze(plain, control, treatment, null).decision() == Decision.STOP_EFFICACY;
            }
            adjustedStops += adjustedStop ? 1 : 0;
            plainStops += plainStop ? 1 : 0;
        }
        return new double[] {(double) adjustedStops / tests, (double) plainStops / tests};
    }

    /**
     * n units: a pre-exposure covariate x ~ N(MEAN, SD) (the same for both arms: it was measured before exposure) and
     * a score y = mean + ρ·(x − MEAN) + √(1 − ρ²)·SD·ε, so that Corr(x, y) = ρ and y ~ N(mean, SD).
     */
    private static VariantStats pairedBatch(RandomGenerator random, int n, double mean, double rho) {
        Moments scores = Moments.EMPTY;
        CoMoments pairs = CoMoments.EMPTY;
        double noise = Math.sqrt(1 - rho * rho) * SD;
        for (int i = 0; i < n; i++) {
            double x = MEAN + SD * random.nextGaussian();
            double y = mean + rho * (x - MEAN) + noise * random.nextGaussian();
            scores = scores.add(y);
            pairs = pairs.add(x, y);
        }
        return new VariantStats(n, n, scores, Moments.EMPTY, LatencyDigest.empty(), pairs, CoMoments.EMPTY);
    }

    @Test
    void shouldKeepTheFamilyWiseErrorOfThreeArmsBelowAlphaUnderContinuousPeeking() {
        // Issue 11: K = 3 treatments against one baseline, all four arms from the same distribution (A/A/A/A),
        // looked at after every batch by the production MultiArmAnalyzer (Holm's step-down over confidence
        // sequences). A family-wise error is any stop for any arm. The same data judged arm by arm at α each (no
        // multiplicity correction) shows what Holm buys; the fixed design (5 OBF looks) is measured too.
        int tests = 2_000;
        double[] weights = {0.25, 0.25, 0.25, 0.25};
        TestDesign fixed =
                new TestDesign(Method.FIXED, Metric.SCORE, ALPHA, 5000, 10, 1_000L, 5, 0.75, Guardrails.none(), 0.001);
        RandomGenerator random = new SplittableRandom(3_333L);
        int holmErrors = 0;
        int uncorrectedErrors = 0;
        for (int test = 0; test < tests; test++) {
            List<VariantStats> arms = emptyArms(4);
            boolean holm = false;
            boolean uncorrected = false;
            for (int look = 1; look <= LOOKS && !(holm && uncorrected); look++) {
                arms = grow(random, arms, BATCH, new double[] {0, 0, 0, 0});
                holm |= MultiArmAnalyzer.analyze(SEQUENTIAL, arms, weights, null)
                                .decision()
                        != Decision.CONTINUE;
                for (int arm = 1; arm < 4; arm++) {
                    uncorrected |= Analyzer.analyze(SEQUENTIAL, arms.get(0), arms.get(arm), null)
                                    .decision()
                            == Decision.STOP_EFFICACY;
                }
            }
            holmErrors += holm ? 1 : 0;
            uncorrectedErrors += uncorrected ? 1 : 0;
        }
        int fixedErrors = 0;
        RandomGenerator fixedRandom = new SplittableRandom(4_444L);
        for (int test = 0; test < tests; test++) {
            List<VariantStats> arms = emptyArms(4);
            double[] looks = new double[0];
            for (int look = 0; look < 5; look++) {
                arms = grow(fixedRandom, arms, 200, new double[] {0, 0, 0, 0});
                MultiArmAnalysis a = MultiArmAnalyzer.analyze(fixed, arms, weights, looks);
                if (a.decision() == Decision.STOP_EFFICACY) {
                    fixedErrors++;
                    break;
                }
                looks = append(looks, a.informationFraction());
            }
        }
        // power: one of the three treatments is +5 % better, the others equal to the baseline
        int powerTests = 400;
        int found = 0;
        int wrongArm = 0;
        RandomGenerator powerRandom = new SplittableRandom(5_555L);
        for (int test = 0; test < powerTests; test++) {
            List<VariantStats> arms = emptyArms(4);
            for (int look = 1; look <= LOOKS; look++) {
                arms = grow(powerRandom, arms, BATCH, new double[] {0, 0, 0.05, 0});
                MultiArmAnalysis a = MultiArmAnalyzer.analyze(SEQUENTIAL, arms, weights, null);
                if (a.decision() == Decision.STOP_EFFICACY) {
                    if (a.winnerArm() == 2) found++;
                    else wrongArm++;
                    break;
                }
            }
        }
        double holmFwer = (double) holmErrors / tests;
        double uncorrectedFwer = (double) uncorrectedErrors / tests;
        double fixedFwer = (double) fixedErrors / tests;
        double power = (double) found / powerTests;
        System.out.printf(
                Locale.ROOT,
                "A/A/A/A %d tests x %d looks x %d per arm (K = 3 treatments, sequential N*=5000): family-wise error"
                        + " with Holm %.4f, each arm at alpha without correction %.4f; fixed design 5 OBF looks with"
                        + " Holm %.4f; one arm +5%%, %d tests: that arm chosen %.3f, another arm %d times%n",
                tests,
                LOOKS,
                BATCH,
                holmFwer,
                uncorrectedFwer,
                fixedFwer,
                powerTests,
                power,
                wrongArm);

        assertThat(holmFwer).isLessThanOrEqualTo(ALPHA);
        assertThat(fixedFwer).isLessThanOrEqualTo(ALPHA + 0.015); // spends α exactly at most: α ± 3 s.e.
        assertThat(uncorrectedFwer).isGreaterThan(holmFwer);
        assertThat((double) wrongArm / powerTests).isLessThanOrEqualTo(ALPHA); // an equal arm chosen is an error too
        assertThat(power).isGreaterThan(0.5);
    }

    private static List<VariantStats> emptyArms(int n) {
        List<VariantStats> arms = new ArrayList<>();
        for (int i = 0; i < n; i++) arms.add(VariantStats.empty());
        return arms;
    }

    private static List<VariantStats> grow(RandomGenerator random, List<VariantStats> arms, int n, double[] lifts) {
        List<VariantStats> next = new ArrayList<>();
        for (int i = 0; i < arms.size(); i++) next.add(arms.get(i).plus(batch(random, n, MEAN * (1 + lifts[i]))));
        return next;
    }

    /** Share of simulated tests with the given relative lift that stop for the treatment within LOOKS looks. */
    private static double power(TestDesign design, double lift, int tests, long seed) {
        RandomGenerator random = new SplittableRandom(seed);
        int stopped = 0;
        for (int test = 0; test < tests; test++) {
            VariantStats control = VariantStats.empty();
            VariantStats treatment = VariantStats.empty();
            boolean stop = false;
            // every batch is drawn even after a stop, so that each design sees the same data
            for (int look = 1; look <= LOOKS; look++) {
                control = control.plus(batch(random, BATCH, MEAN));
                treatment = treatment.plus(batch(random, BATCH, MEAN * (1 + lift)));
                stop = stop
                        || Analyzer.analyze(design, control, treatment, null).decision() == Decision.STOP_EFFICACY;
            }
            stopped += stop ? 1 : 0;
        }
        return (double) stopped / tests;
    }

    /** One test: LOOKS batches; did the sequential analysis, or a t-test peeking at every look, ever reject? */
    private static Outcome run(RandomGenerator random, double lift) {
        VariantStats control = VariantStats.empty();
        VariantStats treatment = VariantStats.empty();
        int sequentialStopLook = 0; // 1-based; 0 = never
        boolean peekingRejected = false;
        for (int look = 1; look <= LOOKS && !(sequentialStopLook > 0 && peekingRejected); look++) {
            control = control.plus(batch(random, BATCH, MEAN));
            treatment = treatment.plus(batch(random, BATCH, MEAN * (1 + lift)));
            Analysis analysis = Analyzer.analyze(SEQUENTIAL, control, treatment, null);
            if (sequentialStopLook == 0 && analysis.decision() == Decision.STOP_EFFICACY) {
                sequentialStopLook = look;
            }
            // the same data, judged by a fixed-horizon t-test as if this look were the planned one
            peekingRejected |= FixedHorizon.pValue(analysis.estimate()) < ALPHA;
        }
        return new Outcome(sequentialStopLook > 0, sequentialStopLook, peekingRejected);
    }

    private static VariantStats batch(RandomGenerator random, int n, double mean) {
        Moments scores = Moments.EMPTY;
        for (int i = 0; i < n; i++) {
            scores = scores.add(mean + SD * random.nextGaussian());
        }
        return new VariantStats(n, n, scores, Moments.EMPTY, LatencyDigest.empty());
    }

    private static double[] append(double[] values, double value) {
        double[] out = Arrays.copyOf(values, values.length + 1);
        out[values.length] = value;
        return out;
    }

    private record Outcome(boolean sequentialRejected, int sequentialStopLook, boolean peekingRejected) {}
}
