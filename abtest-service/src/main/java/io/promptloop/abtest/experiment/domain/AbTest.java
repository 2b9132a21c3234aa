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
        boolean srmAlerted) {

    public AbTest {
        if (design == null) {
            throw new IllegalArgumentException("a test needs its design");
        }
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
        return treatmentVariant.equals(winner) ? treatmentInstructionId : baselineInstructionId;
    }

    public String predictorKey() {
        return predictorName == null ? agentName : agentName + "/" + predictorName;
    }
}
