--liquibase formatted sql

-- promptloop :: multi-arm A/B tests (K treatments against one baseline; A/B service)
--
-- A test has arms: arm 0 is the baseline (label 'baseline'), arms 1..K the treatments, labelled 'treatment'
-- (arm 1, as in every two-arm test) and 'treatment_2' .. 'treatment_8'. Labels stay values of the enum
-- abtest.ab_test_variant, so per-arm statistics, the observation ledger and rollout statistics stay keyed
-- (test_id, variant) as before. prompt_ab_tests keeps baseline_/treatment_instruction_id (arm 0 and arm 1) and
-- traffic_split (the total treatment share, 1 - baseline weight); the arms table is the full list.
-- Every existing test is migrated into two arms (its baseline and treatment with their labels and split).

--changeset promptloop:013-arm-labels runInTransaction:false
ALTER TYPE abtest.ab_test_variant ADD VALUE IF NOT EXISTS 'treatment_2';
ALTER TYPE abtest.ab_test_variant ADD VALUE IF NOT EXISTS 'treatment_3';
ALTER TYPE abtest.ab_test_variant ADD VALUE IF NOT EXISTS 'treatment_4';
ALTER TYPE abtest.ab_test_variant ADD VALUE IF NOT EXISTS 'treatment_5';
ALTER TYPE abtest.ab_test_variant ADD VALUE IF NOT EXISTS 'treatment_6';
ALTER TYPE abtest.ab_test_variant ADD VALUE IF NOT EXISTS 'treatment_7';
ALTER TYPE abtest.ab_test_variant ADD VALUE IF NOT EXISTS 'treatment_8';
--rollback not required

--changeset promptloop:013-conversation-observation-labels
ALTER TABLE conversation.prompt_ab_test_observations
    DROP CONSTRAINT prompt_ab_test_observations_variant_check,
    ADD CONSTRAINT prompt_ab_test_observations_variant_check
        CHECK (variant IN ('baseline', 'treatment', 'gepa', 'gepa_v2', 'control', 'treatment_2', 'treatment_3',
                           'treatment_4', 'treatment_5', 'treatment_6', 'treatment_7', 'treatment_8'));
COMMENT ON COLUMN conversation.prompt_ab_test_observations.variant IS 'baseline, treatment, gepa, gepa_v2, control, or treatment_2 .. treatment_8 (arms of multi-arm tests).';
--rollback ALTER TABLE conversation.prompt_ab_test_observations DROP CONSTRAINT prompt_ab_test_observations_variant_check, ADD CONSTRAINT prompt_ab_test_observations_variant_check CHECK (variant IN ('baseline', 'treatment', 'gepa', 'gepa_v2', 'control'));
--rollback COMMENT ON COLUMN conversation.prompt_ab_test_observations.variant IS 'baseline, treatment, gepa, gepa_v2 or control.';

--changeset promptloop:013-ab-test-arms
CREATE TABLE abtest.ab_test_arms (
    test_id        uuid                   NOT NULL,
    arm_index      smallint               NOT NULL,
    variant        abtest.ab_test_variant NOT NULL,
    instruction_id uuid                   NOT NULL,
    weight         numeric(3,2)           NOT NULL,
    CONSTRAINT ab_test_arms_pkey PRIMARY KEY (test_id, variant),
    CONSTRAINT ab_test_arms_index_key UNIQUE (test_id, arm_index),
    CONSTRAINT ab_test_arms_instruction_key UNIQUE (test_id, instruction_id),
    CONSTRAINT ab_test_arms_test_id_fkey FOREIGN KEY (test_id)
        REFERENCES abtest.prompt_ab_tests (test_id) ON DELETE CASCADE,
    CONSTRAINT ab_test_arms_arm_index_check CHECK (arm_index BETWEEN 0 AND 8),
    CONSTRAINT ab_test_arms_weight_check CHECK (weight > 0 AND weight < 1)
);
CREATE INDEX idx_ab_test_arms_instruction ON abtest.ab_test_arms (instruction_id);
COMMENT ON TABLE abtest.ab_test_arms IS 'Arms of an A/B test: arm 0 the baseline, arms 1..K the treatments (at most 8), each with its instruction and traffic weight (the weights sum to 1).';
COMMENT ON COLUMN abtest.ab_test_arms.arm_index IS '0 = baseline; treatments 1..K in the order of the cumulative assignment rule (arm k takes the buckets [round(10000 * (w_1 + .. + w_(k-1))), round(10000 * (w_1 + .. + w_k))), the baseline the rest).';
COMMENT ON COLUMN abtest.ab_test_arms.variant IS 'Label of the arm in observations and statistics: baseline, treatment (arm 1), treatment_2 .. treatment_8.';
COMMENT ON COLUMN abtest.ab_test_arms.instruction_id IS 'optimizer.optimized_instructions.instruction_id served by the arm (no cross-schema FK).';
COMMENT ON COLUMN abtest.ab_test_arms.weight IS 'Share of units assigned to the arm while the test runs (two decimals, like traffic_split).';
INSERT INTO abtest.ab_test_arms (test_id, arm_index, variant, instruction_id, weight)
SELECT test_id, 0, baseline_variant, baseline_instruction_id, 1 - traffic_split FROM abtest.prompt_ab_tests;
INSERT INTO abtest.ab_test_arms (test_id, arm_index, variant, instruction_id, weight)
SELECT test_id, 1, treatment_variant, treatment_instruction_id, traffic_split FROM abtest.prompt_ab_tests;
ALTER TABLE abtest.prompt_ab_tests
    DROP CONSTRAINT prompt_ab_tests_winner_check,
    ADD CONSTRAINT prompt_ab_tests_winner_arm_fkey FOREIGN KEY (test_id, winner)
        REFERENCES abtest.ab_test_arms (test_id, variant);
COMMENT ON COLUMN abtest.prompt_ab_tests.winner IS 'Winning arm''s label (one of the test''s arms), NULL while undecided or when inconclusive.';
COMMENT ON COLUMN abtest.prompt_ab_tests.traffic_split IS 'Share of units routed to the treatments together (1 - the baseline''s weight), strictly between 0 and 1; a two-arm test''s treatment share.';
--rollback ALTER TABLE abtest.prompt_ab_tests DROP CONSTRAINT prompt_ab_tests_winner_arm_fkey, ADD CONSTRAINT prompt_ab_tests_winner_check CHECK (winner IS NULL OR winner = baseline_variant OR winner = treatment_variant);
--rollback DROP TABLE abtest.ab_test_arms;

--changeset promptloop:013-ab-arm-analyses
CREATE TABLE abtest.ab_arm_analyses (
    test_id          uuid                   NOT NULL,
    analysis_number  integer                NOT NULL,
    variant          abtest.ab_test_variant NOT NULL,
    n                bigint                 NOT NULL,
    mean             double precision,
    effect_type      text,
    effect           double precision,
    ci_lower         double precision,
    ci_upper         double precision,
    p_value          double precision,
    adjusted_p_value double precision,
    holm_alpha       double precision,
    chance_to_win    double precision,
    guardrails_ok    boolean,
    state            text                   NOT NULL,
    reason           text,
    CONSTRAINT ab_arm_analyses_pkey PRIMARY KEY (test_id, analysis_number, variant),
    CONSTRAINT ab_arm_analyses_look_fkey FOREIGN KEY (test_id, analysis_number)
        REFERENCES abtest.ab_interim_analyses (test_id, analysis_number) ON DELETE CASCADE,
    CONSTRAINT ab_arm_analyses_arm_fkey FOREIGN KEY (test_id, variant)
        REFERENCES abtest.ab_test_arms (test_id, variant) ON DELETE CASCADE,
    CONSTRAINT ab_arm_analyses_n_check CHECK (n >= 0),
    CONSTRAINT ab_arm_analyses_effect_type_check CHECK (effect_type IN ('relative', 'absolute')),
    CONSTRAINT ab_arm_analyses_ci_check CHECK (ci_lower IS NULL OR ci_upper IS NULL OR ci_lower <= ci_upper),
    CONSTRAINT ab_arm_analyses_p_value_check CHECK (p_value BETWEEN 0 AND 1 AND adjusted_p_value BETWEEN 0 AND 1),
    CONSTRAINT ab_arm_analyses_holm_alpha_check CHECK (holm_alpha > 0 AND holm_alpha < 1),
    CONSTRAINT ab_arm_analyses_chance_to_win_check CHECK (chance_to_win BETWEEN 0 AND 1),
    CONSTRAINT ab_arm_analyses_state_check CHECK (state IN ('better', 'worse', 'open', 'guardrail_broken'))
);
COMMENT ON TABLE abtest.ab_arm_analyses IS 'Each treatment arm against the baseline at one look of ab_interim_analyses: effect, interval at the arm''s Holm level, p-values raw and Holm-adjusted, guardrails and the arm''s state.';
COMMENT ON COLUMN abtest.ab_arm_analyses.ci_lower IS 'Lower bound of the effect''s interval at level holm_alpha (confidence sequence, or alpha-spending interval).';
COMMENT ON COLUMN abtest.ab_arm_analyses.adjusted_p_value IS 'Holm-Bonferroni adjusted p-value over the test''s K treatments (Holm 1979).';
COMMENT ON COLUMN abtest.ab_arm_analyses.holm_alpha IS 'Level the arm was tested at: alpha / (K - rank) of its step in Holm''s step-down order.';
COMMENT ON COLUMN abtest.ab_arm_analyses.state IS 'better / worse than the baseline (significant after Holm), open, or guardrail_broken (out of the running).';
--rollback DROP TABLE abtest.ab_arm_analyses;

--changeset promptloop:013-v-ab-test-arm-results runOnChange:true
CREATE OR REPLACE VIEW analytics.v_ab_test_arm_results WITH (security_invoker = true) AS
SELECT t.test_id,
       t.agent_name,
       t.predictor_name,
       t.status,
       t.method,
       t.primary_metric,
       arm.arm_index,
       arm.variant,
       arm.instruction_id,
       arm.weight,
       arm.arm_index = 0                                                 AS is_baseline,
       t.winner IS NOT DISTINCT FROM arm.variant                         AS is_winner,
       t.rolled_out AND t.winner IS NOT DISTINCT FROM arm.variant        AS rolled_out,
       coalesce(v.n, 0)                                                  AS n,
       v.score_sum / nullif(v.score_n, 0)                                AS mean_score,
       v.score_m2 / nullif(v.score_n - 1, 0)                             AS score_variance,
       v.successes::double precision / nullif(v.n, 0)                    AS success_rate,
       v.latency_sum / nullif(v.latency_n, 0)                            AS mean_latency_ms,
       (v.latency_quantiles ->> 'p95')::double precision                 AS latency_p95_ms,
       coalesce(r.n, 0)                                                  AS rollout_n,
       a.analysis_number                                                 AS last_analysis_number,
       a.effect_type,
       a.effect                                                          AS last_effect,
       a.ci_lower,
       a.ci_upper,
       a.p_value,
       a.adjusted_p_value,
       a.holm_alpha,
       a.chance_to_win,
       a.guardrails_ok,
       a.state                                                           AS last_state
FROM abtest.prompt_ab_tests t
JOIN abtest.ab_test_arms arm ON arm.test_id = t.test_id
LEFT JOIN abtest.variant_statistics v ON v.test_id = t.test_id AND v.variant = arm.variant
LEFT JOIN abtest.rollout_statistics r ON r.test_id = t.test_id AND r.variant = arm.variant
LEFT JOIN LATERAL (
    SELECT aa.analysis_number, aa.effect_type, aa.effect, aa.ci_lower, aa.ci_upper, aa.p_value, aa.adjusted_p_value,
           aa.holm_alpha, aa.chance_to_win, aa.guardrails_ok, aa.state
    FROM abtest.ab_arm_analyses aa
    WHERE aa.test_id = t.test_id AND aa.variant = arm.variant
    ORDER BY aa.analysis_number DESC
    LIMIT 1
) a ON true;
COMMENT ON VIEW analytics.v_ab_test_arm_results IS 'One row per A/B test and arm (baseline and every treatment): instruction, weight, counts, means, success rate and latency, rollout-phase count, and the arm''s latest look against the baseline (effect, interval at its Holm level, raw and Holm-adjusted p-values, state). Two-arm tests have two rows.';
--rollback DROP VIEW analytics.v_ab_test_arm_results;

-- v_active_instructions is defined here from now on (008 keeps its first version, which reads the promoting test's
-- treatment_instruction_id): the promoting test is the one whose winning arm serves the instruction.
--changeset promptloop:013-v-active-instructions runOnChange:true
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
    FROM abtest.ab_test_arms a
    JOIN abtest.prompt_ab_tests t ON t.test_id = a.test_id AND t.winner = a.variant
    WHERE a.instruction_id = i.instruction_id AND t.rolled_out
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
COMMENT ON VIEW analytics.v_active_instructions IS 'The active instruction per agent/predictor with the scores of the run that produced it, the A/B test that promoted it (its winning arm, of any number of arms), and the test live on the predictor now, if any (seed 000). Needs SELECT on optimizer and abtest (analyst).';
--rollback DROP VIEW analytics.v_active_instructions;
--rollback CREATE OR REPLACE VIEW analytics.v_active_instructions WITH (security_invoker = true) AS
--rollback SELECT i.instruction_id,
--rollback        i.agent_name,
--rollback        i.predictor_name,
--rollback        i.version,
--rollback        i.instruction_text,
--rollback        i.instruction_hash,
--rollback        i.optimizer_type,
--rollback        i.val_score,
--rollback        i.parent_instruction_ids,
--rollback        i.created_at,
--rollback        i.activated_at,
--rollback        i.run_id,
--rollback        r.baseline_score,
--rollback        r.optimized_score,
--rollback        r.improvement_percent,
--rollback        r.completed_at AS run_completed_at,
--rollback        won.test_id        AS promoted_by_test_id,
--rollback        won.p_value        AS promoted_by_test_p_value,
--rollback        won.concluded_at   AS promoted_at,
--rollback        live.test_id       AS live_test_id,
--rollback        live.status        AS live_test_status,
--rollback        live.traffic_split AS live_test_traffic_split
--rollback FROM optimizer.optimized_instructions i
--rollback LEFT JOIN optimizer.prompt_optimization_runs r ON r.run_id = i.run_id
--rollback LEFT JOIN LATERAL (
--rollback     SELECT t.test_id, t.p_value, t.concluded_at
--rollback     FROM abtest.prompt_ab_tests t
--rollback     WHERE t.treatment_instruction_id = i.instruction_id AND t.rolled_out
--rollback     ORDER BY t.concluded_at DESC
--rollback     LIMIT 1
--rollback ) won ON true
--rollback LEFT JOIN LATERAL (
--rollback     SELECT t.test_id, t.status, t.traffic_split
--rollback     FROM abtest.prompt_ab_tests t
--rollback     WHERE t.agent_name = i.agent_name
--rollback       AND t.predictor_name IS NOT DISTINCT FROM i.predictor_name
--rollback       AND (t.status IN ('running', 'rolling_out') OR (t.status = 'rolled_out' AND NOT t.monitoring_complete))
--rollback ) live ON true
--rollback WHERE i.is_active;
--rollback COMMENT ON VIEW analytics.v_active_instructions IS 'The active instruction per agent/predictor with the scores of the run that produced it, the A/B test that promoted it, and the test live on the predictor now, if any (seed 000). Needs SELECT on optimizer and abtest (analyst).';
