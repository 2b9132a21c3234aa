package io.promptloop.abtest.analysis.domain;

import java.util.stream.LongStream;

/** Hand-made arms for the tests: moments with an exact mean and standard deviation. */
final class Arms {

    private Arms() {}

    /** Moments of n values with the given mean and sample standard deviation. */
    static Moments moments(long n, double mean, double sd) {
        return new Moments(n, mean, (n - 1) * sd * sd);
    }

    /** n observations, each with a score and a latency, successes of them successful; no latency digest. */
    static VariantStats arm(
            long n, long successes, double scoreMean, double scoreSd, double latencyMean, double latencySd) {
        return new VariantStats(
                n,
                successes,
                moments(n, scoreMean, scoreSd),
                moments(n, latencyMean, latencySd),
                LatencyDigest.empty());
    }

    /** The same arm with a digest of n latencies spread evenly over 1..maxMs. */
    static VariantStats withLatencies(VariantStats arm, long n, long maxMs) {
        return new VariantStats(
                arm.n(),
                arm.successes(),
                arm.score(),
                arm.latency(),
                LatencyDigest.of(
                        LongStream.rangeClosed(1, n).map(i -> i * maxMs / n).toArray()));
    }
}
