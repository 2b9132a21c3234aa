package io.promptloop.abtest.analysis.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
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
