--liquibase formatted sql

-- promptloop :: CUPED and ratio metrics (issue 11)
--
-- Both need per-arm bivariate moments of paired values (x, y): n, Σx, Σy and the centred sums Σ(x − x̄)², Σ(y − ȳ)²
-- and Σ(x − x̄)(y − ȳ), merged per batch by Chan et al.'s update (the cross term as in Pébay 2008), counted once like
-- every other sum (guarded by observation_ledger, in the transaction of the ledger insert).
--   covariate_*: x = the observation's pre-exposure covariate, y = the value of the test's primary metric, for the
--                observations that carry both (the analysis fills in units without a covariate: see the README);
--   ratio_*:     x = ratio_numerator, y = ratio_denominator, for the observations that carry both.
-- Rows counted before this change have no pairs (0): a test that was running keeps its unadjusted analysis data.

--changeset promptloop:012-paired-moments
ALTER TABLE abtest.variant_statistics
    ADD COLUMN covariate_n     bigint           NOT NULL DEFAULT 0,
    ADD COLUMN covariate_x_sum double precision NOT NULL DEFAULT 0,
    ADD COLUMN covariate_y_sum double precision NOT NULL DEFAULT 0,
    ADD COLUMN covariate_x_m2  double precision NOT NULL DEFAULT 0,
    ADD COLUMN covariate_y_m2  double precision NOT NULL DEFAULT 0,
    ADD COLUMN covariate_xy    double precision NOT NULL DEFAULT 0,
    ADD COLUMN ratio_n         bigint           NOT NULL DEFAULT 0,
    ADD COLUMN ratio_x_sum     double precision NOT NULL DEFAULT 0,
    ADD COLUMN ratio_y_sum     double precision NOT NULL DEFAULT 0,
    ADD COLUMN ratio_x_m2      double precision NOT NULL DEFAULT 0,
    ADD COLUMN ratio_y_m2      double precision NOT NULL DEFAULT 0,
    ADD COLUMN ratio_xy        double precision NOT NULL DEFAULT 0,
    ADD CONSTRAINT variant_statistics_covariate_check CHECK (covariate_n BETWEEN 0 AND n AND covariate_x_m2 >= 0 AND covariate_y_m2 >= 0),
    ADD CONSTRAINT variant_statistics_ratio_check CHECK (ratio_n BETWEEN 0 AND n AND ratio_x_m2 >= 0 AND ratio_y_m2 >= 0);
COMMENT ON COLUMN abtest.variant_statistics.covariate_n IS 'CUPED pairs counted: observations with a pre-exposure covariate and a value of the test''s primary metric.';
COMMENT ON COLUMN abtest.variant_statistics.covariate_x_sum IS 'Sum of the pre-exposure covariates.';
COMMENT ON COLUMN abtest.variant_statistics.covariate_y_sum IS 'Sum of the primary metric''s values of the same observations.';
COMMENT ON COLUMN abtest.variant_statistics.covariate_x_m2 IS 'Centred sum of squares of the covariates, sum((x - mean_x)^2).';
COMMENT ON COLUMN abtest.variant_statistics.covariate_y_m2 IS 'Centred sum of squares of the metric values, sum((y - mean_y)^2).';
COMMENT ON COLUMN abtest.variant_statistics.covariate_xy IS 'Centred sum of cross-products, sum((x - mean_x)(y - mean_y)): covariance = covariate_xy / (covariate_n - 1).';
COMMENT ON COLUMN abtest.variant_statistics.ratio_n IS 'Observations that carried a ratio numerator and denominator.';
COMMENT ON COLUMN abtest.variant_statistics.ratio_x_sum IS 'Sum of ratio numerators: the arm''s ratio is ratio_x_sum / ratio_y_sum.';
COMMENT ON COLUMN abtest.variant_statistics.ratio_y_sum IS 'Sum of ratio denominators.';
COMMENT ON COLUMN abtest.variant_statistics.ratio_x_m2 IS 'Centred sum of squares of the numerators.';
COMMENT ON COLUMN abtest.variant_statistics.ratio_y_m2 IS 'Centred sum of squares of the denominators.';
COMMENT ON COLUMN abtest.variant_statistics.ratio_xy IS 'Centred sum of cross-products of numerator and denominator (delta-method covariance).';
ALTER TABLE abtest.rollout_statistics
    ADD COLUMN covariate_n     bigint           NOT NULL DEFAULT 0,
    ADD COLUMN covariate_x_sum double precision NOT NULL DEFAULT 0,
    ADD COLUMN covariate_y_sum double precision NOT NULL DEFAULT 0,
    ADD COLUMN covariate_x_m2  double precision NOT NULL DEFAULT 0,
    ADD COLUMN covariate_y_m2  double precision NOT NULL DEFAULT 0,
    ADD COLUMN covariate_xy    double precision NOT NULL DEFAULT 0,
    ADD COLUMN ratio_n         bigint           NOT NULL DEFAULT 0,
    ADD COLUMN ratio_x_sum     double precision NOT NULL DEFAULT 0,
    ADD COLUMN ratio_y_sum     double precision NOT NULL DEFAULT 0,
    ADD COLUMN ratio_x_m2      double precision NOT NULL DEFAULT 0,
    ADD COLUMN ratio_y_m2      double precision NOT NULL DEFAULT 0,
    ADD COLUMN ratio_xy        double precision NOT NULL DEFAULT 0,
    ADD CONSTRAINT rollout_statistics_covariate_check CHECK (covariate_n BETWEEN 0 AND n AND covariate_x_m2 >= 0 AND covariate_y_m2 >= 0),
    ADD CONSTRAINT rollout_statistics_ratio_check CHECK (ratio_n BETWEEN 0 AND n AND ratio_x_m2 >= 0 AND ratio_y_m2 >= 0);
COMMENT ON COLUMN abtest.rollout_statistics.covariate_n IS 'CUPED pairs (as variant_statistics.covariate_n).';
COMMENT ON COLUMN abtest.rollout_statistics.ratio_n IS 'Ratio pairs (as variant_statistics.ratio_n).';
--rollback ALTER TABLE abtest.rollout_statistics DROP COLUMN covariate_n, DROP COLUMN covariate_x_sum, DROP COLUMN covariate_y_sum, DROP COLUMN covariate_x_m2, DROP COLUMN covariate_y_m2, DROP COLUMN covariate_xy, DROP COLUMN ratio_n, DROP COLUMN ratio_x_sum, DROP COLUMN ratio_y_sum, DROP COLUMN ratio_x_m2, DROP COLUMN ratio_y_m2, DROP COLUMN ratio_xy;
--rollback ALTER TABLE abtest.variant_statistics DROP COLUMN covariate_n, DROP COLUMN covariate_x_sum, DROP COLUMN covariate_y_sum, DROP COLUMN covariate_x_m2, DROP COLUMN covariate_y_m2, DROP COLUMN covariate_xy, DROP COLUMN ratio_n, DROP COLUMN ratio_x_sum, DROP COLUMN ratio_y_sum, DROP COLUMN ratio_x_m2, DROP COLUMN ratio_y_m2, DROP COLUMN ratio_xy;

--changeset promptloop:012-cuped-and-ratio-design
ALTER TABLE abtest.prompt_ab_tests
    ADD COLUMN cuped boolean NOT NULL DEFAULT false,
    DROP CONSTRAINT prompt_ab_tests_primary_metric_check,
    ADD CONSTRAINT prompt_ab_tests_primary_metric_check CHECK (primary_metric IN ('score', 'success', 'latency_ms', 'ratio')),
    ADD CONSTRAINT prompt_ab_tests_cuped_check CHECK (NOT (cuped AND primary_metric = 'ratio'));
COMMENT ON COLUMN abtest.prompt_ab_tests.cuped IS 'Regression-adjust the primary metric with the observations'' pre-exposure covariate (CUPED, gbstats RegressionAdjustedStatistic; theta pooled over the arms).';
COMMENT ON COLUMN abtest.prompt_ab_tests.primary_metric IS 'Decision metric: score (mean), success (rate), latency_ms, or ratio (sum of numerators / sum of denominators, delta method).';
ALTER TABLE abtest.ab_interim_analyses
    ADD COLUMN cuped_theta double precision;
COMMENT ON COLUMN abtest.ab_interim_analyses.cuped_theta IS 'CUPED tests: the pooled regression coefficient theta of this look (0 = no adjustment possible); NULL otherwise.';
--rollback ALTER TABLE abtest.ab_interim_analyses DROP COLUMN cuped_theta;
--rollback ALTER TABLE abtest.prompt_ab_tests DROP CONSTRAINT prompt_ab_tests_cuped_check, DROP CONSTRAINT prompt_ab_tests_primary_metric_check, DROP COLUMN cuped, ADD CONSTRAINT prompt_ab_tests_primary_metric_check CHECK (primary_metric IN ('score', 'success', 'latency_ms'));

-- v_ab_test_results is defined here from now on (010 keeps its version: rerunning it would drop columns);
-- runOnChange with CREATE OR REPLACE VIEW, so a column may only be appended.
--changeset promptloop:012-v-ab-test-results runOnChange:true
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
       g.guardrails_ok                                                   AS last_guardrails_ok,
       t.effect_type,
       t.sidedness,
       a.effect                                                          AS last_effect,
       b.score_m2 / nullif(b.score_n - 1, 0)                             AS baseline_score_variance,
       tr.score_m2 / nullif(tr.score_n - 1, 0)                           AS treatment_score_variance,
       t.prior_mean,
       t.prior_variance,
       a.risk_control                                                    AS last_risk_control,
       a.risk_treatment                                                  AS last_risk_treatment,
       t.cuped,
       coalesce(b.ratio_n, 0)                                            AS baseline_ratio_n,
       coalesce(tr.ratio_n, 0)                                           AS treatment_ratio_n,
       b.ratio_x_sum / nullif(b.ratio_y_sum, 0)                          AS baseline_ratio,
       tr.ratio_x_sum / nullif(tr.ratio_y_sum, 0)                        AS treatment_ratio,
       b.covariate_xy / nullif(sqrt(b.covariate_x_m2 * b.covariate_y_m2), 0)  AS baseline_covariate_correlation,
       tr.covariate_xy / nullif(sqrt(tr.covariate_x_m2 * tr.covariate_y_m2), 0) AS treatment_covariate_correlation,
       a.cuped_theta                                                     AS last_cuped_theta
FROM abtest.prompt_ab_tests t
LEFT JOIN abtest.variant_statistics b ON b.test_id = t.test_id AND b.variant = t.baseline_variant
LEFT JOIN abtest.variant_statistics tr ON tr.test_id = t.test_id AND tr.variant = t.treatment_variant
LEFT JOIN LATERAL (
    SELECT ia.analysis_number, ia.analyzed_at, ia.relative_lift, ia.ci_lower, ia.ci_upper, ia.chance_to_win, ia.decision,
           ia.effect, ia.risk_control, ia.risk_treatment, ia.cuped_theta
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
COMMENT ON VIEW analytics.v_ab_test_results IS 'A/B tests with per-arm counts, means, score variances, success rates and latency, the effect type, sidedness, Bayesian prior and CUPED switch, per-arm ratio-metric values and covariate correlations, the latest look of the test (decision data, effect, Bayesian risks, CUPED theta), the latest SRM check, and the rollout: step, rollout-phase counts and the latest guardrail watch (seed 000).';
--rollback DROP VIEW analytics.v_ab_test_results;
--rollback CREATE VIEW analytics.v_ab_test_results WITH (security_invoker = true) AS
--rollback SELECT t.test_id,
--rollback        t.agent_name,
--rollback        t.predictor_name,
--rollback        t.status,
--rollback        t.method,
--rollback        t.primary_metric,
--rollback        t.traffic_split,
--rollback        t.baseline_instruction_id,
--rollback        t.treatment_instruction_id,
--rollback        t.source_run_id,
--rollback        t.created_at,
--rollback        t.started_at,
--rollback        t.concluded_at,
--rollback        t.winner,
--rollback        t.p_value,
--rollback        t.rolled_out,
--rollback        coalesce(b.n, 0)                                                  AS baseline_n,
--rollback        coalesce(tr.n, 0)                                                 AS treatment_n,
--rollback        b.score_sum / nullif(b.score_n, 0)                                AS baseline_mean_score,
--rollback        tr.score_sum / nullif(tr.score_n, 0)                              AS treatment_mean_score,
--rollback        b.successes::double precision / nullif(b.n, 0)                    AS baseline_success_rate,
--rollback        tr.successes::double precision / nullif(tr.n, 0)                  AS treatment_success_rate,
--rollback        b.latency_sum / nullif(b.latency_n, 0)                            AS baseline_mean_latency_ms,
--rollback        tr.latency_sum / nullif(tr.latency_n, 0)                          AS treatment_mean_latency_ms,
--rollback        (b.latency_quantiles ->> 'p95')::double precision                 AS baseline_latency_p95_ms,
--rollback        (tr.latency_quantiles ->> 'p95')::double precision                AS treatment_latency_p95_ms,
--rollback        a.analysis_number                                                 AS last_analysis_number,
--rollback        a.analyzed_at                                                     AS last_analyzed_at,
--rollback        a.relative_lift,
--rollback        a.ci_lower,
--rollback        a.ci_upper,
--rollback        a.chance_to_win,
--rollback        a.decision                                                        AS last_decision,
--rollback        s.severity                                                        AS last_srm_severity,
--rollback        s.p_value                                                         AS last_srm_p_value,
--rollback        t.conclusion_reason,
--rollback        t.rollout_steps,
--rollback        t.rollout_step,
--rollback        t.monitoring_complete,
--rollback        coalesce(rb.n, 0)                                                 AS rollout_baseline_n,
--rollback        coalesce(rt.n, 0)                                                 AS rollout_treatment_n,
--rollback        rt.successes::double precision / nullif(rt.n, 0)                  AS rollout_treatment_success_rate,
--rollback        g.analysis_number                                                 AS last_guardrail_check_number,
--rollback        g.guardrails_ok                                                   AS last_guardrails_ok,
--rollback        t.effect_type,
--rollback        t.sidedness,
--rollback        a.effect                                                          AS last_effect,
--rollback        b.score_m2 / nullif(b.score_n - 1, 0)                             AS baseline_score_variance,
--rollback        tr.score_m2 / nullif(tr.score_n - 1, 0)                           AS treatment_score_variance,
--rollback        t.prior_mean,
--rollback        t.prior_variance,
--rollback        a.risk_control                                                    AS last_risk_control,
--rollback        a.risk_treatment                                                  AS last_risk_treatment
--rollback FROM abtest.prompt_ab_tests t
--rollback LEFT JOIN abtest.variant_statistics b ON b.test_id = t.test_id AND b.variant = t.baseline_variant
--rollback LEFT JOIN abtest.variant_statistics tr ON tr.test_id = t.test_id AND tr.variant = t.treatment_variant
--rollback LEFT JOIN LATERAL (
--rollback     SELECT ia.analysis_number, ia.analyzed_at, ia.relative_lift, ia.ci_lower, ia.ci_upper, ia.chance_to_win, ia.decision,
--rollback            ia.effect, ia.risk_control, ia.risk_treatment
--rollback     FROM abtest.ab_interim_analyses ia
--rollback     WHERE ia.test_id = t.test_id AND ia.metric <> 'guardrails'
--rollback     ORDER BY ia.analysis_number DESC
--rollback     LIMIT 1
--rollback ) a ON true
--rollback LEFT JOIN abtest.rollout_statistics rb ON rb.test_id = t.test_id AND rb.variant = t.baseline_variant
--rollback LEFT JOIN abtest.rollout_statistics rt ON rt.test_id = t.test_id AND rt.variant = t.treatment_variant
--rollback LEFT JOIN LATERAL (
--rollback     SELECT ia.analysis_number, ia.guardrails_ok
--rollback     FROM abtest.ab_interim_analyses ia
--rollback     WHERE ia.test_id = t.test_id AND ia.metric = 'guardrails'
--rollback     ORDER BY ia.analysis_number DESC
--rollback     LIMIT 1
--rollback ) g ON true
--rollback LEFT JOIN LATERAL (
--rollback     SELECT sc.severity, sc.p_value
--rollback     FROM abtest.ab_srm_checks sc
--rollback     WHERE sc.test_id = t.test_id
--rollback     ORDER BY sc.checked_at DESC
--rollback     LIMIT 1
--rollback ) s ON true;
--rollback COMMENT ON VIEW analytics.v_ab_test_results IS 'A/B tests with per-arm counts, means, score variances, success rates and latency, the effect type, sidedness and Bayesian prior, the latest look of the test (decision data, effect, Bayesian risks), the latest SRM check, and the rollout: step, rollout-phase counts and the latest guardrail watch (seed 000).';
