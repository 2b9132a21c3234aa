package io.promptloop.abtest.experiment.web;

import io.promptloop.abtest.analysis.domain.Analysis;
import io.promptloop.abtest.analysis.domain.ArmResult;
import io.promptloop.abtest.analysis.domain.Guardrails;
import io.promptloop.abtest.analysis.domain.Method;
import io.promptloop.abtest.analysis.domain.Metric;
import io.promptloop.abtest.analysis.domain.MultiArmAnalysis;
import io.promptloop.abtest.analysis.domain.PowerPlan;
import io.promptloop.abtest.analysis.domain.Sidedness;
import io.promptloop.abtest.analysis.domain.VariantStats;
import io.promptloop.abtest.config.AbtestProperties;
import io.promptloop.abtest.experiment.ExperimentAnalyst;
import io.promptloop.abtest.experiment.ExperimentException;
import io.promptloop.abtest.experiment.ExperimentService;
import io.promptloop.abtest.experiment.ExperimentService.CreateTest;
import io.promptloop.abtest.experiment.ExperimentService.Treatment;
import io.promptloop.abtest.experiment.domain.AbTest;
import io.promptloop.abtest.experiment.domain.TestArm;
import io.promptloop.abtest.experiment.domain.TestStatus;
import io.promptloop.abtest.experiment.persistence.ExperimentRepository;
import io.promptloop.abtest.instruction.InstructionCatalog;
import io.promptloop.schemas.Assignment;
import io.promptloop.support.web.Problems;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Create, start, stop, list and inspect tests; roll winners out and back; answer assignments. */
@RestController
@RequestMapping("/api")
class ExperimentController {

    private final ExperimentService experiments;
    private final ExperimentRepository tests;
    private final ExperimentAnalyst analyst;
    private final InstructionCatalog instructions;
    private final AbtestProperties properties;

    ExperimentController(
            ExperimentService experiments,
            ExperimentRepository tests,
            ExperimentAnalyst analyst,
            InstructionCatalog instructions,
            AbtestProperties properties) {
        this.experiments = experiments;
        this.tests = tests;
        this.analyst = analyst;
        this.instructions = instructions;
        this.properties = properties;
    }

    /** The body of {@code POST /api/tests}; everything but agent and treatment has a configured default. */
    record CreateTestRequest(
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
            Boolean start,
            Boolean cuped) {}

    @PostMapping("/tests")
    ResponseEntity<TestResponse> create(@RequestBody CreateTestRequest r) {
        if (r == null) throw new ExperimentException(ExperimentException.Kind.INVALID, "a JSON body is required");
        AbTest created = experiments.create(new CreateTest(
                r.agent(),
                r.predictor(),
                r.baselineInstructionId(),
                r.treatmentInstructionId(),
                r.treatments(),
                r.trafficSplit(),
                r.primaryMetric(),
                r.method(),
                r.plannedLooks(),
                r.alpha(),
                r.sequentialTuning(),
                r.minSamplePerVariant(),
                r.maxSamplePerVariant(),
                r.guardrails(),
                r.autoRollout(),
                r.rolloutSteps(),
                r.rolloutStepObservations(),
                r.effectType(),
                r.sides(),
                r.priorMean(),
                r.priorVariance(),
                null,
                r.cuped()));
        if (Boolean.TRUE.equals(r.start())) created = experiments.start(created.testId());
        return ResponseEntity.created(URI.create("/api/tests/" + created.testId()))
                .body(TestResponse.of(created));
    }

    /** What a planner asks before a test starts; see {@link #plan}. */
    record PlanRequest(
            String primaryMetric,
            Double baselineMean,
            Double standardDeviation,
            Double effect,
            Double power,
            Double alpha,
            String method,
            Double sequentialTuning,
            String sides,
            Long unitsPerArm,
            Long maxUnitsPerArm) {}

    /**
     * @param unitsPerArmForPower units per arm to detect {@code effect} with {@code power}; null when no effect was
     *     given, -1 when {@code maxUnitsPerArm} is not enough
     * @param power power at {@code unitsPerArm} for {@code effect}; null unless both were given
     * @param minimumDetectableEffect relative effect detected with {@code power} at {@code unitsPerArm}; null unless
     *     units were given
     */
    record PlanResponse(
            String method,
            String sides,
            double alpha,
            double targetPower,
            double variance,
            Long unitsPerArmForPower,
            Double power,
            Double minimumDetectableEffect) {}

    /**
     * Power and minimum detectable effect of the relative effect before a test starts (GrowthBook's power
     * calculator: {@link PowerPlan}). The success metric's variance is p(1 − p) of {@code baselineMean}; score and
     * latency need {@code standardDeviation}. A fixed design is planned as one look (alpha spending's final boundary
     * is close to it); a Bayesian design cannot be planned this way.
     */
    @PostMapping("/tests/plan")
    PlanResponse plan(@RequestBody PlanRequest r) {
        if (r == null) throw new ExperimentException(ExperimentException.Kind.INVALID, "a JSON body is required");
        var d = properties.defaults();
        try {
            Metric metric = Metric.fromCode(r.primaryMetric() == null ? d.primaryMetric() : r.primaryMetric());
            Method method = Method.fromCode(r.method() == null ? d.method() : r.method());
            Sidedness sides = r.sides() == null ? Sidedness.TWO_SIDED : Sidedness.fromCode(r.sides());
            if (method == Method.BAYESIAN) {
                throw new IllegalArgumentException("planning covers sequential and fixed designs, not bayesian");
            }
            if (r.baselineMean() == null) throw new IllegalArgumentException("baselineMean is required");
            double variance;
            if (metric == Metric.SUCCESS) {
                double p = r.baselineMean();
                if (!(p > 0 && p < 1)) throw new IllegalArgumentException("a success rate must be in (0, 1)");
                variance = p * (1 - p);
            } else {
                if (r.standardDeviation() == null) {
                    throw new IllegalArgumentException("standardDeviation is required for " + metric.code());
                }
                variance = r.standardDeviation() * r.standardDeviation();
            }
            double alpha = r.alpha() == null ? d.alpha() : r.alpha();
            double targetPower = r.power() == null ? 0.8 : r.power();
            double nStar = method == Method.SEQUENTIAL
                    ? (r.sequentialTuning() == null ? d.sequentialTuning() : r.sequentialTuning())
                    : 0;
            PowerPlan plan = new PowerPlan(r.baselineMean(), variance, alpha, sides == Sidedness.TWO_SIDED, nStar);
            long max = r.maxUnitsPerArm() == null ? 100_000_000L : r.maxUnitsPerArm();
            Long needed = r.effect() == null ? null : plan.unitsPerArm(r.effect(), targetPower, max);
            Double power =
                    r.effect() == null || r.unitsPerArm() == null ? null : plan.power(r.effect(), r.unitsPerArm());
            Double mde = r.unitsPerArm() == null ? null : plan.minimumDetectableEffect(targetPower, r.unitsPerArm());
            if (needed == null && mde == null) {
                throw new IllegalArgumentException("give effect (for the units needed) or unitsPerArm (for the MDE)");
            }
            return new PlanResponse(method.code(), sides.code(), alpha, targetPower, variance, needed, power, mde);
        } catch (IllegalArgumentException e) {
            throw new ExperimentException(ExperimentException.Kind.INVALID, e.getMessage());
        }
    }

    @PostMapping("/tests/{id}/start")
    TestResponse start(@PathVariable UUID id) {
        return TestResponse.of(experiments.start(id));
    }

    @PostMapping("/tests/{id}/stop")
    TestResponse stop(@PathVariable UUID id) {
        return TestResponse.of(experiments.stop(id));
    }

    @PostMapping("/tests/{id}/rollout")
    TestResponse rollout(@PathVariable UUID id) {
        return TestResponse.of(experiments.rollout(id));
    }

    @PostMapping("/tests/{id}/rollback")
    TestResponse rollback(@PathVariable UUID id) {
        return TestResponse.of(experiments.rollback(id));
    }

    @GetMapping("/tests")
    List<TestResponse> list(
            @RequestParam(required = false) String agent,
            @RequestParam(required = false) String status,
            @RequestParam(defaultValue = "50") int limit,
            @RequestParam(defaultValue = "0") int offset) {
        if (limit < 1 || limit > 500) throw new ExperimentException(ExperimentException.Kind.INVALID, "limit: 1..500");
        if (offset < 0) throw new ExperimentException(ExperimentException.Kind.INVALID, "offset must be ≥ 0");
        if (status != null) {
            try {
                TestStatus.fromCode(status);
            } catch (IllegalArgumentException e) {
                throw new ExperimentException(ExperimentException.Kind.INVALID, "unknown status " + status);
            }
        }
        return tests.list(agent, status, limit, offset).stream()
                .map(TestResponse::of)
                .toList();
    }

    /**
     * A test with per-arm statistics (test and rollout phase) and the live analysis of its current data: the
     * test-level {@code analysis} (decision, K-arm SRM, the lead arm's estimate) and each treatment against the
     * baseline in {@code armAnalyses}.
     */
    record TestView(
            TestResponse test,
            Map<String, ArmView> arms,
            Map<String, ArmView> rolloutArms,
            Analysis analysis,
            List<ArmAnalysisView> armAnalyses) {}

    /** One treatment arm against the baseline at its Holm level. */
    record ArmAnalysisView(
            String variant,
            UUID instructionId,
            String state,
            double holmAlpha,
            double pValue,
            double adjustedPValue,
            Analysis analysis) {

        static ArmAnalysisView of(AbTest t, ArmResult r) {
            TestArm arm = t.arms().get(r.arm());
            return new ArmAnalysisView(
                    arm.variant(),
                    arm.instructionId(),
                    r.state().code(),
                    r.holmAlpha(),
                    r.pValue(),
                    r.adjustedPValue(),
                    r.analysis());
        }
    }

    record ArmView(
            long n,
            long successes,
            double successRate,
            Double meanScore,
            Double scoreVariance,
            Double meanLatencyMs,
            Map<String, Double> latencyQuantilesMs,
            long ratioN,
            Double ratio,
            long covariateN,
            Double covariateCorrelation) {

        static ArmView of(VariantStats s) {
            var digest = s.latencyDigest();
            Map<String, Double> q = new LinkedHashMap<>();
            if (digest != null && digest.count() > 0) {
                q.put("p50", digest.quantile(0.5));
                q.put("p95", digest.quantile(0.95));
                q.put("p99", digest.quantile(0.99));
            }
            return new ArmView(
                    s.n(),
                    s.successes(),
                    s.n() == 0 ? 0 : s.successRate(),
                    finite(s.score().mean()),
                    finite(s.score().variance()),
                    finite(s.latency().mean()),
                    q,
                    s.ratio().n(),
                    finite(s.mean(Metric.RATIO)),
                    s.covariate().n(),
                    finite(s.covariate().correlation()));
        }
    }

    @GetMapping("/tests/{id}")
    TestView inspect(@PathVariable UUID id) {
        ExperimentAnalyst.Inspection inspection = analyst.inspect(id)
                .orElseThrow(() ->
                        new ExperimentException(ExperimentException.Kind.NOT_FOUND, "test " + id + " is unknown"));
        AbTest t = inspection.test();
        Map<String, ArmView> arms = new LinkedHashMap<>();
        inspection.testStats().forEach((k, v) -> arms.put(k, ArmView.of(v)));
        Map<String, ArmView> rollout = new LinkedHashMap<>();
        inspection.rolloutStats().forEach((k, v) -> rollout.put(k, ArmView.of(v)));
        MultiArmAnalysis analysis = inspection.analysis();
        return new TestView(
                TestResponse.of(t),
                arms,
                rollout,
                analysis == null ? null : analysis.summary(),
                analysis == null
                        ? List.of()
                        : analysis.arms().stream()
                                .map(r -> ArmAnalysisView.of(t, r))
                                .toList());
    }

    /** What a unit is served: the SHA-256 rule on the live test's salt and split, else the active instruction. */
    record AssignmentView(
            String agent,
            String predictor,
            String unit,
            UUID testId,
            String variant,
            int bucket,
            UUID instructionId,
            int version,
            String instructionText) {}

    @GetMapping("/assignment")
    AssignmentView assign(
            @RequestParam String agent, @RequestParam(required = false) String predictor, @RequestParam String unit) {
        if (unit.isEmpty() || unit.length() > 200) {
            throw new ExperimentException(ExperimentException.Kind.INVALID, "unit must be 1..200 characters");
        }
        var live = tests.liveTest(agent, predictor);
        if (live.isPresent()) {
            AbTest t = live.get();
            // the arms the routing carries: the treatments while the test runs, the winner at its share after
            List<TestArm> routed = t.status() == TestStatus.RUNNING ? t.treatments() : List.of(t.rolloutArm());
            double[] weights = t.status() == TestStatus.RUNNING
                    ? routed.stream().mapToDouble(TestArm::weight).toArray()
                    : new double[] {t.rolloutSteps().get(t.rolloutStep() - 1)};
            int arm = Assignment.arm(t.salt(), unit, weights);
            UUID instructionId = arm > 0
                    ? routed.get(arm - 1).instructionId()
                    : (t.status() == TestStatus.ROLLED_OUT
                            ? t.rolloutArm().instructionId()
                            : t.baselineInstructionId());
            var instruction = instructions.find(instructionId).orElseThrow();
            return new AssignmentView(
                    agent,
                    predictor,
                    unit,
                    t.testId(),
                    arm > 0 ? routed.get(arm - 1).variant() : t.baselineVariant(),
                    Assignment.bucket(t.salt(), unit),
                    instruction.id(),
                    instruction.version(),
                    instruction.text());
        }
        var active = instructions
                .active(agent, predictor)
                .orElseThrow(() -> new ExperimentException(
                        ExperimentException.Kind.NOT_FOUND,
                        "no active instruction for " + (predictor == null ? agent : agent + "/" + predictor)));
        return new AssignmentView(agent, predictor, unit, null, null, -1, active.id(), active.version(), active.text());
    }

    /** Malformed bodies and parameters are answered by the shared problem handler (service-support). */
    @ExceptionHandler(ExperimentException.class)
    ResponseEntity<ProblemDetail> problem(ExperimentException e, HttpServletRequest request) {
        HttpStatus status = switch (e.kind()) {
            case INVALID -> HttpStatus.BAD_REQUEST;
            case NOT_FOUND -> HttpStatus.NOT_FOUND;
            case CONFLICT -> HttpStatus.CONFLICT;
        };
        ProblemDetail problem = status == HttpStatus.BAD_REQUEST
                ? Problems.invalid(e.getMessage(), request)
                : Problems.problem(status, e.getMessage(), request);
        return ResponseEntity.status(status).body(problem);
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
