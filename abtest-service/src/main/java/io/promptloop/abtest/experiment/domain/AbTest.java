package io.promptloop.abtest.experiment.domain;

import io.promptloop.abtest.analysis.domain.Guardrails;
import io.promptloop.abtest.analysis.domain.Method;
import io.promptloop.abtest.analysis.domain.Metric;
import io.promptloop.abtest.analysis.domain.TestDesign;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * One A/B test of a treatment instruction against the baseline of an agent/predictor, as stored.
 *
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
        double trafficSplit,
        String primaryMetric,
        String method,
        Integer plannedLooks,
        double alpha,
        double sequentialTuning,
        int minSamplePerVariant,
        Integer maxSamplePerVariant,
        Guardrails guardrails,
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

    public TestDesign design(double srmThreshold) {
        return new TestDesign(
                Method.fromCode(method),
                Metric.fromCode(primaryMetric),
                alpha,
                sequentialTuning,
                minSamplePerVariant,
                maxSamplePerVariant == null ? null : maxSamplePerVariant.longValue(),
                plannedLooks,
                trafficSplit,
                guardrails,
                srmThreshold);
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
