package io.promptloop.testkit.agent;

import java.util.SplittableRandom;

/**
 * Which requests the simulated agent ignores: each one independently with probability {@code rate}, drawn from a
 * seeded sequence in the order the requests arrive. Decided per delivery, not per request id, so a request that
 * the optimizer sends again after a timeout has the same chance of an answer as a new one.
 */
final class Drops {

    private final double rate;
    private final SplittableRandom random;

    Drops(double rate, long seed) {
        if (!(rate >= 0.0 && rate <= 1.0)) {
            throw new IllegalArgumentException("drop rate must be within [0, 1], was " + rate);
        }
        this.rate = rate;
        this.random = new SplittableRandom(seed);
    }

    /** Whether to ignore the next request. Not thread-safe: the evaluator's consumer thread asks. */
    boolean next() {
        return random.nextDouble() < rate;
    }
}
