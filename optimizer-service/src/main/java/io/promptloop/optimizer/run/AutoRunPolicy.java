package io.promptloop.optimizer.run;

import io.promptloop.optimizer.config.OptimizerProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Business rule: an agent/predictor gets a GEPA run on its own when enough new low-score feedback has arrived
 * since its last run and no run is in flight for it (the in-flight rule is a unique index, so two replicas
 * cannot both start one).
 */
@Component
class AutoRunPolicy {

    private static final Logger log = LoggerFactory.getLogger(AutoRunPolicy.class);

    private final JdbcClient jdbc;
    private final RunService runs;
    private final OptimizerProperties.Policy policy;

    AutoRunPolicy(JdbcClient jdbc, RunService runs, OptimizerProperties properties) {
        this.jdbc = jdbc;
        this.runs = runs;
        this.policy = properties.policy();
    }

    @Scheduled(
            fixedDelayString = "${promptloop.optimizer.policy.interval:5m}",
            initialDelayString = "${promptloop.optimizer.policy.interval:5m}")
    void scheduled() {
        if (policy.enabled()) startDueRuns();
    }

    int startDueRuns() {
        var due = jdbc.sql("""
                        SELECT i.agent_name, i.predictor_name
                          FROM optimizer.optimized_instructions i
                         WHERE i.is_active
                           AND NOT EXISTS (SELECT 1 FROM optimizer.prompt_optimization_runs r
                                            WHERE r.agent_name = i.agent_name AND r.predictor_name IS NOT DISTINCT FROM i.predictor_name
                                              AND r.status IN ('pending', 'running'))
                           AND (SELECT count(*) FROM optimizer.examples x
                                 WHERE x.agent_name = i.agent_name AND x.predictor_name IS NOT DISTINCT FROM i.predictor_name
                                   AND x.last_score < ?
                                   AND x.last_evaluated_at > coalesce((SELECT max(r.created_at) FROM optimizer.prompt_optimization_runs r
                                                                        WHERE r.agent_name = i.agent_name
                                                                          AND r.predictor_name IS NOT DISTINCT FROM i.predictor_name),
                                                                       '-infinity')) >= ?
                        """)
                .params(policy.lowScore(), policy.minLowScoreExamples())
                .query((rs, n) -> new String[] {rs.getString(1), rs.getString(2)})
                .list();
        int started = 0;
        for (String[] p : due) {
            try {
                var id = runs.start(new RunService.StartRun(
                        p[0], p[1], "gepa", policy.budget(), null, System.nanoTime(), false, null, "policy"));
                log.info("policy started run {} for {}/{}", id, p[0], p[1]);
                started++;
            } catch (RunService.RunRejectedException e) {
                log.info("policy skipped {}/{}: {}", p[0], p[1], e.getMessage());
            }
        }
        return started;
    }
}
