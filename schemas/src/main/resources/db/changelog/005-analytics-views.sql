--liquibase formatted sql

-- promptloop :: schema analytics (views only, owned by promptloop_owner)
--
-- Every view is security_invoker: it is checked with the privileges of the role that queries it,
-- so a view never shows more than its caller may read from the underlying tables. The analyst
-- role can read everything. A service role can query the views built only from tables it may read
-- (e.g. the ingest service: v_session_statistics, v_session_export, v_evaluation_summary).
-- Views cannot guarantee an order: each exposes the columns to ORDER BY.
-- The changesets are runOnChange with CREATE OR REPLACE VIEW: to remove or rename a column of a
-- view, add a DROP VIEW to its changeset.
-- v_active_instructions and v_ab_test_results live in 008-analytics-ab-views.sql: they read columns that
-- later changelogs add.

--changeset promptloop:005-v-optimization-summary runOnChange:true
CREATE OR REPLACE VIEW analytics.v_optimization_summary WITH (security_invoker = true) AS
SELECT r.agent_name,
       r.predictor_name,
       r.optimizer_type,
       count(*)                                                        AS total_runs,
       count(*) FILTER (WHERE r.status = 'completed')                  AS completed_runs,
       count(*) FILTER (WHERE r.status = 'failed')                     AS failed_runs,
       count(*) FILTER (WHERE r.status IN ('pending', 'running'))      AS in_flight_runs,
       avg(r.baseline_score) FILTER (WHERE r.status = 'completed')     AS avg_baseline_score,
       avg(r.optimized_score) FILTER (WHERE r.status = 'completed')    AS avg_optimized_score,
       avg(r.improvement_percent) FILTER (WHERE r.status = 'completed') AS avg_improvement_percent,
       max(r.improvement_percent) FILTER (WHERE r.status = 'completed') AS max_improvement_percent,
       sum(r.metric_calls_spent)                                       AS total_metric_calls,
       max(r.completed_at) FILTER (WHERE r.status = 'completed')       AS last_completed_at,
       max(r.created_at)                                               AS last_run_created_at
FROM optimizer.prompt_optimization_runs r
GROUP BY r.agent_name, r.predictor_name, r.optimizer_type;
COMMENT ON VIEW analytics.v_optimization_summary IS 'Optimization runs aggregated per agent/predictor/optimizer (seed 000).';
--rollback DROP VIEW analytics.v_optimization_summary;

--changeset promptloop:005-v-optimizer-comparison runOnChange:true
CREATE OR REPLACE VIEW analytics.v_optimizer_comparison WITH (security_invoker = true) AS
SELECT r.optimizer_type,
       r.budget_preset,
       count(*)                                                          AS total_runs,
       count(DISTINCT r.agent_name)                                      AS agents,
       count(*) FILTER (WHERE r.status = 'completed')                    AS completed_runs,
       count(*) FILTER (WHERE r.status = 'failed')                       AS failed_runs,
       (count(*) FILTER (WHERE r.status = 'completed'))::double precision
           / nullif(count(*) FILTER (WHERE r.status IN ('completed', 'failed', 'cancelled')), 0) AS completion_rate,
       avg(r.improvement_percent) FILTER (WHERE r.status = 'completed')  AS avg_improvement_percent,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY r.improvement_percent)
           FILTER (WHERE r.status = 'completed')                         AS median_improvement_percent,
       avg(r.optimized_score) FILTER (WHERE r.status = 'completed')      AS avg_optimized_score,
       avg(r.metric_calls_spent) FILTER (WHERE r.status = 'completed')   AS avg_metric_calls,
       avg(extract(epoch FROM (r.completed_at - r.started_at)) / 60)
           FILTER (WHERE r.status = 'completed')                         AS avg_duration_minutes
FROM optimizer.prompt_optimization_runs r
GROUP BY r.optimizer_type, r.budget_preset;
COMMENT ON VIEW analytics.v_optimizer_comparison IS 'Optimizers compared by success, improvement, cost (metric calls) and duration, e.g. GEPA vs MIPROv2 (seed 000).';
--rollback DROP VIEW analytics.v_optimizer_comparison;

--changeset promptloop:005-v-session-statistics runOnChange:true
CREATE OR REPLACE VIEW analytics.v_session_statistics WITH (security_invoker = true) AS
SELECT s.id,
       s.agent_name,
       s.predictor_name,
       s.tester_id,
       s.tester_email,
       s.tester_name,
       s.session_start,
       s.session_end,
       s.branch_name,
       s.master_prompt_version,
       s.total_turns,
       s.total_improvements,
       extract(epoch FROM (coalesce(s.session_end, now()) - s.session_start)) / 60 AS duration_minutes,
       avg(t.avg_similarity)     AS avg_rag_similarity,
       avg(t.processing_time_ms) AS avg_processing_time_ms
FROM conversation.prompt_tuning_sessions s
LEFT JOIN conversation.tuning_conversation_turns t ON t.session_id = s.id
GROUP BY s.id;
COMMENT ON VIEW analytics.v_session_statistics IS 'Per-session statistics (seed 003 Session Statistics query). duration_minutes runs until now() for active sessions. Order by session_start DESC.';
--rollback DROP VIEW analytics.v_session_statistics;

--changeset promptloop:005-v-session-export runOnChange:true
CREATE OR REPLACE VIEW analytics.v_session_export WITH (security_invoker = true) AS
SELECT t.session_id,
       s.agent_name,
       s.predictor_name,
       s.tester_email,
       t.id            AS turn_id,
       t.turn_number,
       t.occurred_at   AS turn_timestamp,
       t.user_message,
       t.agent_response,
       i.id            AS improvement_id,
       i.improvement_note,
       i.category,
       i.occurred_at   AS improvement_timestamp
FROM conversation.tuning_conversation_turns t
JOIN conversation.prompt_tuning_sessions s ON s.id = t.session_id
LEFT JOIN conversation.tuning_improvements i ON i.turn_id = t.id;
COMMENT ON VIEW analytics.v_session_export IS 'The CSV export of a tuning session (seed 003): one row per improvement note, or one per turn without notes. Query WHERE session_id = ? ORDER BY turn_number, improvement_timestamp NULLS FIRST, improvement_id.';
--rollback DROP VIEW analytics.v_session_export;

--changeset promptloop:005-v-evaluation-summary runOnChange:true
CREATE OR REPLACE VIEW analytics.v_evaluation_summary WITH (security_invoker = true) AS
SELECT e.agent_name,
       e.predictor_name,
       (e.occurred_at AT TIME ZONE 'UTC')::date                    AS day,
       CASE WHEN e.run_id IS NULL THEN 'production' ELSE 'optimizer' END AS source,
       count(*)                                                     AS evaluations,
       count(DISTINCT e.example_id)                                 AS examples,
       avg(e.overall_score)                                         AS mean_overall_score,
       min(e.overall_score)                                         AS min_overall_score,
       max(e.overall_score)                                         AS max_overall_score,
       stddev_samp(e.overall_score)                                 AS stddev_overall_score,
       count(*) FILTER (WHERE e.overall_score < 0.5)                AS low_score_evaluations,
       avg(e.ragas_aggregate)                                       AS mean_ragas_aggregate,
       avg(e.rubric_aggregate)                                      AS mean_rubric_aggregate,
       count(*) FILTER (WHERE e.feedback IS NOT NULL)               AS with_feedback,
       count(*) FILTER (WHERE e.evaluator = 'human')                AS human_evaluations,
       count(*) FILTER (WHERE e.evaluator = 'llm_judge')            AS llm_judge_evaluations,
       count(*) FILTER (WHERE e.evaluator NOT IN ('human', 'llm_judge')) AS other_evaluations
FROM conversation.evaluations e
GROUP BY e.agent_name, e.predictor_name, (e.occurred_at AT TIME ZONE 'UTC')::date,
         CASE WHEN e.run_id IS NULL THEN 'production' ELSE 'optimizer' END;
COMMENT ON VIEW analytics.v_evaluation_summary IS 'Evaluations per agent/predictor and UTC day: mean overall score and counts. source separates production evaluations from answers to optimizer requests.';
--rollback DROP VIEW analytics.v_evaluation_summary;
