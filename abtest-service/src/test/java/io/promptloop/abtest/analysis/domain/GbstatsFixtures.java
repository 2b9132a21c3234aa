package io.promptloop.abtest.analysis.domain;

/**
 * Inputs of GrowthBook's gbstats unit tests (growthbook/growthbook, packages/stats/tests/frequentist/test_tests.py
 * and tests/bayesian/test_tests.py), as {@code SampleMeanStatistic(sum, sum_squares, n)}.
 */
final class GbstatsFixtures {

    /** TestTwoSidedTTest.setUp: stat_a (control). */
    static final SampleSummary TWO_SIDED_CONTROL = summary(3407, 1396.87, 52377.9767);

    /** TestTwoSidedTTest.setUp: stat_b (treatment). */
    static final SampleSummary TWO_SIDED_TREATMENT = summary(3461, 2422.7, 134698.29);

    /** TestSequentialTTest / TestOneSidedGreaterTTest: stat_a (control). */
    static final SampleSummary SEQUENTIAL_CONTROL = summary(3000, 1396.87, 52377.9767);

    /** TestSequentialTTest / TestOneSidedGreaterTTest: stat_b (treatment). */
    static final SampleSummary SEQUENTIAL_TREATMENT = summary(3461, 2422.7, 134698.29);

    /** gbstats rounds its expectations to 5 decimals. */
    static final double FIVE_DECIMALS = 5.000001e-6;

    private GbstatsFixtures() {}

    /** gbstats' {@code SampleMeanStatistic(n, sum, sum_squares)}. */
    static SampleSummary summary(long n, double sum, double sumSquares) {
        return Moments.fromSums(n, sum, sumSquares).summary();
    }
}
