package io.promptloop.optimizer.run.messaging;

import io.promptloop.avro.common.AgentRef;
import io.promptloop.avro.optimizer.CandidateAccepted;
import io.promptloop.avro.optimizer.EvaluationRequested;
import io.promptloop.avro.optimizer.ExampleToEvaluate;
import io.promptloop.avro.optimizer.OptimizerEvent;
import io.promptloop.avro.optimizer.RunCompleted;
import io.promptloop.avro.optimizer.RunFailed;
import io.promptloop.avro.optimizer.RunStarted;
import io.promptloop.optimizer.run.domain.RunSnapshot;
import io.promptloop.optimizer.run.persistence.RunStore.CandidateRow;
import io.promptloop.optimizer.run.persistence.RunStore.RunRow;
import io.promptloop.schemas.Topics;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Publishes what the optimizer decided, only once the decision is committed in PostgreSQL. If the process dies
 * between the commit and the send, nothing is lost: an unanswered request is sent again at its deadline, and the
 * run's outcome is in the database.
 */
@Component
public class OptimizerPublisher {

    private static final Logger log = LoggerFactory.getLogger(OptimizerPublisher.class);

    private final KafkaTemplate<String, SpecificRecord> kafka;
    private final Clock clock;

    OptimizerPublisher(KafkaTemplate<String, SpecificRecord> kafka, Clock clock) {
        this.kafka = kafka;
        this.clock = clock;
    }

    public void requestEvaluationAfterCommit(
            RunRow run, UUID requestId, CandidateRow candidate, Map<String, String> inputs, Instant deadline) {
        var examples = inputs.entrySet().stream()
                .map(e -> new ExampleToEvaluate(e.getKey(), e.getValue()))
                .toList();
        var event = EvaluationRequested.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setOccurredAt(clock.instant())
                .setAgent(agent(run))
                .setRequestId(requestId.toString())
                .setRunId(run.runId().toString())
                .setCandidateId(candidate.id().toString())
                .setInstructionText(candidate.text())
                .setToolDescriptions(candidate.tools())
                .setExamples(examples)
                .setDeadline(deadline)
                .build();
        afterCommit(Topics.OPTIMIZER_EVALUATION_REQUESTS.name(), run.agentName(), event);
    }

    public void startedAfterCommit(RunRow run) {
        afterCommit(
                Topics.OPTIMIZER_EVENTS.name(),
                run.runId().toString(),
                envelope(
                        run,
                        new RunStarted(run.optimizerType(), run.budgetPreset(), run.maxMetricCalls(), run.seed())));
    }

    public void completedAfterCommit(
            RunRow run,
            UUID instructionId,
            int version,
            List<CandidateRow> accepted,
            RunSnapshot snapshot,
            List<UUID> frontInstructionIds) {
        for (CandidateRow c : accepted) {
            Double score = c.validationScore();
            afterCommit(
                    Topics.OPTIMIZER_EVENTS.name(),
                    run.runId().toString(),
                    envelope(
                            run,
                            new CandidateAccepted(
                                    c.id().toString(),
                                    c.parentIds().stream().map(UUID::toString).toList(),
                                    score == null ? 0.0 : score,
                                    run.metricCallsSpent())));
        }
        var completed = RunCompleted.newBuilder()
                .setOptimizerType(run.optimizerType())
                .setBaselineInstructionId(
                        run.baselineInstructionId() == null
                                ? null
                                : run.baselineInstructionId().toString())
                .setOptimizedInstructionId(instructionId.toString())
                .setInstructionVersion(version)
                .setBaselineScore(run.baselineScore())
                .setOptimizedScore(run.optimizedScore())
                .setImprovementPercent(run.improvementPercent() == null ? 0.0 : run.improvementPercent())
                .setMetricCallsSpent(run.metricCallsSpent())
                .setFrontInstructionIds(
                        frontInstructionIds.stream().map(UUID::toString).toList())
                .build();
        afterCommit(Topics.OPTIMIZER_EVENTS.name(), run.runId().toString(), envelope(run, completed));
    }

    public void failedAfterCommit(RunRow run, String reason) {
        afterCommit(
                Topics.OPTIMIZER_EVENTS.name(),
                run.runId().toString(),
                envelope(run, new RunFailed(reason, run.metricCallsSpent())));
    }

    private OptimizerEvent envelope(RunRow run, Object payload) {
        return new OptimizerEvent(
                UUID.randomUUID().toString(),
                clock.instant(),
                agent(run),
                run.runId().toString(),
                payload);
    }

    private static AgentRef agent(RunRow run) {
        return new AgentRef(run.agentName(), run.predictorName());
    }

    private void afterCommit(String topic, String key, SpecificRecord value) {
        Runnable send = () -> {
            try {
                kafka.send(topic, key, value).whenComplete((result, error) -> {
                    if (error != null) log.warn("could not publish to {} (key {}): {}", topic, key, error.toString());
                });
            } catch (RuntimeException e) {
                // the decision is committed; a request that was not sent is sent again at its deadline
                log.warn("could not publish to {} (key {}): {}", topic, key, e.toString());
            }
        };
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    send.run();
                }
            });
        } else {
            send.run();
        }
    }
}
