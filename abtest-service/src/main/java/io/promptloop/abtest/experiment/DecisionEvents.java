package io.promptloop.abtest.experiment;

import io.promptloop.abtest.analysis.domain.Analysis;
import io.promptloop.abtest.analysis.domain.EffectType;
import io.promptloop.abtest.experiment.domain.AbTest;
import io.promptloop.abtest.outbox.Outbox;
import io.promptloop.avro.abtest.AbDecisionEvent;
import io.promptloop.avro.abtest.RolloutChanged;
import io.promptloop.avro.abtest.TestConcluded;
import io.promptloop.avro.abtest.TestStarted;
import io.promptloop.avro.common.AgentRef;
import io.promptloop.schemas.Topics;
import java.time.Clock;
import java.util.UUID;
import org.springframework.stereotype.Component;

/** {@code ab-decisions} events (key = test id), written to the outbox with the change they announce. */
@Component
public class DecisionEvents {

    private final Outbox outbox;
    private final Clock clock;

    public DecisionEvents(Outbox outbox, Clock clock) {
        this.outbox = outbox;
        this.clock = clock;
    }

    public void started(AbTest t) {
        publish(
                t,
                TestStarted.newBuilder()
                        .setBaselineInstructionId(t.baselineInstructionId().toString())
                        .setTreatmentInstructionId(t.treatmentInstructionId().toString())
                        .setTrafficSplit(t.trafficSplit())
                        .setMethod(t.design().method().code())
                        .setPrimaryMetric(t.design().metric().code())
                        .build());
    }

    /**
     * @param outcome treatment_wins, baseline_wins, guardrail_broken, futility, srm_blocked or stopped
     */
    public void concluded(AbTest t, String outcome, String winner, Analysis analysis, long baselineN, long treatmentN) {
        var b = TestConcluded.newBuilder()
                .setOutcome(outcome)
                .setWinner(winner)
                .setBaselineCount(baselineN)
                .setTreatmentCount(treatmentN);
        if (analysis != null && analysis.estimate() != null) {
            // the event's lift and interval are relative; an absolute test's effect is in the stored analyses
            if (analysis.estimate().type() == EffectType.RELATIVE) {
                b.setRelativeLift(analysis.estimate().effect());
                if (analysis.interval() != null) {
                    b.setCiLower(finite(analysis.interval().lower()));
                    b.setCiUpper(finite(analysis.interval().upper()));
                }
            }
            b.setPValue(analysis.pValue());
        }
        publish(t, b.build());
    }

    /** @param reason rollout_step, rolled_out, rolled_back_guardrail or manual */
    public void rolloutChanged(AbTest t, UUID activeInstructionId, double treatmentShare, String reason) {
        publish(
                t,
                RolloutChanged.newBuilder()
                        .setActiveInstructionId(activeInstructionId.toString())
                        .setTreatmentShare(treatmentShare)
                        .setReason(reason)
                        .build());
    }

    private void publish(AbTest t, Object payload) {
        var event = AbDecisionEvent.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setOccurredAt(clock.instant())
                .setAgent(new AgentRef(t.agentName(), t.predictorName()))
                .setTestId(t.testId().toString())
                .setPayload(payload)
                .build();
        outbox.add(Topics.AB_DECISIONS.name(), t.testId().toString(), event, null);
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
