package io.promptloop.devstack.agent;

import io.promptloop.avro.common.AgentRef;
import io.promptloop.avro.observation.ObservationRecorded;
import io.promptloop.avro.routing.InstructionRouting;
import io.promptloop.avro.routing.RunningTest;
import io.promptloop.avro.routing.TreatmentArm;
import io.promptloop.schemas.Assignment;
import io.promptloop.testkit.agent.Rubric;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * One simulated production request at a time, without Kafka: a user (the randomisation unit) asks one of the
 * managers' questions; the agent serves the instruction the routing gives that user by the SHA-256 rule, and the
 * request is scored by the hidden {@link Rubric} on the served instruction (plus noise), with a latency and a
 * success flag that do not depend on the instruction. An A/B observation exists only while the routing carries a
 * test: outside a test there is nothing to compare, so nothing is reported.
 */
final class ProductionRequests {

    /** Users the requests come from: many, so that a unit rarely repeats and the arms stay near the split. */
    static final int USERS = 1_000_000;

    /** Standard deviation of the noise on a request's rubric score (a judge does not grade alike twice). */
    static final double SCORE_NOISE = 0.15;

    static final double MEDIAN_LATENCY_MS = 700;
    static final double LATENCY_SIGMA = 0.35;
    static final double FAILURE_RATE = 0.02;

    static final String BASELINE = "baseline";
    static final String TREATMENT = "treatment";

    private final SplittableRandom random;
    private final Rubric rubric;
    private final List<String> questionIds;
    private final Supplier<UUID> eventIds;

    /**
     * @param random every choice (user, question, noise, latency, success)
     * @param rubric the evaluator's hidden rubric
     * @param questionIds the example ids users' questions are drawn from
     * @param eventIds the {@code event_id} of each observation
     */
    ProductionRequests(SplittableRandom random, Rubric rubric, List<String> questionIds, Supplier<UUID> eventIds) {
        this.random = Objects.requireNonNull(random, "random");
        this.rubric = Objects.requireNonNull(rubric, "rubric");
        this.questionIds = List.copyOf(questionIds);
        this.eventIds = Objects.requireNonNull(eventIds, "eventIds");
        if (this.questionIds.isEmpty()) {
            throw new IllegalArgumentException("at least one question id is needed");
        }
    }

    /** Serves one request under {@code routing}; the observation to report, if a test is running. */
    Optional<ObservationRecorded> serve(InstructionRouting routing, Instant now) {
        RunningTest test = routing.getTest();
        String unitId = "user-" + random.nextInt(USERS);
        String questionId = questionIds.get(random.nextInt(questionIds.size()));
        double noise = random.nextGaussian(0, SCORE_NOISE);
        long latencyMs = Math.round(Math.exp(Math.log(MEDIAN_LATENCY_MS) + random.nextGaussian(0, LATENCY_SIGMA)));
        boolean success = random.nextDouble() >= FAILURE_RATE;
        if (test == null) {
            return Optional.empty();
        }
        // the K-arm rule over the routing's arms (one arm is the two-arm rule); older routings carry no arms
        List<TreatmentArm> arms = test.getArms() == null || test.getArms().isEmpty()
                ? List.of(new TreatmentArm(
                        TREATMENT,
                        test.getTreatmentInstructionId(),
                        test.getTreatmentVersion(),
                        test.getTreatmentText(),
                        test.getTrafficSplit()))
                : test.getArms();
        int arm = Assignment.arm(
                test.getSalt(),
                unitId,
                arms.stream().mapToDouble(TreatmentArm::getWeight).toArray());
        boolean treatment = arm > 0;
        String served = treatment ? arms.get(arm - 1).getText() : routing.getInstructionText();
        double score = clamp(rubric.score(questionId, served) + noise);
        AgentRef agent = routing.getAgent();
        return Optional.of(ObservationRecorded.newBuilder()
                .setEventId(eventIds.get().toString())
                .setOccurredAt(now)
                .setAgent(AgentRef.newBuilder(agent).build())
                .setTestId(test.getTestId())
                .setVariant(treatment ? arms.get(arm - 1).getVariant() : BASELINE)
                .setUnitId(unitId)
                .setScore(score)
                .setLatencyMs(latencyMs)
                .setSuccess(success)
                .setInstructionId(treatment ? arms.get(arm - 1).getInstructionId() : routing.getActiveInstructionId())
                .build());
    }

    private static double clamp(double score) {
        return Math.round(Math.max(0, Math.min(1, score)) * 1000) / 1000.0;
    }
}
