package io.promptloop.console;

import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Rows of one agent's loop, written as the services would (a run, its instruction made active by a test, a second
 * test running with per-arm counts and a look), so pages can be checked against them. Each call uses a fresh
 * agent name: tests never see each other's rows.
 */
final class LoopRows {

    final String agent = "console-" + UUID.randomUUID().toString().substring(0, 8);
    final UUID baselineId = UUID.randomUUID();
    final UUID runId = UUID.randomUUID();
    final UUID optimizedId = UUID.randomUUID();
    final UUID concludedTestId = UUID.randomUUID();
    final UUID liveTestId = UUID.randomUUID();
    final UUID challengerId = UUID.randomUUID();

    LoopRows write(JdbcClient su) {
        su.sql("""
                INSERT INTO optimizer.optimized_instructions
                       (instruction_id, agent_name, version, instruction_text, instruction_hash, optimizer_type,
                        is_active, created_at)
                VALUES (?, ?, 1, 'Answer HR questions.', ?, 'gepa', false, now() - interval '2 hours')
                """).params(baselineId, agent, hash(1)).update();
        su.sql("""
                INSERT INTO optimizer.prompt_optimization_runs
                       (run_id, agent_name, status, max_metric_calls, metric_calls_spent, baseline_instruction_id,
                        baseline_score, optimized_score, improvement_percent, started_at, completed_at, created_at)
                VALUES (?, ?, 'completed', 400, 388, ?, 0.5500, 0.7100, 29.09,
                        now() - interval '90 minutes', now() - interval '80 minutes', now() - interval '95 minutes')
                """).params(runId, agent, baselineId).update();
        su.sql("""
                INSERT INTO optimizer.optimized_instructions
                       (instruction_id, run_id, agent_name, version, instruction_text, instruction_hash,
                        optimizer_type, is_active, val_score, parent_instruction_ids, created_at, activated_at)
                VALUES (?, ?, ?, 2, 'Answer HR questions; cite the policy section.', ?, 'gepa', true, 0.7100,
                        ARRAY[?]::uuid[], now() - interval '80 minutes', now() - interval '30 minutes')
                """).params(optimizedId, runId, agent, hash(2), baselineId).update();
        su.sql("""
                INSERT INTO optimizer.optimized_instructions
                       (instruction_id, agent_name, version, instruction_text, instruction_hash, optimizer_type,
                        is_active, created_at)
                VALUES (?, ?, 3, 'Answer HR questions briefly.', ?, 'gepa', false, now() - interval '10 minutes')
                """).params(challengerId, agent, hash(3)).update();
        su.sql("""
                INSERT INTO abtest.prompt_ab_tests
                       (test_id, agent_name, baseline_instruction_id, treatment_instruction_id, status, winner,
                        p_value, rolled_out, monitoring_complete, source_run_id, started_at, concluded_at, created_at)
                VALUES (?, ?, ?, ?, 'rolled_out', NULL, 0.0012, true, true, ?,
                        now() - interval '70 minutes', now() - interval '30 minutes', now() - interval '75 minutes')
                """)
                .params(concludedTestId, agent, baselineId, optimizedId, runId)
                .update();
        // the winner must be one of the test's arms (changelog 013): the arms first, as the service writes them
        su.sql("""
                INSERT INTO abtest.ab_test_arms (test_id, arm_index, variant, instruction_id, weight)
                VALUES (?, 0, 'baseline', ?, 0.5), (?, 1, 'treatment', ?, 0.5)
                """)
                .params(concludedTestId, baselineId, concludedTestId, optimizedId)
                .update();
        su.sql("UPDATE abtest.prompt_ab_tests SET winner = 'treatment' WHERE test_id = ?")
                .params(concludedTestId)
                .update();
        su.sql("""
                INSERT INTO abtest.prompt_ab_tests
                       (test_id, agent_name, baseline_instruction_id, treatment_instruction_id, status,
                        min_sample_per_variant, started_at, created_at)
                VALUES (?, ?, ?, ?, 'running', 200, now() - interval '5 minutes', now() - interval '6 minutes')
                """).params(liveTestId, agent, optimizedId, challengerId).update();
        su.sql("""
                INSERT INTO abtest.ab_test_arms (test_id, arm_index, variant, instruction_id, weight)
                VALUES (?, 0, 'baseline', ?, 0.5), (?, 1, 'treatment', ?, 0.5)
                """).params(liveTestId, optimizedId, liveTestId, challengerId).update();
        su.sql("""
                INSERT INTO abtest.variant_statistics (test_id, variant, n, successes, score_n, score_sum)
                VALUES (?, 'baseline', 120, 80, 120, 84.0), (?, 'treatment', 90, 70, 90, 72.0)
                """).params(liveTestId, liveTestId).update();
        su.sql("""
                INSERT INTO abtest.ab_interim_analyses
                       (test_id, analysis_number, method, baseline_n, treatment_n, relative_lift, ci_lower,
                        ci_upper, decision)
                VALUES (?, 3, 'sequential', 120, 90, 0.1428, -0.05, 0.33, 'continue')
                """).params(liveTestId).update();
        return this;
    }

    private static String hash(int i) {
        return String.format("%064x", i + (long) UUID.randomUUID().hashCode() * 1000);
    }
}
