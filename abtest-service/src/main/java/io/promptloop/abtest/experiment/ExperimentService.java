package io.promptloop.abtest.experiment;

import static io.promptloop.abtest.experiment.ExperimentException.Kind.CONFLICT;
import static io.promptloop.abtest.experiment.ExperimentException.Kind.INVALID;
import static io.promptloop.abtest.experiment.ExperimentException.Kind.NOT_FOUND;

import io.micrometer.core.instrument.MeterRegistry;
import io.promptloop.abtest.analysis.domain.Analysis;
import io.promptloop.abtest.analysis.domain.EffectType;
import io.promptloop.abtest.analysis.domain.GaussianPrior;
import io.promptloop.abtest.analysis.domain.Guardrails;
import io.promptloop.abtest.analysis.domain.Method;
import io.promptloop.abtest.analysis.domain.Metric;
import io.promptloop.abtest.analysis.domain.Sidedness;
import io.promptloop.abtest.analysis.domain.TestDesign;
import io.promptloop.abtest.config.AbtestProperties;
import io.promptloop.abtest.experiment.domain.AbTest;
import io.promptloop.abtest.experiment.domain.TestArm;
import io.promptloop.abtest.experiment.domain.TestStatus;
import io.promptloop.abtest.experiment.persistence.ExperimentRepository;
import io.promptloop.abtest.experiment.persistence.ExperimentRepository.NewArm;
import io.promptloop.abtest.experiment.persistence.ExperimentRepository.NewTest;
import io.promptloop.abtest.experiment.persistence.ExperimentRepository.Phase;
import io.promptloop.abtest.instruction.InstructionCatalog;
import io.promptloop.abtest.instruction.InstructionCatalog.Instruction;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Transaction boundary of a test's life: create → start → (conclude | stop) → roll out in steps → done or
 * rolled back. Each change of state writes the routing it implies and its {@code ab-decisions} event in the
 * same transaction (outbox).
 */
@Service
public class ExperimentService {

    private static final Logger log = LoggerFactory.getLogger(ExperimentService.class);

    private final ExperimentRepository tests;
    private final InstructionCatalog instructions;
    private final RoutingPublisher routing;
    private final DecisionEvents decisions;
    private final JdbcClient jdbc;
    private final AbtestProperties properties;
    private final Clock clock;
    private final MeterRegistry meters;

    public ExperimentService(
            ExperimentRepository tests,
            InstructionCatalog instructions,
            RoutingPublisher routing,
            DecisionEvents decisions,
            JdbcClient jdbc,
            AbtestProperties properties,
            Clock clock,
            MeterRegistry meters) {
        this.tests = tests;
        this.instructions = instructions;
        this.routing = routing;
        this.decisions = decisions;
        this.jdbc = jdbc;
        this.properties = properties;
        this.clock = clock;
        this.meters = meters;
    }

    /**
     * What an operator (or the run policy) asks for; null fields take the configured defaults. One treatment is
     * {@code treatmentInstructionId} (with {@code trafficSplit}), several are {@code treatments} (not both).
     */
    public record CreateTest(
            String agent,
            String predictor,
            UUID baselineInstructionId,
            UUID treatmentInstructionId,
            List<Treatment> treatments,
            Double trafficSplit,
            String primaryMetric,
            String method,
            Integer plannedLooks,
            Double alpha,
            Double sequentialTuning,
            Integer minSamplePerVariant,
            Integer maxSamplePerVariant,
            Guardrails guardrails,
            Boolean autoRollout,
            List<Double> rolloutSteps,
            Integer rolloutStepObservations,
            String effectType,
            String sides,
            Double priorMean,
            Double priorVariance,
            UUID sourceRunId,
            Boolean cuped) {

        /** A request without the CUPED switch (off). */
        public CreateTest(
                String agent,
                String predictor,
                UUID baselineInstructionId,
                UUID treatmentInstructionId,
                List<Treatment> treatments,
                Double trafficSplit,
                String primaryMetric,
                String method,
                Integer plannedLooks,
                Double alpha,
                Double sequentialTuning,
                Integer minSamplePerVariant,
                Integer maxSamplePerVariant,
                Guardrails guardrails,
                Boolean autoRollout,
                List<Double> rolloutSteps,
                Integer rolloutStepObservations,
                String effectType,
                String sides,
                Double priorMean,
                Double priorVariance,
                UUID sourceRunId) {
            this(
                    agent,
                    predictor,
                    baselineInstructionId,
                    treatmentInstructionId,
                    treatments,
                    trafficSplit,
                    primaryMetric,
                    method,
                    plannedLooks,
                    alpha,
                    sequentialTuning,
                    minSamplePerVariant,
                    maxSamplePerVariant,
                    guardrails,
                    autoRollout,
                    rolloutSteps,
                    rolloutStepObservations,
                    effectType,
                    sides,
                    priorMean,
                    priorVariance,
                    sourceRunId,
                    null);
        }
    }

    /** One treatment arm asked for: its instruction and, optionally, its weight (two decimals). */
    public record Treatment(UUID instructionId, Double weight) {}

    @Transactional
    public AbTest create(CreateTest r) {
        var d = properties.defaults();
        if (r.agent() == null || r.agent().isBlank() || r.agent().length() > 100) {
            throw new ExperimentException(INVALID, "agent is required (1..100 characters)");
        }
        if (r.predictor() != null && (r.predictor().isBlank() || r.predictor().length() > 100)) {
            throw new ExperimentException(INVALID, "predictor must be 1..100 characters when given");
        }
        if (r.treatmentInstructionId() != null && r.treatments() != null) {
            throw new ExperimentException(INVALID, "give treatmentInstructionId or treatments, not both");
        }
        List<Treatment> asked = r.treatments() != null
                ? r.treatments()
                : r.treatmentInstructionId() == null
                        ? List.of()
                        : List.of(new Treatment(r.treatmentInstructionId(), null));
        if (asked.isEmpty()) {
            throw new ExperimentException(INVALID, "treatmentInstructionId (or treatments) is required");
        }
        if (asked.size() > TestArm.MAX_TREATMENTS) {
            throw new ExperimentException(
                    INVALID, "at most " + TestArm.MAX_TREATMENTS + " treatments, got " + asked.size());
        }
        for (int i = 0; i < asked.size(); i++) {
            if (asked.get(i) == null || asked.get(i).instructionId() == null) {
                throw new ExperimentException(INVALID, "treatments[" + i + "].instructionId is required");
            }
        }
        Instruction baseline = r.baselineInstructionId() != null
                ? instructions
                        .find(r.baselineInstructionId())
                        .orElseThrow(() -> new ExperimentException(
                                NOT_FOUND, "baseline instruction " + r.baselineInstructionId() + " is unknown"))
                : instructions
                        .active(r.agent(), r.predictor())
                        .orElseThrow(() -> new ExperimentException(
                                INVALID,
                                "no baselineInstructionId given and " + key(r.agent(), r.predictor())
                                        + " has no active instruction"));
        List<Instruction> treatments = new ArrayList<>();
        for (Treatment t : asked) {
            treatments.add(instructions
                    .find(t.instructionId())
                    .orElseThrow(() -> new ExperimentException(
                            NOT_FOUND, "treatment instruction " + t.instructionId() + " is unknown")));
        }
        List<Instruction> all = new ArrayList<>(treatments);
        all.add(0, baseline);
        for (Instruction i : all) {
            if (!i.belongsTo(r.agent(), r.predictor())) {
                throw new ExperimentException(
                        INVALID,
                        "instruction " + i.id() + " belongs to " + key(i.agentName(), i.predictorName()) + ", not "
                                + key(r.agent(), r.predictor()));
            }
        }
        if (all.stream().map(Instruction::id).distinct().count() < all.size()) {
            throw new ExperimentException(
                    INVALID,
                    asked.size() == 1
                            ? "baseline and treatment must be different instructions"
                            : "the baseline and every treatment must be different instructions");
        }
        List<NewArm> arms = weights(asked, r.trafficSplit(), d.trafficSplit());
        double split = arms.stream().mapToDouble(NewArm::weight).sum();
        split = BigDecimal.valueOf(split).setScale(2, RoundingMode.HALF_UP).doubleValue();
        String metric = or(r.primaryMetric(), d.primaryMetric());
        String method = or(r.method(), d.method());
        double alpha = or(r.alpha(), d.alpha());
        double tuning = or(r.sequentialTuning(), d.sequentialTuning());
        int min = or(r.minSamplePerVariant(), d.minSamplePerVariant());
        Integer max = r.maxSamplePerVariant() != null ? r.maxSamplePerVariant() : (Integer) d.maxSamplePerVariant();
        Guardrails guardrails = r.guardrails() != null
                ? r.guardrails()
                : new Guardrails(d.minSuccessRateRatio(), d.maxLatencyRatio(), d.maxLatencyP95Ratio());
        List<Double> steps = r.rolloutSteps() != null ? r.rolloutSteps() : d.rolloutSteps();
        int stepObservations = or(r.rolloutStepObservations(), d.rolloutStepObservations());
        TestDesign design;
        try {
            design = new TestDesign(
                            Method.fromCode(method),
                            Metric.fromCode(metric),
                            alpha,
                            tuning,
                            min,
                            max == null ? null : max.longValue(),
                            r.plannedLooks(),
                            split,
                            guardrails,
                            properties.analysis().srmThreshold(),
                            r.effectType() == null ? null : EffectType.fromCode(r.effectType()),
                            r.sides() == null ? null : Sidedness.fromCode(r.sides()),
                            prior(r.priorMean(), r.priorVariance()))
                    .withCuped(Boolean.TRUE.equals(r.cuped()));
        } catch (IllegalArgumentException e) {
            throw new ExperimentException(INVALID, e.getMessage());
        }
        if (asked.size() > 1 && design.method() == Method.BAYESIAN) {
            throw new ExperimentException(INVALID, "a multi-arm test is sequential or fixed, not bayesian");
        }
        validateSteps(steps);
        if (stepObservations < 1) throw new ExperimentException(INVALID, "rolloutStepObservations must be ≥ 1");
        UUID id = tests.insert(new NewTest(
                r.agent(),
                r.predictor(),
                baseline.id(),
                arms,
                design,
                r.autoRollout() != null ? r.autoRollout() : d.autoRollout(),
                steps,
                stepObservations,
                r.sourceRunId()));
        log.info(
                "created test {} for {}: {} vs {}",
                id,
                key(r.agent(), r.predictor()),
                baseline.id(),
                treatments.stream().map(Instruction::id).toList());
        return tests.find(id).orElseThrow();
    }

    /**
     * The treatments' weights: one treatment takes {@code trafficSplit} (or the default split); several take their
     * given weights (all or none), else {@code trafficSplit} (default: K/(K + 1)) shared equally, rounded down to
     * two decimals — the baseline keeps the rest (e.g. 0.34/0.33/0.33 for two treatments).
     */
    private static List<NewArm> weights(List<Treatment> asked, Double trafficSplit, double defaultSplit) {
        int k = asked.size();
        long given = asked.stream().filter(t -> t.weight() != null).count();
        if (k == 1) {
            if (given == 1 && trafficSplit != null) {
                throw new ExperimentException(INVALID, "give trafficSplit or the treatment's weight, not both");
            }
            double split = given == 1 ? asked.get(0).weight() : or(trafficSplit, defaultSplit);
            return List.of(new NewArm(asked.get(0).instructionId(), twoDecimals(split, "trafficSplit")));
        }
        if (given != 0 && given != k) {
            throw new ExperimentException(INVALID, "give a weight for every treatment or for none");
        }
        if (given == k && trafficSplit != null) {
            throw new ExperimentException(INVALID, "give trafficSplit or the treatments' weights, not both");
        }
        List<NewArm> arms = new ArrayList<>();
        double total = 0;
        for (Treatment t : asked) {
            double w = given == k
                    ? twoDecimals(t.weight(), "treatments[].weight")
                    : Math.floor((trafficSplit == null ? (double) k / (k + 1) : trafficSplit) / k * 100 + 1e-9) / 100;
            if (!(w > 0 && w < 1)) {
                throw new ExperimentException(INVALID, "every treatment's weight must be in (0, 1), got " + w);
            }
            total += w;
            arms.add(new NewArm(t.instructionId(), w));
        }
        if (!(Math.round(total * 100) < 100)) {
            throw new ExperimentException(
                    INVALID, "the treatments' weights must leave the baseline a share: they sum to " + total);
        }
        return arms;
    }

    private static double twoDecimals(Double value, String field) {
        if (value == null
                || !Double.isFinite(value)
                || value
                        != BigDecimal.valueOf(value)
                                .setScale(2, RoundingMode.HALF_UP)
                                .doubleValue()) {
            throw new ExperimentException(INVALID, field + " has at most two decimals (e.g. 0.25), got " + value);
        }
        return value;
    }

    /** Both or neither: an informative prior needs its mean and its variance. */
    private static GaussianPrior prior(Double mean, Double variance) {
        if (mean == null && variance == null) return null;
        if (mean == null || variance == null) {
            throw new IllegalArgumentException("an informative prior needs both priorMean and priorVariance");
        }
        return new GaussianPrior(mean, variance);
    }

    private static void validateSteps(List<Double> steps) {
        if (steps.isEmpty() || steps.size() > 10) throw new ExperimentException(INVALID, "rolloutSteps: 1..10 shares");
        double previous = 0;
        for (Double s : steps) {
            if (s == null || !(s > previous) || s > 1) {
                throw new ExperimentException(INVALID, "rolloutSteps must rise strictly within (0, 1], got " + steps);
            }
            previous = s;
        }
        if (previous != 1.0) throw new ExperimentException(INVALID, "rolloutSteps must end at 1.0, got " + steps);
    }

    /** Starts a draft: routes the split and opens the statistics. Only one live test per predictor. */
    @Transactional
    public AbTest start(UUID id) {
        AbTest t = locked(id);
        if (t.status() != TestStatus.DRAFT) {
            throw new ExperimentException(
                    CONFLICT, "test " + id + " is " + t.status().code() + ", not draft");
        }
        Optional<AbTest> live = tests.liveTest(t.agentName(), t.predictorName());
        if (live.isPresent()) {
            throw new ExperimentException(
                    CONFLICT, "test " + live.get().testId() + " is already live for " + t.predictorKey());
        }
        try {
            tests.markStarted(id, clock.instant());
        } catch (DuplicateKeyException e) {
            throw new ExperimentException(CONFLICT, "another test became live for " + t.predictorKey());
        }
        AbTest started = tests.find(id).orElseThrow();
        routing.route(started, started.baselineInstructionId(), started.treatments(), "test_started");
        decisions.started(started);
        meters.counter("promptloop.abtest.tests.started").increment();
        return started;
    }

    /** An operator ends a running test without a decision: everyone goes back to the baseline. */
    @Transactional
    public AbTest stop(UUID id) {
        AbTest t = locked(id);
        if (t.status() == TestStatus.DRAFT) {
            tests.conclude(id, TestStatus.STOPPED, null, null, "stopped before start", clock.instant());
            return tests.find(id).orElseThrow();
        }
        if (t.status() != TestStatus.RUNNING) {
            throw new ExperimentException(
                    CONFLICT,
                    "test " + id + " is " + t.status().code() + "; only a running test can be stopped"
                            + (t.isLive() ? " (use rollback during a rollout)" : ""));
        }
        tests.conclude(id, TestStatus.STOPPED, null, null, "stopped by an operator", clock.instant());
        AbTest stopped = tests.find(id).orElseThrow();
        routing.route(stopped, stopped.baselineInstructionId(), null, "test_stopped");
        var stats = tests.statistics(id, Phase.TEST);
        decisions.concluded(
                stopped,
                "stopped",
                null,
                null,
                count(stats, t.baselineVariant()),
                t.treatments().stream()
                        .mapToLong(a -> count(stats, a.variant()))
                        .sum());
        return stopped;
    }

    /**
     * Ends a running test with the analysis' decision (in the caller's transaction, test row locked).
     *
     * @param outcome treatment_wins, baseline_wins, guardrail_broken, futility or srm_blocked
     */
    @Transactional
    public AbTest conclude(
            AbTest t, Analysis analysis, String outcome, String winner, long baselineN, long treatmentN) {
        tests.conclude(t.testId(), TestStatus.CONCLUDED, winner, analysis.pValue(), analysis.reason(), clock.instant());
        AbTest concluded = tests.find(t.testId()).orElseThrow();
        decisions.concluded(concluded, outcome, winner, analysis, baselineN, treatmentN);
        meters.counter("promptloop.abtest.tests.concluded", "outcome", outcome).increment();
        if (concluded.treatmentWon() && concluded.autoRollout()) {
            return beginRollout(concluded);
        }
        routing.route(concluded, concluded.baselineInstructionId(), null, "test_concluded_" + outcome);
        return concluded;
    }

    /** An operator rolls out a concluded winner when the test was created without auto-rollout. */
    @Transactional
    public AbTest rollout(UUID id) {
        AbTest t = locked(id);
        if (t.status() != TestStatus.CONCLUDED || !t.treatmentWon()) {
            throw new ExperimentException(
                    CONFLICT,
                    "test " + id + " has no treatment win to roll out (status "
                            + t.status().code() + ")");
        }
        return beginRollout(t);
    }

    private AbTest beginRollout(AbTest t) {
        long treatmentN = count(
                tests.statistics(t.testId(), Phase.ROLLOUT), t.rolloutArm().variant());
        return enterStep(t, 1, treatmentN);
    }

    /** Moves to rollout step {@code step} (1-based); the last step (share 1.0) makes the winner the active instruction. */
    @Transactional
    public AbTest enterStep(AbTest t, int step, long treatmentRolloutN) {
        double share = t.rolloutSteps().get(step - 1);
        boolean last = step == t.rolloutSteps().size();
        TestStatus status = last ? TestStatus.ROLLED_OUT : TestStatus.ROLLING_OUT;
        tests.updateRollout(t.testId(), status, step, treatmentRolloutN, last, false, clock.instant());
        AbTest next = tests.find(t.testId()).orElseThrow();
        UUID from = last ? t.baselineInstructionId() : null;
        TestArm winner = t.rolloutArm();
        UUID active = last ? winner.instructionId() : t.baselineInstructionId();
        routing.route(
                next,
                active,
                List.of(new TestArm(winner.index(), winner.variant(), winner.instructionId(), share)),
                last ? "rolled_out" : "rollout_step");
        recordRollout(
                next,
                last ? "rollout" : "step",
                from == null ? t.baselineInstructionId() : from,
                share,
                last
                        ? "winner rolled out to all traffic"
                        : "rollout step " + step + " of " + t.rolloutSteps().size());
        decisions.rolloutChanged(next, active, share, last ? "rolled_out" : "rollout_step");
        log.info(
                "test {}: rollout step {}/{} at share {}",
                t.testId(),
                step,
                t.rolloutSteps().size(),
                share);
        return next;
    }

    /** The rolled-out winner held its guardrails long enough: stop routing the test, keep the winner. */
    @Transactional
    public AbTest completeMonitoring(AbTest t) {
        tests.updateRollout(
                t.testId(), TestStatus.ROLLED_OUT, t.rolloutStep(), t.rolloutStepBaseN(), true, true, clock.instant());
        AbTest done = tests.find(t.testId()).orElseThrow();
        routing.route(done, t.rolloutArm().instructionId(), null, "monitoring_complete");
        return done;
    }

    /** Back to the baseline: a broken guardrail after rollout, or an operator. */
    @Transactional
    public AbTest rollback(AbTest t, String reason, String eventReason) {
        tests.updateRollout(
                t.testId(),
                TestStatus.ROLLED_BACK,
                t.rolloutStep(),
                t.rolloutStepBaseN(),
                false,
                false,
                clock.instant());
        AbTest back = tests.find(t.testId()).orElseThrow();
        routing.route(back, t.baselineInstructionId(), null, eventReason);
        recordRollout(back, "rollback", t.rolloutArm().instructionId(), 0.0, reason);
        decisions.rolloutChanged(back, t.baselineInstructionId(), 0.0, eventReason);
        meters.counter("promptloop.abtest.rollbacks", "reason", eventReason).increment();
        log.warn("test {} rolled back: {}", t.testId(), reason);
        return back;
    }

    @Transactional
    public AbTest rollback(UUID id) {
        AbTest t = locked(id);
        if (t.status() != TestStatus.ROLLING_OUT && t.status() != TestStatus.ROLLED_OUT) {
            throw new ExperimentException(
                    CONFLICT, "test " + id + " is " + t.status().code() + "; nothing is rolled out to roll back");
        }
        return rollback(t, "rolled back by an operator", "manual");
    }

    private void recordRollout(AbTest t, String action, UUID from, double share, String reason) {
        UUID to = action.equals("rollback")
                ? t.baselineInstructionId()
                : t.rolloutArm().instructionId();
        jdbc.sql("""
                        INSERT INTO abtest.rollouts (test_id, agent_name, predictor_name, action, from_instruction_id,
                            to_instruction_id, treatment_share, reason)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        """)
                .params(
                        t.testId(),
                        t.agentName(),
                        t.predictorName(),
                        action,
                        from,
                        to,
                        BigDecimal.valueOf(share),
                        reason)
                .update();
    }

    private AbTest locked(UUID id) {
        return tests.lock(id).orElseThrow(() -> new ExperimentException(NOT_FOUND, "test " + id + " is unknown"));
    }

    static long count(java.util.Map<String, io.promptloop.abtest.analysis.domain.VariantStats> stats, String variant) {
        var s = stats.get(variant);
        return s == null ? 0 : s.n();
    }

    private static String key(String agent, String predictor) {
        return predictor == null ? agent : agent + "/" + predictor;
    }

    private static <T> T or(T value, T fallback) {
        return value != null ? value : fallback;
    }
}
