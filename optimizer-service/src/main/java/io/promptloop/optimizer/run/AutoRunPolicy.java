package io.promptloop.optimizer.run;

import io.micrometer.core.instrument.MeterRegistry;
import io.promptloop.optimizer.config.OptimizerProperties;
import io.promptloop.optimizer.run.domain.AutoRunRule;
import io.promptloop.optimizer.run.domain.AutoRunRule.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Business rule: an agent/predictor gets a GEPA run on its own when enough new low-score feedback has arrived
 * since its last run, no run is in flight for it and no A/B test is in flight for it ({@link AutoRunRule}). The
 * test comes from the latest {@code instruction-routing} record ({@code optimizer.routing_state}); the in-flight
 * run rule is also a unique index, so two replicas cannot both start one.
 */
@Component
class AutoRunPolicy {

    private static final Logger log = LoggerFactory.getLogger(AutoRunPolicy.class);

    /** A run the policy started. */
    record Started(String agent, String predictor, UUID runId) {}

    private final JdbcClient jdbc;
    private final RunService runs;
    private final OptimizerProperties.Policy policy;
    private final AutoRunRule rule;
    private final MeterRegistry meters;

    AutoRunPolicy(JdbcClient jdbc, RunService runs, OptimizerProperties properties, MeterRegistry meters) {
        this.jdbc = jdbc;
        this.runs = runs;
        this.policy = properties.policy();
        this.rule = new AutoRunRule(policy.minLowScoreExamples());
        this.meters = meters;
    }

    @Scheduled(
            fixedDelayString = "${promptloop.optimizer.policy.interval:5m}",
            initialDelayString = "${promptloop.optimizer.policy.interval:5m}")
    void scheduled() {
        if (policy.enabled()) startDueRuns();
    }

    /** Every agent/predictor with an active instruction, and what the rule needs to know about it. */
    List<AutoRunRule.Predictor> predictors() {
        return jdbc.sql("""
                        SELECT i.agent_name, i.predictor_name,
                               EXISTS (SELECT 1 FROM optimizer.prompt_optimization_runs r
                                        WHERE r.agent_name = i.agent_name AND r.predictor_name IS NOT DISTINCT FROM i.predictor_name
                                          AND r.status IN ('pending', 'running')) AS run_in_flight,
                               rs.running_test_id,
                               (SELECT count(*) FROM optimizer.examples x
                                 WHERE x.agent_name = i.agent_name AND x.predictor_name IS NOT DISTINCT FROM i.predictor_name
                                   AND x.last_score < ?
                                   AND x.last_evaluated_at > coalesce((SELECT max(r.created_at) FROM optimizer.prompt_optimization_runs r
                                                                        WHERE r.agent_name = i.agent_name
                                                                          AND r.predictor_name IS NOT DISTINCT FROM i.predictor_name),
                                                                       '-infinity')) AS low_scores
                          FROM optimizer.optimized_instructions i
                          LEFT JOIN optimizer.routing_state rs
                            ON rs.agent_name = i.agent_name AND rs.predictor_name IS NOT DISTINCT FROM i.predictor_name
                         WHERE i.is_active
                         ORDER BY i.agent_name, i.predictor_name
                        """)
                .param(policy.lowScore())
                .query((rs, n) -> new AutoRunRule.Predictor(
                        rs.getString(1), rs.getString(2), rs.getBoolean(3), rs.getString(4), (int)
                                Math.min(Integer.MAX_VALUE, rs.getLong(5))))
                .list();
    }

    List<Started> startDueRuns() {
        List<Started> started = new ArrayList<>();
        for (AutoRunRule.Predictor p : predictors()) {
            Verdict verdict = rule.decide(p);
            if (verdict != Verdict.START) {
                if (verdict == Verdict.TEST_IN_FLIGHT
                        && p.lowScoreExamplesSinceLastRun() >= policy.minLowScoreExamples())
                    log.info(
                            "policy: {}/{} has enough new feedback but A/B test {} is in flight",
                            p.agent(),
                            p.predictor(),
                            p.runningTestId());
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
                        "policy",
                        null));
                log.info("policy started run {} for {}/{}", id, p.agent(), p.predictor());
                meters.counter("promptloop.optimizer.policy.runs.started").increment();
                started.add(new Started(p.agent(), p.predictor(), id));
            } catch (RunService.RunRejectedException e) {
                // another replica started one first (unique index), or the examples cannot make a run yet
                log.info("policy skipped {}/{}: {}", p.agent(), p.predictor(), e.getMessage());
            }
        }
        return started;
    }
}
