package io.promptloop.abtest.experiment.domain;

import io.promptloop.abtest.analysis.domain.Guardrails;
import io.promptloop.abtest.analysis.domain.TestDesign;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * One A/B test of a treatment instruction against the baseline of an agent/predictor, as stored.
 *
 * @param design how the test is analysed and when it may stop: the one typed form of the stored design columns
 * @param rolloutStep 1-based index into {@code rolloutSteps} while the winner rolls out, else null
 * @param rolloutStepBaseN rollout-phase treatment observations counted when the current step began
 * @param analyzedN observations counted at the last look
 * @param arms the baseline (arm 0) and the treatments 1..K with their instructions and weights; a two-arm test has
 *     two, the same as its baseline/treatment fields
 */
public record AbTest(
        UUID testId,
        String agentName,
        String predictorName,
        UUID baselineInstructionId,
        UUID treatmentInstructionId,
        String baselineVariant,
        String treatmentVariant,
        String salt,
        TestDesign design,
        boolean autoRollout,
        TestStatus status,
        Double pValue,
        String winner,
        boolean rolledOut,
        String conclusionReason,
        UUID sourceRunId,
        Instant createdAt,
        Instant startedAt,
        Instant concludedAt,
        List<Double> rolloutSteps,
        int rolloutStepObservations,
        Integer rolloutStep,
        Long rolloutStepBaseN,
        boolean monitoringComplete,
        long analyzedN,
        boolean srmAlerted,
        List<TestArm> arms) {

    public AbTest {
        if (design == null) {
            throw new IllegalArgumentException("a test needs its design");
        }
        if (arms == null || arms.size() < 2) {
            throw new IllegalArgumentException("a test needs the baseline and at least one treatment arm");
        }
        arms = List.copyOf(arms);
    }

    /** More than one treatment. */
    public boolean isMultiArm() {
        return arms.size() > 2;
    }

    /** The treatment arms 1..K. */
    public List<TestArm> treatments() {
        return arms.subList(1, arms.size());
    }

    /** Whether observations may carry this label. */
    public boolean hasArm(String variant) {
        // a loop, not a stream: the intake asks this once per observation (allocation showed in its profile)
        for (TestArm a : arms) {
            if (a.variant().equals(variant)) return true;
        }
        return false;
    }

    /** The arm with this label. */
    public TestArm arm(String variant) {
        return arms.stream()
                .filter(a -> a.variant().equals(variant))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("test " + testId + " has no arm " + variant));
    }

    /** The arms' traffic weights, baseline first. */
    public double[] weights() {
        return arms.stream().mapToDouble(TestArm::weight).toArray();
    }

    /** A treatment arm won the test. */
    public boolean treatmentWon() {
        return winner != null && !winner.equals(baselineVariant);
    }

    /** The arm a rollout routes to: the winning treatment, else (before a decision) arm 1. */
    public TestArm rolloutArm() {
        return treatmentWon() ? arm(winner) : arms.get(1);
    }

    /** Share of units assigned to the treatment while the test runs. */
    public double trafficSplit() {
        return design.trafficSplit();
    }

    /** Limits on the treatment, checked at every look and during the rollout. */
    public Guardrails guardrails() {
        return design.guardrails();
    }

    /** Whether the predictor's routing currently carries this test (running, rolling out, or watched after). */
    public boolean isLive() {
        return status == TestStatus.RUNNING
                || status == TestStatus.ROLLING_OUT
                || (status == TestStatus.ROLLED_OUT && !monitoringComplete);
    }

    /** The instruction the treatment arm serves once the winner is known. */
    public UUID winnerInstructionId() {
        return treatmentWon() ? arm(winner).instructionId() : baselineInstructionId;
    }

    public String predictorKey() {
        return predictorName == null ? agentName : agentName + "/" + predictorName;
    }
}
