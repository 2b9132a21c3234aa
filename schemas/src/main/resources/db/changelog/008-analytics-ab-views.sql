--liquibase formatted sql

-- promptloop :: analytics views over the A/B service's tables (moved here from 005: they read columns
-- that 006 adds). security_invoker like every analytics view; runOnChange with CREATE OR REPLACE VIEW, so a
-- column may only be appended (to remove or rename one, add a DROP VIEW to its changeset).

--changeset promptloop:008-v-active-instructions runOnChange:true
CREATE OR REPLACE VIEW analytics.v_active_instructions WITH (security_invoker = true) AS
SELECT i.instruction_id,
       i.agent_name,
       i.predictor_name,
       i.version,
       i.instruction_text,
       i.instruction_hash,
       i.optimizer_type,
       i.val_score,
       i.parent_instruction_ids,
       i.created_at,
       i.activated_at,
       i.run_id,
       r.baseline_score,
       r.optimized_score,
       r.improvement_percent,
       r.completed_at AS run_completed_at,
       won.test_id        AS promoted_by_test_id,
       won.p_value        AS promoted_by_test_p_value,
       won.concluded_at   AS promoted_at,
       live.test_id       AS live_test_id,
       live.status        AS live_test_status,
       live.traffic_split AS live_test_traffic_split
FROM optimizer.optimized_instructions i
LEFT JOIN optimizer.prompt_optimization_runs r ON r.run_id = i.run_id
LEFT JOIN LATERAL (
    SELECT t.test_id, t.p_value, t.concluded_at
    FROM abtest.prompt_ab_tests t
    WHERE t.treatment_instruction_id = i.instruction_id AND t.rolled_out
    ORDER BY t.concluded_at DESC
    LIMIT 1
) won ON true
LEFT JOIN LATERAL (
    SELECT t.test_id, t.status, t.traffic_split
    FROM abtest.prompt_ab_tests t
    WHERE t.agent_name = i.agent_name
      AND t.predictor_name IS NOT DISTINCT FROM i.predictor_name
      AND (t.status IN ('running', 'rolling_out') OR (t.status = 'rolled_out' AND NOT t.monitoring_complete))
) live ON true
WHERE i.is_active;
COMMENT ON VIEW analytics.v_active_instructions IS 'The active instruction per agent/predictor with the scores of the run that produced it, the A/B test that promoted it, and the test live on the predictor now, if any (seed 000). Needs SELECT on optimizer and abtest (analyst).';
--rollback DROP VIEW analytics.v_active_instructions;

--changeset promptloop:008-v-ab-test-results runOnChange:true
CREATE OR REPLACE VIEW analytics.v_ab_test_results WITH (security_invoker = true) AS
SELECT t.test_id,
       t.agent_name,
       t.predictor_name,
       t.status,
       t.method,
       t.primary_metric,
       t.traffic_split,
       t.baseline_instruction_id,
       t.treatment_instruction_id,
       t.source_run_id,
       t.created_at,
       t.started_at,
       t.concluded_at,
       t.winner,
       t.p_value,
       t.rolled_out,
       coalesce(b.n, 0)                                                  AS baseline_n,
       coalesce(tr.n, 0)                                                 AS treatment_n,
       b.score_sum / nullif(b.score_n, 0)                                AS baseline_mean_score,
       tr.score_sum / nullif(tr.score_n, 0)                              AS treatment_mean_score,
       b.successes::double precision / nullif(b.n, 0)                    AS baseline_success_rate,
       tr.successes::double precision / nullif(tr.n, 0)                  AS treatment_success_rate,
       b.latency_sum / nullif(b.latency_n, 0)                            AS baseline_mean_latency_ms,
       tr.latency_sum / nullif(tr.latency_n, 0)                          AS treatment_mean_latency_ms,
       (b.latency_quantiles ->> 'p95')::double precision                 AS baseline_latency_p95_ms,
       (tr.latency_quantiles ->> 'p95')::double precision                AS treatment_latency_p95_ms,
       a.analysis_number                                                 AS last_analysis_number,
       a.analyzed_at                                                     AS last_analyzed_at,
       a.relative_lift,
       a.ci_lower,
       a.ci_upper,
       a.chance_to_win,
       a.decision                                                        AS last_decision,
       s.severity                                                        AS last_srm_severity,
       s.p_value                                                         AS last_srm_p_value,
       t.conclusion_reason,
       t.rollout_steps,
       t.rollout_step,
       t.monitoring_complete,
       coalesce(rb.n, 0)                                                 AS rollout_baseline_n,
       coalesce(rt.n, 0)                                                 AS rollout_treatment_n,
       rt.successes::double precision / nullif(rt.n, 0)                  AS rollout_treatment_success_rate,
       g.analysis_number                                                 AS last_guardrail_check_number,
       g.guardrails_ok                                                   AS last_guardrails_ok
FROM abtest.prompt_ab_tests t
LEFT JOIN abtest.variant_statistics b ON b.test_id = t.test_id AND b.variant = t.baseline_variant
LEFT JOIN abtest.variant_statistics tr ON tr.test_id = t.test_id AND tr.variant = t.treatment_variant
LEFT JOIN LATERAL (
    SELECT ia.analysis_number, ia.analyzed_at, ia.relative_lift, ia.ci_lower, ia.ci_upper, ia.chance_to_win, ia.decision
    FROM abtest.ab_interim_analyses ia
    WHERE ia.test_id = t.test_id AND ia.metric <> 'guardrails'
    ORDER BY ia.analysis_number DESC
    LIMIT 1
) a ON true
LEFT JOIN abtest.rollout_statistics rb ON rb.test_id = t.test_id AND rb.variant = t.baseline_variant
LEFT JOIN abtest.rollout_statistics rt ON rt.test_id = t.test_id AND rt.variant = t.treatment_variant
LEFT JOIN LATERAL (
    SELECT ia.analysis_number, ia.guardrails_ok
    FROM abtest.ab_interim_analyses ia
    WHERE ia.test_id = t.test_id AND ia.metric = 'guardrails'
    ORDER BY ia.analysis_number DESC
    LIMIT 1
) g ON true
LEFT JOIN LATERAL (
    SELECT sc.severity, sc.p_value
    FROM abtest.ab_srm_checks sc
    WHERE sc.test_id = t.test_id
    ORDER BY sc.checked_at DESC
    LIMIT 1
) s ON true;
COMMENT ON VIEW analytics.v_ab_test_results IS 'A/B tests with per-arm counts, means, success rates and latency, the latest look of the test (decision data), the latest SRM check, and the rollout: step, rollout-phase counts and the latest guardrail watch (seed 000).';
--rollback DROP VIEW analytics.v_ab_test_results;
