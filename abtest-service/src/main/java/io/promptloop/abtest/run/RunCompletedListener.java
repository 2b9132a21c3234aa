package io.promptloop.abtest.run;

import io.micrometer.core.instrument.MeterRegistry;
import io.promptloop.abtest.config.AbtestProperties;
import io.promptloop.abtest.experiment.ExperimentException;
import io.promptloop.abtest.experiment.ExperimentService;
import io.promptloop.abtest.experiment.ExperimentService.CreateTest;
import io.promptloop.abtest.experiment.ExperimentService.Treatment;
import io.promptloop.abtest.experiment.RoutingPublisher;
import io.promptloop.abtest.experiment.persistence.ExperimentRepository;
import io.promptloop.abtest.instruction.InstructionCatalog;
import io.promptloop.avro.optimizer.OptimizerEvent;
import io.promptloop.avro.optimizer.RunCompleted;
import io.promptloop.support.kafka.AvroWithBytes;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Business rule: a run that improved its baseline by at least the configured threshold is put to an A/B test
 * against that baseline at once, unless a test is already live for the predictor — with the candidates of its
 * Pareto front as the treatments when it names several (up to {@code auto-create.max-treatments}, best first),
 * else its optimized instruction. Once per run, also on redelivery.
 *
 * <p>Only while the run's baseline is still what the predictor is served: a run that started before an operator
 * activated another version by hand (or before another test rolled its winner out) measured its gain against an
 * instruction no longer in use, and a test of it would route units back to that old baseline, undoing the
 * operator's choice. Such a run is skipped ({@code baseline_not_active}); an operator can still test it by hand.
 * The check and the test's first routing change are made under the predictor's routing lock.
 */
@Component
class RunCompletedListener {

    private static final Logger log = LoggerFactory.getLogger(RunCompletedListener.class);

    private final ExperimentService experiments;
    private final ExperimentRepository tests;
    private final RoutingPublisher routing;
    private final InstructionCatalog catalog;
    private final AbtestProperties properties;
    private final TransactionTemplate tx;
    private final MeterRegistry meters;
    private final Clock clock;

    RunCompletedListener(
            ExperimentService experiments,
            ExperimentRepository tests,
            RoutingPublisher routing,
            InstructionCatalog catalog,
            AbtestProperties properties,
            TransactionTemplate tx,
            MeterRegistry meters,
            Clock clock) {
        this.experiments = experiments;
        this.tests = tests;
        this.routing = routing;
        this.catalog = catalog;
        this.properties = properties;
        this.tx = tx;
        this.meters = meters;
        this.clock = clock;
    }

    @KafkaListener(
            id = "abtest-runs",
            topics = "#{T(io.promptloop.schemas.Topics).OPTIMIZER_EVENTS.name()}",
            idIsGroup = false)
    void onOptimizerEvent(ConsumerRecord<String, Object> record) {
        Object value = record.value() instanceof AvroWithBytes withBytes ? withBytes.value() : record.value();
        if (!(value instanceof OptimizerEvent event) || !(event.getPayload() instanceof RunCompleted run)) return;
        if (!properties.autoCreate().enabled()) return;
        UUID runId;
        UUID treatment;
        UUID baseline;
        List<UUID> front = new ArrayList<>();
        try {
            runId = UUID.fromString(event.getRunId());
            treatment = UUID.fromString(run.getOptimizedInstructionId());
            baseline = run.getBaselineInstructionId() == null ? null : UUID.fromString(run.getBaselineInstructionId());
            for (String id : run.getFrontInstructionIds()) front.add(UUID.fromString(id));
        } catch (IllegalArgumentException e) {
            skip("malformed_id", "run event with a malformed id: " + e.getMessage());
            return;
        }
        if (event.getOccurredAt()
                .isBefore(clock.instant().minus(properties.autoCreate().maxRunAge()))) {
            skip(
                    "stale",
                    "run " + runId + " completed at " + event.getOccurredAt() + ", more than "
                            + properties.autoCreate().maxRunAge() + " ago");
            return;
        }
        if (!(run.getImprovementPercent() >= properties.autoCreate().minImprovementPercent())) {
            skip(
                    "below_threshold",
                    "run " + runId + " improved " + run.getImprovementPercent() + "%, below the threshold");
            return;
        }
        if (treatment.equals(baseline)) {
            skip("no_new_instruction", "run " + runId + " kept its baseline");
            return;
        }
        String agent = event.getAgent().getAgentName();
        String predictor = event.getAgent().getPredictorName();
        try {
            tx.executeWithoutResult(status -> {
                if (tests.existsForRun(runId)) return; // redelivered
                routing.lockPredictor(agent, predictor);
                if (baseline != null) {
                    UUID served = routing.lastRouted(agent, predictor)
                            .orElseGet(() -> catalog.active(agent, predictor)
                                    .map(InstructionCatalog.Instruction::id)
                                    .orElse(null));
                    if (!baseline.equals(served)) {
                        skip(
                                "baseline_not_active",
                                "run " + runId + " measured its gain against " + baseline + ", but "
                                        + (predictor == null ? agent : agent + "/" + predictor) + " is served "
                                        + served
                                        + " now; it waits for an operator");
                        return;
                    }
                }
                if (tests.liveTest(agent, predictor).isPresent()) {
                    skip(
                            "test_live",
                            "a test is already live for " + agent + "/" + predictor + "; run " + runId
                                    + " waits for an operator");
                    return;
                }
                List<UUID> arms = treatments(treatment, baseline, front);
                var created = experiments.create(new CreateTest(
                        agent,
                        predictor,
                        baseline,
                        arms.size() == 1 ? treatment : null,
                        arms.size() == 1
                                ? null
                                : arms.stream()
                                        .map(id -> new Treatment(id, null))
                                        .toList(),
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        runId));
                experiments.start(created.testId());
                meters.counter("promptloop.abtest.tests.auto.created").increment();
                log.info(
                        "run {} improved {} by {}%: started test {}",
                        runId, created.predictorKey(), run.getImprovementPercent(), created.testId());
            });
        } catch (ExperimentException | DuplicateKeyException e) {
            // unknown instruction, foreign predictor, a race with another live test: nothing to retry
            skip("not_testable", "run " + runId + " cannot be tested: " + e.getMessage());
        }
    }

    /**
     * The run's treatments: its front instructions other than the baseline, best first, the optimized one always
     * among them, at most {@code maxTreatments}; just the optimized instruction when the front names fewer than two.
     */
    private List<UUID> treatments(UUID optimized, UUID baseline, List<UUID> front) {
        LinkedHashSet<UUID> arms = new LinkedHashSet<>();
        arms.add(optimized);
        for (UUID id : front) if (!id.equals(baseline)) arms.add(id);
        return arms.stream().limit(properties.autoCreate().maxTreatments()).toList();
    }

    private void skip(String reason, String message) {
        meters.counter("promptloop.abtest.runs.skipped", "reason", reason).increment();
        log.info(message);
    }
}
