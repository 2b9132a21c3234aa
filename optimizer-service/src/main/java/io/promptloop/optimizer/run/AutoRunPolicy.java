package io.promptloop.optimizer.run;

import io.micrometer.core.instrument.MeterRegistry;
import io.promptloop.optimizer.config.OptimizerProperties;
import io.promptloop.optimizer.run.domain.AutoRunRule;
import io.promptloop.optimizer.run.domain.AutoRunRule.Verdict;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Business rule: an agent/predictor gets a GEPA run on its own when enough new low-score feedback on its active
 * instruction has arrived since its last run, no run and no A/B test is in flight for it, its daily budget of metric
 * calls allows one more run, and after futile runs the back-off is over or its evaluation scores dropped
 * ({@link AutoRunRule}). The test comes from the latest {@code instruction-routing} record
 * ({@code optimizer.routing_state}); the in-flight run rule is also a unique index, so two replicas cannot both start
 * one.
 */
@Component
public class AutoRunPolicy {

    private static final Logger log = LoggerFactory.getLogger(AutoRunPolicy.class);

    /** A run the policy started. */
    record Started(String agent, String predictor, UUID runId, Verdict verdict) {}

    /** What the policy would decide for one agent/predictor now, and why (GET /api/runs/policy). */
    public record Status(
            AutoRunRule.Predictor predictor,
            Verdict verdict,
            Instant backoffUntil,
            int requiredLowScoreExamples,
            int dailyMetricCalls,
            int runMetricCalls) {}

    private final JdbcClient jdbc;
    private final RunService runs;
    private final OptimizerProperties.Policy policy;
    private final AutoRunRule rule;
    private final MeterRegistry meters;
    private final Clock clock;
    private final TransactionTemplate snapshot;

    AutoRunPolicy(
            JdbcClient jdbc,
            RunService runs,
            OptimizerProperties properties,
            MeterRegistry meters,
            Clock clock,
            TransactionTemplate transaction) {
        this.jdbc = jdbc;
        this.snapshot = new TransactionTemplate(transaction.getTransactionManager());
        this.snapshot.setReadOnly(true);
        this.snapshot.setIsolationLevel(TransactionDefinition.ISOLATION_REPEATABLE_READ);
        this.runs = runs;
        this.policy = properties.policy();
        this.rule = new AutoRunRule(
                policy.minLowScoreExamples(),
                policy.minUsefulImprovementPercent(),
                policy.backoff(),
                policy.maxBackoff(),
                policy.scoreDrop(),
                policy.dailyMetricCalls(),
                policy.runMetricCalls());
        this.meters = meters;
        this.clock = clock;
    }

    public AutoRunRule rule() {
        return rule;
    }

    @Scheduled(
            fixedDelayString = "${promptloop.optimizer.policy.interval:5m}",
            initialDelayString = "${promptloop.optimizer.policy.interval:5m}")
    void scheduled() {
        if (policy.enabled()) startDueRuns();
    }

    /**
     * Every agent/predictor with an active instruction, and what the rule needs to know about it. One read-only
     * REPEATABLE READ snapshot for the evidence and every predictor's run history (one statement each): at READ
     * COMMITTED a run that ends between them would be in flight for the evidence and already futile in the streak.
     * A template, not {@code @Transactional}: {@link #startDueRuns} calls this on itself, past any proxy.
     */
    List<AutoRunRule.Predictor> predictors() {
        return snapshot.execute(status -> readPredictors());
    }

    private List<AutoRunRule.Predictor> readPredictors() {
        Instant now = clock.instant();
        record Row(
                String agent,
                String predictor,
                UUID instruction,
                boolean runInFlight,
                String testId,
                int lowScores,
                int evaluations,
                Double meanScore,
                int callsLast24h) {}
        // the window of evidence: since the predictor's last run began and since its active instruction became active
        List<Row> rows = jdbc.sql("""
                        WITH active AS (
                            SELECT i.agent_name, i.predictor_name, i.instruction_id,
                                   greatest(coalesce((SELECT max(r.created_at) FROM optimizer.prompt_optimization_runs r
                                                       WHERE r.agent_name = i.agent_name
                                                         AND r.predictor_name IS NOT DISTINCT FROM i.predictor_name),
                                                     '-infinity'),
                                            coalesce(i.activated_at, '-infinity')) AS since
                              FROM optimizer.optimized_instructions i
                             WHERE i.is_active)
                        SELECT a.agent_name, a.predictor_name, a.instruction_id,
                               EXISTS (SELECT 1 FROM optimizer.prompt_optimization_runs r
                                        WHERE r.agent_name = a.agent_name AND r.predictor_name IS NOT DISTINCT FROM a.predictor_name
                                          AND r.status IN ('pending', 'running')) AS run_in_flight,
                               rs.running_test_id,
                               (SELECT count(*) FILTER (WHERE x.last_score < ?)
                                  FROM optimizer.examples x
                                 WHERE x.agent_name = a.agent_name AND x.predictor_name IS NOT DISTINCT FROM a.predictor_name
                                   AND x.last_evaluated_at > a.since) AS low_scores,
                               (SELECT count(*) FROM optimizer.examples x
                                 WHERE x.agent_name = a.agent_name AND x.predictor_name IS NOT DISTINCT FROM a.predictor_name
                                   AND x.source = 'evaluation' AND x.last_score IS NOT NULL
                                   AND x.last_evaluated_at > a.since) AS evaluations,
                               (SELECT avg(x.last_score) FROM optimizer.examples x
                                 WHERE x.agent_name = a.agent_name AND x.predictor_name IS NOT DISTINCT FROM a.predictor_name
                                   AND x.source = 'evaluation' AND x.last_score IS NOT NULL
                                   AND x.last_evaluated_at > a.since) AS mean_score,
                               (SELECT coalesce(sum(r.metric_calls_spent), 0) FROM optimizer.prompt_optimization_runs r
                                 WHERE r.agent_name = a.agent_name AND r.predictor_name IS NOT DISTINCT FROM a.predictor_name
                                   AND r.created_at > ?) AS calls
                          FROM active a
                          LEFT JOIN optimizer.routing_state rs
                            ON rs.agent_name = a.agent_name AND rs.predictor_name IS NOT DISTINCT FROM a.predictor_name
                         ORDER BY a.agent_name, a.predictor_name
                        """)
                .params(policy.lowScore(), Timestamp.from(now.minus(Duration.ofHours(24))))
                .query((rs, n) -> new Row(
                        rs.getString(1),
                        rs.getString(2),
                        rs.getObject(3, UUID.class),
                        rs.getBoolean(4),
                        rs.getString(5),
                        saturated(rs.getLong(6)),
                        saturated(rs.getLong(7)),
                        rs.getObject(8) == null ? null : rs.getDouble(8),
                        saturated(rs.getLong(9))))
                .list();
        List<AutoRunRule.Predictor> predictors = new ArrayList<>(rows.size());
        for (Row r : rows) {
            AutoRunRule.Streak streak = rule.streak(history(r.agent(), r.predictor(), r.instruction()));
            predictors.add(new AutoRunRule.Predictor(
                    r.agent(),
                    r.predictor(),
                    r.runInFlight(),
                    r.testId(),
                    r.lowScores(),
                    r.evaluations(),
                    r.meanScore(),
                    streak.futileRunsInARow(),
                    streak.lastEndedAt(),
                    streak.lastEvidenceScore(),
                    r.callsLast24h()));
        }
        return predictors;
    }

    /** The finished runs of the active instruction, newest first (enough of them for any streak that matters). */
    private List<AutoRunRule.FinishedRun> history(String agent, String predictor, UUID instruction) {
        return jdbc.sql("""
                        SELECT status::text, improvement_percent, coalesce(completed_at, updated_at), evidence_mean_score
                          FROM optimizer.prompt_optimization_runs
                         WHERE agent_name = ? AND predictor_name IS NOT DISTINCT FROM ? AND baseline_instruction_id = ?
                           AND status IN ('completed', 'failed', 'cancelled')
                         ORDER BY coalesce(completed_at, updated_at) DESC, created_at DESC
                         LIMIT 64
                        """)
                .params(agent, predictor, instruction)
                .query((rs, n) -> new AutoRunRule.FinishedRun(
                        rs.getString(1),
                        rs.getObject(2) == null ? null : rs.getDouble(2),
                        rs.getTimestamp(3).toInstant(),
                        rs.getObject(4) == null ? null : rs.getDouble(4)))
                .list();
    }

    private static int saturated(long n) {
        return (int) Math.min(Integer.MAX_VALUE, n);
    }

    /** The policy's view of every agent/predictor: its verdict now and the numbers behind it. */
    public List<Status> status() {
        Instant now = clock.instant();
        return predictors().stream()
                .map(p -> new Status(
                        p,
                        rule.decide(p, now),
                        rule.eligibleAt(p),
                        rule.minLowScoreExamples(),
                        rule.dailyMetricCalls(),
                        rule.runMetricCalls()))
                .toList();
    }

    List<Started> startDueRuns() {
        List<Started> started = new ArrayList<>();
        Instant now = clock.instant();
        for (AutoRunRule.Predictor p : predictors()) {
            Verdict verdict = rule.decide(p, now);
            if (!verdict.starts()) {
                if (p.lowScoreExamplesSinceLastRun() >= policy.minLowScoreExamples()
                        && verdict != Verdict.RUN_IN_FLIGHT) {
                    // enough feedback, yet no run: say why (a test, the budget or the back-off)
                    meters.counter("promptloop.optimizer.policy.runs.withheld", "reason", verdict.name())
                            .increment();
                    log.debug(
                            "policy: {}/{} has {} new low-score examples but {} ({} futile runs in a row, back-off until {},"
                                    + " {} metric calls in 24 h, test {})",
                            p.agent(),
                            p.predictor(),
                            p.lowScoreExamplesSinceLastRun(),
                            verdict,
                            p.futileRunsInARow(),
                            rule.eligibleAt(p),
                            p.metricCallsLast24h(),
                            p.runningTestId());
                }
                continue;
            }
            try {
                var id = runs.start(new RunService.StartRun(
                        p.agent(),
                        p.predictor(),
                        "gepa",
                        policy.budget(),
                        null,
                        System.nanoTime(),
                        false,
                        null,
                        verdict == Verdict.START_ON_SCORE_DROP ? "policy:score_drop" : "policy",
                        null,
                        p.evaluationsSinceLastRun(),
                        p.meanEvaluationScoreSinceLastRun()));
                log.info(
                        "policy started run {} for {}/{} ({}: {} low-score examples, {} evaluations at mean {},"
                                + " {} futile runs in a row before)",
                        id,
                        p.agent(),
                        p.predictor(),
                        verdict,
                        p.lowScoreExamplesSinceLastRun(),
                        p.evaluationsSinceLastRun(),
                        p.meanEvaluationScoreSinceLastRun(),
                        p.futileRunsInARow());
                meters.counter("promptloop.optimizer.policy.runs.started", "verdict", verdict.name())
                        .increment();
                started.add(new Started(p.agent(), p.predictor(), id, verdict));
            } catch (RunService.RunRejectedException e) {
                // another replica started one first (unique index), or the examples cannot make a run yet
                log.info("policy skipped {}/{}: {}", p.agent(), p.predictor(), e.getMessage());
            }
        }
        return started;
    }
}
