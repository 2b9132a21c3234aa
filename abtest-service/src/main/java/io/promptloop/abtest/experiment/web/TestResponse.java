package io.promptloop.abtest.experiment.web;

import io.promptloop.abtest.analysis.domain.Guardrails;
import io.promptloop.abtest.analysis.domain.TestDesign;
import io.promptloop.abtest.experiment.domain.AbTest;
import io.promptloop.abtest.experiment.domain.TestStatus;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** A test as the HTTP API shows it: the design's fields flat, with their lower-case codes, as since the first API. */
record TestResponse(
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
        long minSamplePerVariant,
        Long maxSamplePerVariant,
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
        boolean srmAlerted,
        String effectType,
        String sides,
        Double priorMean,
        Double priorVariance,
        boolean cuped,
        List<ArmResponse> arms) {

    /** An arm: index 0 the baseline, 1..K the treatments in the order of the assignment rule. */
    record ArmResponse(int index, String variant, UUID instructionId, double weight) {}

    static TestResponse of(AbTest t) {
        TestDesign d = t.design();
        return new TestResponse(
                t.testId(),
                t.agentName(),
                t.predictorName(),
                t.baselineInstructionId(),
                t.treatmentInstructionId(),
                t.baselineVariant(),
                t.treatmentVariant(),
                t.salt(),
                d.trafficSplit(),
                d.metric().code(),
                d.method().code(),
                d.plannedLooks(),
                d.alpha(),
                d.nStar(),
                d.minSamplePerVariant(),
                d.maxSamplePerVariant(),
                d.guardrails(),
                t.autoRollout(),
                t.status(),
                t.pValue(),
                t.winner(),
                t.rolledOut(),
                t.conclusionReason(),
                t.sourceRunId(),
                t.createdAt(),
                t.startedAt(),
                t.concludedAt(),
                t.rolloutSteps(),
                t.rolloutStepObservations(),
                t.rolloutStep(),
                t.rolloutStepBaseN(),
                t.monitoringComplete(),
                t.analyzedN(),
                t.srmAlerted(),
                d.effectType().code(),
                d.sidedness().code(),
                d.prior() == null ? null : d.prior().mean(),
                d.prior() == null ? null : d.prior().variance(),
                d.cuped(),
                t.arms().stream()
                        .map(a -> new ArmResponse(a.index(), a.variant(), a.instructionId(), a.weight()))
                        .toList());
    }
}
