--liquibase formatted sql

-- promptloop :: abtest statistics conventions of issue 11 (gbstats conventions, numerically stable moments)
--
-- Centred moments: score_sum_sq / latency_sum_sq (Σx²) lose the variance when the mean is large against the spread
-- (mean 1e6, variance 1 read 0.99995). They are replaced by score_m2 / latency_m2 = Σ(x − mean)², merged per batch
-- by Chan, Golub & LeVeque's update; Σx stays (mean = sum / n). Existing rows are migrated from their power sums:
-- that conversion keeps whatever precision the sums still had; every observation after it is merged exactly.

--changeset promptloop:010-centred-moments
ALTER TABLE abtest.variant_statistics
    ADD COLUMN score_m2   double precision NOT NULL DEFAULT 0,
    ADD COLUMN latency_m2 double precision NOT NULL DEFAULT 0;
UPDATE abtest.variant_statistics
SET score_m2   = CASE WHEN score_n > 0 THEN greatest(0, score_sum_sq - score_sum * score_sum / score_n) ELSE 0 END,
    latency_m2 = CASE WHEN latency_n > 0 THEN greatest(0, latency_sum_sq - latency_sum * latency_sum / latency_n) ELSE 0 END;
ALTER TABLE abtest.variant_statistics
    DROP CONSTRAINT variant_statistics_score_sum_sq_check,
    DROP CONSTRAINT variant_statistics_latency_sum_check,
    DROP COLUMN score_sum_sq,
    DROP COLUMN latency_sum_sq,
    ADD CONSTRAINT variant_statistics_score_m2_check CHECK (score_m2 >= 0),
    ADD CONSTRAINT variant_statistics_latency_sum_check CHECK (latency_sum >= 0 AND latency_m2 >= 0);
COMMENT ON COLUMN abtest.variant_statistics.score_m2 IS 'Centred sum of squares of the scores, sum((x - mean)^2): variance = score_m2 / (score_n - 1). Merged by Chan et al.';
COMMENT ON COLUMN abtest.variant_statistics.latency_m2 IS 'Centred sum of squares of the latencies in ms: variance = latency_m2 / (latency_n - 1). Merged by Chan et al.';
COMMENT ON COLUMN abtest.variant_statistics.latency_sum IS 'Sum of latencies in ms.';
ALTER TABLE abtest.rollout_statistics
    ADD COLUMN score_m2   double precision NOT NULL DEFAULT 0,
    ADD COLUMN latency_m2 double precision NOT NULL DEFAULT 0;
UPDATE abtest.rollout_statistics
SET score_m2   = CASE WHEN score_n > 0 THEN greatest(0, score_sum_sq - score_sum * score_sum / score_n) ELSE 0 END,
    latency_m2 = CASE WHEN latency_n > 0 THEN greatest(0, latency_sum_sq - latency_sum * latency_sum / latency_n) ELSE 0 END;
ALTER TABLE abtest.rollout_statistics
    DROP COLUMN score_sum_sq,
    DROP COLUMN latency_sum_sq,
    ADD CONSTRAINT rollout_statistics_score_m2_check CHECK (score_m2 >= 0),
    ADD CONSTRAINT rollout_statistics_latency_m2_check CHECK (latency_m2 >= 0);
COMMENT ON COLUMN abtest.rollout_statistics.score_m2 IS 'Centred sum of squares of the scores (as variant_statistics.score_m2).';
COMMENT ON COLUMN abtest.rollout_statistics.latency_m2 IS 'Centred sum of squares of the latencies (as variant_statistics.latency_m2).';
--rollback ALTER TABLE abtest.variant_statistics ADD COLUMN score_sum_sq double precision NOT NULL DEFAULT 0, ADD COLUMN latency_sum_sq double precision NOT NULL DEFAULT 0;
--rollback UPDATE abtest.variant_statistics SET score_sum_sq = score_m2 + CASE WHEN score_n > 0 THEN score_sum * score_sum / score_n ELSE 0 END, latency_sum_sq = latency_m2 + CASE WHEN latency_n > 0 THEN latency_sum * latency_sum / latency_n ELSE 0 END;
--rollback ALTER TABLE abtest.variant_statistics DROP CONSTRAINT variant_statistics_score_m2_check, DROP CONSTRAINT variant_statistics_latency_sum_check, DROP COLUMN score_m2, DROP COLUMN latency_m2, ADD CONSTRAINT variant_statistics_score_sum_sq_check CHECK (score_sum_sq >= 0), ADD CONSTRAINT variant_statistics_latency_sum_check CHECK (latency_sum >= 0 AND latency_sum_sq >= 0);
--rollback ALTER TABLE abtest.rollout_statistics ADD COLUMN score_sum_sq double precision NOT NULL DEFAULT 0, ADD COLUMN latency_sum_sq double precision NOT NULL DEFAULT 0;
--rollback UPDATE abtest.rollout_statistics SET score_sum_sq = score_m2 + CASE WHEN score_n > 0 THEN score_sum * score_sum / score_n ELSE 0 END, latency_sum_sq = latency_m2 + CASE WHEN latency_n > 0 THEN latency_sum * latency_sum / latency_n ELSE 0 END;
--rollback ALTER TABLE abtest.rollout_statistics DROP CONSTRAINT rollout_statistics_score_m2_check, DROP CONSTRAINT rollout_statistics_latency_m2_check, DROP COLUMN score_m2, DROP COLUMN latency_m2;

--changeset promptloop:010-effect-type-and-sides
ALTER TABLE abtest.prompt_ab_tests
    ADD COLUMN effect_type text NOT NULL DEFAULT 'relative',
    ADD COLUMN sidedness   text NOT NULL DEFAULT 'two_sided',
    ADD CONSTRAINT prompt_ab_tests_effect_type_check CHECK (effect_type IN ('relative', 'absolute')),
    ADD CONSTRAINT prompt_ab_tests_sidedness_check CHECK (sidedness IN ('two_sided', 'one_sided'));
COMMENT ON COLUMN abtest.prompt_ab_tests.effect_type IS 'relative: (m_t - m_c) / |m_c| (gbstats); absolute: m_t - m_c in the metric''s unit.';
COMMENT ON COLUMN abtest.prompt_ab_tests.sidedness IS 'two_sided, or one_sided: only "treatment better" in the metric''s direction can be concluded.';
ALTER TABLE abtest.ab_interim_analyses
    ADD COLUMN effect_type text,
    ADD COLUMN effect      double precision,
    ADD CONSTRAINT ab_interim_analyses_effect_type_check CHECK (effect_type IN ('relative', 'absolute'));
COMMENT ON COLUMN abtest.ab_interim_analyses.effect_type IS 'Type of effect of this look (the test''s), NULL for guardrail watches.';
COMMENT ON COLUMN abtest.ab_interim_analyses.effect IS 'Estimated effect of the type effect_type; relative_lift repeats it for relative tests.';
--rollback ALTER TABLE abtest.ab_interim_analyses DROP COLUMN effect_type, DROP COLUMN effect;
--rollback ALTER TABLE abtest.prompt_ab_tests DROP COLUMN effect_type, DROP COLUMN sidedness;

--changeset promptloop:010-bayesian
ALTER TABLE abtest.prompt_ab_tests
    DROP CONSTRAINT prompt_ab_tests_method_check,
    ADD CONSTRAINT prompt_ab_tests_method_check CHECK (method IN ('sequential', 'fixed', 'bayesian')),
    ADD COLUMN prior_mean     double precision,
    ADD COLUMN prior_variance double precision,
    ADD CONSTRAINT prompt_ab_tests_prior_check CHECK ((prior_mean IS NULL) = (prior_variance IS NULL) AND (prior_variance IS NULL OR prior_variance > 0));
COMMENT ON COLUMN abtest.prompt_ab_tests.prior_mean IS 'bayesian: mean of the informative normal prior on the relative effect; NULL = flat improper prior (gbstats default).';
COMMENT ON COLUMN abtest.prompt_ab_tests.prior_variance IS 'bayesian: variance of the informative prior on the relative effect.';
ALTER TABLE abtest.ab_interim_analyses
    DROP CONSTRAINT ab_interim_analyses_method_check,
    ADD CONSTRAINT ab_interim_analyses_method_check CHECK (method IN ('sequential', 'fixed', 'bayesian')),
    ADD COLUMN risk_control   double precision,
    ADD COLUMN risk_treatment double precision;
COMMENT ON COLUMN abtest.ab_interim_analyses.risk_control IS 'bayesian: expected loss of keeping the baseline (gbstats risk).';
COMMENT ON COLUMN abtest.ab_interim_analyses.risk_treatment IS 'bayesian: expected loss of shipping the treatment (gbstats risk).';
--rollback ALTER TABLE abtest.ab_interim_analyses DROP COLUMN risk_control, DROP COLUMN risk_treatment, DROP CONSTRAINT ab_interim_analyses_method_check, ADD CONSTRAINT ab_interim_analyses_method_check CHECK (method IN ('sequential', 'fixed'));
--rollback ALTER TABLE abtest.prompt_ab_tests DROP CONSTRAINT prompt_ab_tests_prior_check, DROP COLUMN prior_mean, DROP COLUMN prior_variance, DROP CONSTRAINT prompt_ab_tests_method_check, ADD CONSTRAINT prompt_ab_tests_method_check CHECK (method IN ('sequential', 'fixed'));

-- v_ab_test_results is defined here from now on (008 keeps its first version: rerunning it would drop columns);
-- runOnChange with CREATE OR REPLACE VIEW, so a column may only be appended.
--changeset promptloop:010-v-ab-test-results runOnChange:true
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
       a.risk_treatment                                                  AS last_risk_treatment
FROM abtest.prompt_ab_tests t
LEFT JOIN abtest.variant_statistics b ON b.test_id = t.test_id AND b.variant = t.baseline_variant
LEFT JOIN abtest.variant_statistics tr ON tr.test_id = t.test_id AND tr.variant = t.treatment_variant
LEFT JOIN LATERAL (
    SELECT ia.analysis_number, ia.analyzed_at, ia.relative_lift, ia.ci_lower, ia.ci_upper, ia.chance_to_win, ia.decision,
           ia.effect, ia.risk_control, ia.risk_treatment
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
COMMENT ON VIEW analytics.v_ab_test_results IS 'A/B tests with per-arm counts, means, score variances, success rates and latency, the effect type, sidedness and Bayesian prior, the latest look of the test (decision data, effect, Bayesian risks), the latest SRM check, and the rollout: step, rollout-phase counts and the latest guardrail watch (seed 000).';
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
--rollback        g.guardrails_ok                                                   AS last_guardrails_ok
--rollback FROM abtest.prompt_ab_tests t
--rollback LEFT JOIN abtest.variant_statistics b ON b.test_id = t.test_id AND b.variant = t.baseline_variant
--rollback LEFT JOIN abtest.variant_statistics tr ON tr.test_id = t.test_id AND tr.variant = t.treatment_variant
--rollback LEFT JOIN LATERAL (
--rollback     SELECT ia.analysis_number, ia.analyzed_at, ia.relative_lift, ia.ci_lower, ia.ci_upper, ia.chance_to_win, ia.decision
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
--rollback COMMENT ON VIEW analytics.v_ab_test_results IS 'A/B tests with per-arm counts, means, success rates and latency, the latest look of the test (decision data), the latest SRM check, and the rollout: step, rollout-phase counts and the latest guardrail watch (seed 000).';
