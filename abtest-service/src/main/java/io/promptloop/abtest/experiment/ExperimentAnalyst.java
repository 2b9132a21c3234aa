package io.promptloop.abtest.experiment;

import io.micrometer.core.instrument.MeterRegistry;
import io.promptloop.abtest.analysis.domain.Analysis;
import io.promptloop.abtest.analysis.domain.Analyzer;
import io.promptloop.abtest.analysis.domain.Decision;
import io.promptloop.abtest.analysis.domain.GuardrailCheck;
import io.promptloop.abtest.analysis.domain.GuardrailResult;
import io.promptloop.abtest.analysis.domain.Method;
import io.promptloop.abtest.analysis.domain.MultiArmAnalysis;
import io.promptloop.abtest.analysis.domain.MultiArmAnalyzer;
import io.promptloop.abtest.analysis.domain.TestDesign;
import io.promptloop.abtest.analysis.domain.VariantStats;
import io.promptloop.abtest.experiment.domain.AbTest;
import io.promptloop.abtest.experiment.domain.TestArm;
import io.promptloop.abtest.experiment.domain.TestStatus;
import io.promptloop.abtest.experiment.persistence.ExperimentRepository;
import io.promptloop.abtest.experiment.persistence.LookRepository;
import io.promptloop.abtest.experiment.persistence.LookRepository.Look;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Isolation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Business rule: a running test is looked at whenever new observations arrived; each look is stored, and the
 * look that finds a winner (interval excludes zero, guardrails hold, SRM clear, minimum sample met), a broken
 * guardrail or futility at the maximum sample ends the test. After a win, each rollout step and the watch
 * after it hold only while every guardrail holds against the baseline; a breach rolls back at once.
 */
@Service
public class ExperimentAnalyst {

    private static final Logger log = LoggerFactory.getLogger(ExperimentAnalyst.class);

    private final ExperimentRepository tests;
    private final LookRepository analyses;
    private final ExperimentService experiments;
    private final MeterRegistry meters;

    public ExperimentAnalyst(
            ExperimentRepository tests, LookRepository analyses, ExperimentService experiments, MeterRegistry meters) {
        this.tests = tests;
        this.analyses = analyses;
        this.experiments = experiments;
        this.meters = meters;
    }

    /**
     * A test as its inspection shows it: the row, both phases' statistics and the analysis of the test phase's
     * (null for a draft), all from one snapshot.
     */
    public record Inspection(
            AbTest test,
            Map<String, VariantStats> testStats,
            Map<String, VariantStats> rolloutStats,
            MultiArmAnalysis analysis) {}

    /**
     * The test and the analysis of its current data, without storing or acting on it (for HTTP inspection). One
     * read-only REPEATABLE READ transaction: observation batches commit between the statements, and the analysis,
     * the arms' figures and the test's state shown beside each other must come from the same data.
     */
    @Transactional(readOnly = true, isolation = Isolation.REPEATABLE_READ)
    public Optional<Inspection> inspect(UUID testId) {
        Optional<AbTest> found = tests.find(testId);
        if (found.isEmpty()) return Optional.empty();
        AbTest t = found.get();
        var stats = tests.statistics(testId);
        MultiArmAnalysis analysis = null;
        if (t.status() != TestStatus.DRAFT) {
            double[] previous =
                    t.design().method() == Method.FIXED ? tests.previousLookFractions(testId) : new double[0];
            analysis = MultiArmAnalyzer.analyze(t.design(), arms(t, stats.test()), t.weights(), previous);
        }
        return Optional.of(new Inspection(t, stats.test(), stats.rollout(), analysis));
    }

    /** One look at a live test, unless another replica holds it or nothing new arrived. */
    @Transactional
    public void look(UUID testId) {
        var locked = tests.lockLiveSkipLocked(testId);
        if (locked.isEmpty()) return;
        AbTest t = locked.get();
        var stats = tests.statistics(testId); // both phases in one statement: one snapshot
        var testStats = stats.test();
        var rolloutStats = stats.rollout();
        long total = total(testStats) + total(rolloutStats);
        if (total == t.analyzedN()) return;
        if (t.status() == TestStatus.RUNNING) {
            lookAtRunning(t, testStats, total);
        } else {
            watchRollout(t, testStats, rolloutStats, total);
        }
    }

    private void lookAtRunning(AbTest t, Map<String, VariantStats> stats, long total) {
        List<VariantStats> arms = arms(t, stats);
        long[] counts = arms.stream().mapToLong(VariantStats::n).toArray();
        long minN = Arrays.stream(counts).min().orElse(0);
        double[] previous = new double[0];
        TestDesign design = t.design();
        if (design.method() == Method.FIXED) {
            previous = tests.previousLookFractions(t.testId());
            int next = previous.length + 1;
            double fraction = minN / (double) design.maxSamplePerVariant();
            // a fixed design looks only at its planned information fractions k/K (of the smallest arm)
            if (next <= design.plannedLooks() && fraction < (double) next / design.plannedLooks()) return;
        }
        MultiArmAnalysis m = MultiArmAnalyzer.analyze(design, arms, t.weights(), previous);
        Analysis a = m.summary();
        VariantStats baseline = arms.get(0);
        // the look's row compares the baseline with the lead arm (the winner, else the smallest p-value)
        int leadArm = m.lead().arm();
        VariantStats lead = arms.get(leadArm);
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("phase", "test");
        details.put("reason", a.reason());
        if (a.boundary() != null) details.put("boundary_z", a.boundary());
        if (a.guardrails() != null && !a.guardrails().breaches().isEmpty()) {
            details.put("guardrail_breaches", a.guardrails().breaches());
        }
        if (t.isMultiArm()) {
            details.put("lead_arm", t.arms().get(leadArm).variant());
            details.put("arms", t.arms().size());
        }
        var metric = design.metric();
        // CUPED's theta is pooled over the pair the look's row compares: the baseline and the lead arm
        Double theta = design.cuped() ? Analyzer.cupedTheta(metric, baseline, lead) : null;
        if (theta != null) {
            details.put("cuped_theta", theta);
            details.put(
                    "covariate_n", baseline.covariate().n() + lead.covariate().n());
            double rho = baseline.covariate().plus(lead.covariate()).correlation();
            if (Double.isFinite(rho)) details.put("covariate_correlation", rho);
        }
        int number = analyses.insert(
                t,
                new Look(
                        metric.code(),
                        a.decision().code(),
                        baseline.n(),
                        lead.n(),
                        mean(baseline.mean(metric)),
                        mean(lead.mean(metric)),
                        a,
                        a.guardrails() == null ? null : a.guardrails().ok(),
                        details,
                        theta));
        double[] means = arms.stream().mapToDouble(v -> v.mean(metric)).toArray();
        tests.ensureArms(t.testId());
        analyses.insertArms(t, number, m, counts, means);
        boolean alerted = t.srmAlerted();
        analyses.insertSrm(t.testId(), t.arms(), counts, m.srm());
        if (m.srm().blocksDecision(design.srmThreshold()) && !alerted) {
            alerted = true;
            meters.counter("promptloop.abtest.srm.alerts").increment();
            log.warn(
                    "ALERT sample ratio mismatch in test {} ({}): counts {} for weights {} ({}), p = {};"
                            + " decisions are blocked until it clears",
                    t.testId(),
                    t.predictorKey(),
                    Arrays.toString(counts),
                    Arrays.toString(t.weights()),
                    t.arms().stream().map(TestArm::variant).toList(),
                    m.srm().pValue());
        }
        tests.markAnalyzed(t.testId(), total, alerted);
        meters.counter("promptloop.abtest.looks", "decision", a.decision().code())
                .increment();
        if (a.decision() == Decision.CONTINUE) return;
        String outcome;
        String winner = null;
        switch (a.decision()) {
            case STOP_EFFICACY -> {
                boolean treatmentWins = m.winnerArm() > 0;
                outcome = treatmentWins ? "treatment_wins" : "baseline_wins";
                winner = t.arms().get(m.winnerArm()).variant();
            }
            case STOP_SAFETY -> {
                outcome = "guardrail_broken";
                winner = t.baselineVariant();
            }
            default -> outcome = a.reason() != null && a.reason().contains("srm") ? "srm_blocked" : "futility";
        }
        log.info("test {} concluded: {} ({})", t.testId(), outcome, a.reason());
        experiments.conclude(t, a, outcome, winner, baseline.n(), lead.n());
    }

    private void watchRollout(
            AbTest t, Map<String, VariantStats> testStats, Map<String, VariantStats> rolloutStats, long total) {
        VariantStats baseline = arm(testStats, t.baselineVariant()).plus(arm(rolloutStats, t.baselineVariant()));
        VariantStats treatment = arm(rolloutStats, t.rolloutArm().variant());
        GuardrailResult g = GuardrailCheck.evaluate(
                t.guardrails(),
                baseline,
                treatment,
                t.design().alpha(),
                t.design().nStar(),
                t.design().minSamplePerVariant());
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("phase", "rollout");
        details.put("rollout_step", t.rolloutStep());
        details.put("treatment_share", t.rolloutSteps().get(t.rolloutStep() - 1));
        if (!g.ok()) details.put("guardrail_breaches", g.breaches());
        analyses.insert(
                t,
                new Look(
                        "guardrails",
                        g.ok() ? Decision.CONTINUE.code() : Decision.STOP_SAFETY.code(),
                        baseline.n(),
                        treatment.n(),
                        mean(baseline.successRate()),
                        mean(treatment.successRate()),
                        null,
                        g.ok(),
                        details));
        tests.markAnalyzed(t.testId(), total, t.srmAlerted());
        if (!g.ok()) {
            experiments.rollback(
                    t, "guardrail broken after rollout: " + String.join("; ", g.breaches()), "rolled_back_guardrail");
            return;
        }
        long sinceStep = treatment.n() - (t.rolloutStepBaseN() == null ? 0 : t.rolloutStepBaseN());
        if (sinceStep < t.rolloutStepObservations()) return;
        if (t.rolloutStep() < t.rolloutSteps().size()) {
            experiments.enterStep(t, t.rolloutStep() + 1, treatment.n());
        } else {
            experiments.completeMonitoring(t);
        }
    }

    /** Statistics per arm, baseline first. */
    static List<VariantStats> arms(AbTest t, Map<String, VariantStats> stats) {
        return t.arms().stream().map(a -> arm(stats, a.variant())).toList();
    }

    static VariantStats arm(Map<String, VariantStats> stats, String variant) {
        return stats.getOrDefault(variant, VariantStats.empty());
    }

    private static long total(Map<String, VariantStats> stats) {
        return stats.values().stream().mapToLong(VariantStats::n).sum();
    }

    private static Double mean(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
