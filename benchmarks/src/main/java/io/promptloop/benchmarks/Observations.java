package io.promptloop.benchmarks;

import io.promptloop.avro.common.AgentRef;
import io.promptloop.avro.observation.ObservationRecorded;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * Deterministic {@code ObservationRecorded} events for {@link AbtestBenchmark}: observation {@code i} belongs to
 * test {@code i mod tests}, has unit {@code u<i>} assigned by the service's SHA-256 rule, and draws its score,
 * success and latency from the arm's distribution; the same seed gives the same events, so the baselines
 * regenerate exactly what the service was sent.
 */
final class Observations {

    static final Instant BASE = Instant.parse("2026-11-25T08:00:00Z");

    /** A running test the observations belong to. */
    record Test(UUID id, String salt, String agent, double split) {}

    /** One arm's behaviour: score ~ N(mean, sd) clipped to 0..1, success with a probability, latency ~ N(mean, 20%). */
    record Arm(double scoreMean, double scoreSd, double successRate, double latencyMean) {}

    private final long seed;
    private final List<Test> tests;
    private final Arm baseline;
    private final Arm treatment;

    Observations(long seed, List<Test> tests, Arm baseline, Arm treatment) {
        if (tests.isEmpty()) throw new IllegalArgumentException("no tests");
        this.seed = seed;
        this.tests = List.copyOf(tests);
        this.baseline = baseline;
        this.treatment = treatment;
    }

    List<Test> tests() {
        return tests;
    }

    Test testOf(long i) {
        return tests.get((int) (i % tests.size()));
    }

    /** Observation {@code i}, occurring at {@code BASE + i ms} unless given. */
    ObservationRecorded observation(long i) {
        return observation(i, BASE.plusMillis(i));
    }

    ObservationRecorded observation(long i, Instant occurredAt) {
        Test test = testOf(i);
        SplittableRandom rng = new SplittableRandom(TurnEvents.mix(TurnEvents.mix(seed) + i));
        UUID eventId = TurnEvents.uuid(rng.nextLong(), rng.nextLong());
        String unit = "u" + i;
        boolean isTreatment = isTreatment(test.salt(), unit, test.split());
        Arm arm = isTreatment ? treatment : baseline;
        double score = Math.max(0, Math.min(1, arm.scoreMean() + arm.scoreSd() * gaussian(rng)));
        boolean success = rng.nextDouble() < arm.successRate();
        long latency = Math.max(1, Math.round(arm.latencyMean() + arm.latencyMean() * 0.2 * gaussian(rng)));
        return ObservationRecorded.newBuilder()
                .setEventId(eventId.toString())
                .setOccurredAt(occurredAt)
                .setAgent(new AgentRef(test.agent(), "answer"))
                .setTestId(test.id().toString())
                .setVariant(isTreatment ? "treatment" : "baseline")
                .setUnitId(unit)
                .setScore(score)
                .setLatencyMs(latency)
                .setSuccess(success)
                .build();
    }

    private static double gaussian(SplittableRandom r) {
        return Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
    }

    /** The contract's assignment rule, as agents and abtest-service apply it. */
    static boolean isTreatment(String salt, String unitId, double split) {
        return io.promptloop.schemas.Assignment.isTreatment(salt, unitId, split);
    }
}
