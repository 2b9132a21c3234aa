--liquibase formatted sql

-- promptloop :: schema abtest (owned and written by the A/B service)
--
-- From seeds 000 / 002 section 8 (A/B testing) and section 10.4 (prompt_ab_tests).
-- Instruction ids refer to optimizer.optimized_instructions but carry no cross-schema foreign key:
-- each service owns its schema, and the A/B service validates ids when a test is created.
-- Observations are counted once: the service inserts the event id into observation_ledger
-- (ON CONFLICT DO NOTHING) and updates variant_statistics in the same transaction only when the
-- insert took effect.

--changeset promptloop:004-abtest-enums
CREATE TYPE abtest.ab_test_variant AS ENUM ('baseline', 'treatment', 'gepa', 'gepa_v2', 'control');
CREATE TYPE abtest.interim_decision AS ENUM ('continue', 'stop_efficacy', 'stop_futility', 'stop_safety', 'modify_sample');
CREATE TYPE abtest.srm_severity AS ENUM ('none', 'minor', 'moderate', 'severe');
CREATE TYPE abtest.ab_test_status AS ENUM ('draft', 'running', 'stopped', 'concluded', 'rolled_out', 'rolled_back');
COMMENT ON TYPE abtest.ab_test_variant IS 'Arm of an A/B test (seed 002 section 10 plus treatment).';
COMMENT ON TYPE abtest.interim_decision IS 'Decision of an interim analysis (seed 002 section 8).';
COMMENT ON TYPE abtest.srm_severity IS 'Severity of a sample ratio mismatch (seed 002 section 8.5).';
COMMENT ON TYPE abtest.ab_test_status IS 'Lifecycle of an A/B test.';
--rollback DROP TYPE abtest.ab_test_status;
--rollback DROP TYPE abtest.srm_severity;
--rollback DROP TYPE abtest.interim_decision;
--rollback DROP TYPE abtest.ab_test_variant;

--changeset promptloop:004-prompt-ab-tests
CREATE TABLE abtest.prompt_ab_tests (
    test_id                  uuid                   NOT NULL DEFAULT gen_random_uuid(),
    agent_name               varchar(100)           NOT NULL,
    predictor_name           varchar(100),
    baseline_instruction_id  uuid                   NOT NULL,
    treatment_instruction_id uuid                   NOT NULL,
    baseline_variant         abtest.ab_test_variant NOT NULL DEFAULT 'baseline',
    treatment_variant        abtest.ab_test_variant NOT NULL DEFAULT 'treatment',
    salt                     text                   NOT NULL DEFAULT replace(gen_random_uuid()::text, '-', ''),
    traffic_split            numeric(3,2)           NOT NULL DEFAULT 0.50,
    primary_metric           text                   NOT NULL DEFAULT 'score',
    method                   text                   NOT NULL DEFAULT 'sequential',
    planned_looks            integer,
    alpha                    double precision       NOT NULL DEFAULT 0.05,
    sequential_tuning        double precision       NOT NULL DEFAULT 5000,
    min_sample_per_variant   integer                NOT NULL DEFAULT 100,
    max_sample_per_variant   integer,
    guardrails               jsonb                  NOT NULL DEFAULT '{}'::jsonb,
    auto_rollout             boolean                NOT NULL DEFAULT true,
    status                   abtest.ab_test_status  NOT NULL DEFAULT 'draft',
    p_value                  numeric(5,4),
    winner                   abtest.ab_test_variant,
    rolled_out               boolean                NOT NULL DEFAULT false,
    conclusion_reason        text,
    source_run_id            uuid,
    created_at               timestamptz            NOT NULL DEFAULT now(),
    started_at               timestamptz,
    concluded_at             timestamptz,
    updated_at               timestamptz            NOT NULL DEFAULT now(),
    CONSTRAINT prompt_ab_tests_pkey PRIMARY KEY (test_id),
    CONSTRAINT prompt_ab_tests_distinct_instructions_check CHECK (baseline_instruction_id <> treatment_instruction_id),
    CONSTRAINT prompt_ab_tests_distinct_variants_check CHECK (baseline_variant <> treatment_variant),
    CONSTRAINT prompt_ab_tests_salt_check CHECK (length(salt) > 0),
    CONSTRAINT prompt_ab_tests_traffic_split_check CHECK (traffic_split > 0 AND traffic_split < 1),
    CONSTRAINT prompt_ab_tests_primary_metric_check CHECK (primary_metric IN ('score', 'success', 'latency_ms')),
    CONSTRAINT prompt_ab_tests_method_check CHECK (method IN ('sequential', 'fixed')),
    CONSTRAINT prompt_ab_tests_planned_looks_check CHECK (planned_looks > 0),
    CONSTRAINT prompt_ab_tests_fixed_needs_looks_check CHECK (method <> 'fixed' OR planned_looks IS NOT NULL),
    CONSTRAINT prompt_ab_tests_alpha_check CHECK (alpha > 0 AND alpha < 1),
    CONSTRAINT prompt_ab_tests_sequential_tuning_check CHECK (sequential_tuning > 0),
    CONSTRAINT prompt_ab_tests_min_sample_check CHECK (min_sample_per_variant > 0),
    CONSTRAINT prompt_ab_tests_max_sample_check CHECK (max_sample_per_variant >= min_sample_per_variant),
    CONSTRAINT prompt_ab_tests_p_value_check CHECK (p_value BETWEEN 0 AND 1),
    CONSTRAINT prompt_ab_tests_winner_check CHECK (winner IS NULL OR winner = baseline_variant OR winner = treatment_variant)
);
CREATE UNIQUE INDEX uq_prompt_ab_tests_one_running
    ON abtest.prompt_ab_tests (agent_name, COALESCE(predictor_name, ''))
    WHERE status = 'running';
CREATE INDEX idx_prompt_ab_tests_agent ON abtest.prompt_ab_tests (agent_name, predictor_name, created_at DESC);
CREATE INDEX idx_prompt_ab_tests_source_run ON abtest.prompt_ab_tests (source_run_id) WHERE source_run_id IS NOT NULL;
COMMENT ON TABLE abtest.prompt_ab_tests IS 'A/B test of a treatment instruction against the baseline for one agent/predictor (seed 002 section 10.4). At most one running test per agent/predictor.';
COMMENT ON COLUMN abtest.prompt_ab_tests.baseline_instruction_id IS 'optimizer.optimized_instructions.instruction_id serving the baseline arm (no cross-schema FK).';
COMMENT ON COLUMN abtest.prompt_ab_tests.treatment_instruction_id IS 'optimizer.optimized_instructions.instruction_id serving the treatment arm (no cross-schema FK).';
COMMENT ON COLUMN abtest.prompt_ab_tests.baseline_variant IS 'Variant label of the baseline arm in observations.';
COMMENT ON COLUMN abtest.prompt_ab_tests.treatment_variant IS 'Variant label of the treatment arm in observations.';
COMMENT ON COLUMN abtest.prompt_ab_tests.salt IS 'Assignment salt: a unit goes to treatment when the first 8 bytes of SHA-256(salt:unit id) mod 10000 < traffic_split * 10000.';
COMMENT ON COLUMN abtest.prompt_ab_tests.traffic_split IS 'Fraction of units routed to treatment, strictly between 0 and 1.';
COMMENT ON COLUMN abtest.prompt_ab_tests.primary_metric IS 'Decision metric: score (mean), success (rate) or latency_ms.';
COMMENT ON COLUMN abtest.prompt_ab_tests.method IS 'sequential (anytime-valid confidence sequences) or fixed (Lan-DeMets O''Brien-Fleming alpha spending over planned_looks).';
COMMENT ON COLUMN abtest.prompt_ab_tests.planned_looks IS 'Number of planned analyses for the fixed design.';
COMMENT ON COLUMN abtest.prompt_ab_tests.sequential_tuning IS 'Tuning parameter N* of the asymptotic confidence sequence.';
COMMENT ON COLUMN abtest.prompt_ab_tests.guardrails IS 'Guardrails, e.g. {"min_success_rate_ratio": 0.98, "max_latency_p95_ratio": 1.2}.';
COMMENT ON COLUMN abtest.prompt_ab_tests.auto_rollout IS 'Roll the winner out without an operator.';
COMMENT ON COLUMN abtest.prompt_ab_tests.p_value IS 'p-value of the final analysis.';
COMMENT ON COLUMN abtest.prompt_ab_tests.winner IS 'Winning variant, NULL while undecided or when inconclusive.';
COMMENT ON COLUMN abtest.prompt_ab_tests.rolled_out IS 'Whether the winner was promoted to the active instruction.';
COMMENT ON COLUMN abtest.prompt_ab_tests.source_run_id IS 'optimizer.prompt_optimization_runs.run_id that proposed the treatment.';
--rollback DROP TABLE abtest.prompt_ab_tests;

--changeset promptloop:004-variant-statistics
CREATE TABLE abtest.variant_statistics (
    test_id           uuid                   NOT NULL,
    variant           abtest.ab_test_variant NOT NULL,
    n                 bigint                 NOT NULL DEFAULT 0,
    successes         bigint                 NOT NULL DEFAULT 0,
    score_n           bigint                 NOT NULL DEFAULT 0,
    score_sum         double precision       NOT NULL DEFAULT 0,
    score_sum_sq      double precision       NOT NULL DEFAULT 0,
    latency_n         bigint                 NOT NULL DEFAULT 0,
    latency_sum       double precision       NOT NULL DEFAULT 0,
    latency_sum_sq    double precision       NOT NULL DEFAULT 0,
    latency_digest    bytea,
    latency_quantiles jsonb,
    updated_at        timestamptz            NOT NULL DEFAULT now(),
    CONSTRAINT variant_statistics_pkey PRIMARY KEY (test_id, variant),
    CONSTRAINT variant_statistics_test_id_fkey FOREIGN KEY (test_id)
        REFERENCES abtest.prompt_ab_tests (test_id) ON DELETE CASCADE,
    CONSTRAINT variant_statistics_n_check CHECK (n >= 0),
    CONSTRAINT variant_statistics_successes_check CHECK (successes BETWEEN 0 AND n),
    CONSTRAINT variant_statistics_score_n_check CHECK (score_n BETWEEN 0 AND n),
    CONSTRAINT variant_statistics_latency_n_check CHECK (latency_n BETWEEN 0 AND n),
    CONSTRAINT variant_statistics_score_sum_sq_check CHECK (score_sum_sq >= 0),
    CONSTRAINT variant_statistics_latency_sum_check CHECK (latency_sum >= 0 AND latency_sum_sq >= 0)
);
COMMENT ON TABLE abtest.variant_statistics IS 'Sufficient statistics per test and variant, updated once per observation (guarded by observation_ledger).';
COMMENT ON COLUMN abtest.variant_statistics.n IS 'Observations counted.';
COMMENT ON COLUMN abtest.variant_statistics.successes IS 'Observations with success = true.';
COMMENT ON COLUMN abtest.variant_statistics.score_n IS 'Observations that carried a score.';
COMMENT ON COLUMN abtest.variant_statistics.score_sum IS 'Sum of scores.';
COMMENT ON COLUMN abtest.variant_statistics.score_sum_sq IS 'Sum of squared scores: variance = (score_sum_sq - score_sum^2 / score_n) / (score_n - 1), as in GrowthBook.';
COMMENT ON COLUMN abtest.variant_statistics.latency_n IS 'Observations that carried a latency.';
COMMENT ON COLUMN abtest.variant_statistics.latency_digest IS 'Serialized latency histogram (e.g. HdrHistogram), merged per observation.';
COMMENT ON COLUMN abtest.variant_statistics.latency_quantiles IS 'Latency quantiles in ms derived from the digest, e.g. {"p50": 120, "p95": 480, "p99": 900}.';
--rollback DROP TABLE abtest.variant_statistics;

--changeset promptloop:004-observation-ledger
CREATE TABLE abtest.observation_ledger (
    event_id    uuid                   NOT NULL,
    test_id     uuid                   NOT NULL,
    variant     abtest.ab_test_variant NOT NULL,
    occurred_at timestamptz            NOT NULL,
    counted_at  timestamptz            NOT NULL DEFAULT now(),
    CONSTRAINT observation_ledger_pkey PRIMARY KEY (event_id),
    CONSTRAINT observation_ledger_test_id_fkey FOREIGN KEY (test_id)
        REFERENCES abtest.prompt_ab_tests (test_id) ON DELETE CASCADE
);
CREATE INDEX idx_observation_ledger_test ON abtest.observation_ledger (test_id, variant);
COMMENT ON TABLE abtest.observation_ledger IS 'Event ids of observations already counted into variant_statistics: each observation is counted once despite redelivery.';
COMMENT ON COLUMN abtest.observation_ledger.event_id IS 'event_id of the ObservationRecorded event.';
COMMENT ON COLUMN abtest.observation_ledger.counted_at IS 'When the observation was counted.';
--rollback DROP TABLE abtest.observation_ledger;

--changeset promptloop:004-ab-interim-analyses
CREATE TABLE abtest.ab_interim_analyses (
    id                   uuid                    NOT NULL DEFAULT gen_random_uuid(),
    test_id              uuid                    NOT NULL,
    analysis_number      integer                 NOT NULL,
    method               text                    NOT NULL,
    metric               text                    NOT NULL DEFAULT 'score',
    information_fraction double precision,
    spending_function    varchar(50),
    adjusted_alpha       double precision,
    conditional_power    double precision,
    baseline_n           bigint                  NOT NULL,
    treatment_n          bigint                  NOT NULL,
    baseline_mean        double precision,
    treatment_mean       double precision,
    relative_lift        double precision,
    ci_lower             double precision,
    ci_upper             double precision,
    p_value              double precision,
    chance_to_win        double precision,
    srm_p_value          double precision,
    guardrails_ok        boolean,
    decision             abtest.interim_decision NOT NULL,
    details              jsonb                   NOT NULL DEFAULT '{}'::jsonb,
    analyzed_at          timestamptz             NOT NULL DEFAULT now(),
    CONSTRAINT ab_interim_analyses_pkey PRIMARY KEY (id),
    CONSTRAINT ab_interim_analyses_test_id_fkey FOREIGN KEY (test_id)
        REFERENCES abtest.prompt_ab_tests (test_id) ON DELETE CASCADE,
    CONSTRAINT ab_interim_analyses_number_key UNIQUE (test_id, analysis_number),
    CONSTRAINT ab_interim_analyses_analysis_number_check CHECK (analysis_number > 0),
    CONSTRAINT ab_interim_analyses_method_check CHECK (method IN ('sequential', 'fixed')),
    CONSTRAINT ab_interim_analyses_information_fraction_check CHECK (information_fraction BETWEEN 0 AND 1),
    CONSTRAINT ab_interim_analyses_adjusted_alpha_check CHECK (adjusted_alpha BETWEEN 0 AND 1),
    CONSTRAINT ab_interim_analyses_conditional_power_check CHECK (conditional_power BETWEEN 0 AND 1),
    CONSTRAINT ab_interim_analyses_n_check CHECK (baseline_n >= 0 AND treatment_n >= 0),
    CONSTRAINT ab_interim_analyses_ci_check CHECK (ci_lower IS NULL OR ci_upper IS NULL OR ci_lower <= ci_upper),
    CONSTRAINT ab_interim_analyses_p_value_check CHECK (p_value BETWEEN 0 AND 1),
    CONSTRAINT ab_interim_analyses_chance_to_win_check CHECK (chance_to_win BETWEEN 0 AND 1),
    CONSTRAINT ab_interim_analyses_srm_p_value_check CHECK (srm_p_value BETWEEN 0 AND 1)
);
COMMENT ON TABLE abtest.ab_interim_analyses IS 'Each look at a running test (seed 002 section 8.3): lift with confidence interval or sequence, Bayesian chance to win, decision.';
COMMENT ON COLUMN abtest.ab_interim_analyses.analysis_number IS 'Sequential analysis index per test, 1-based.';
COMMENT ON COLUMN abtest.ab_interim_analyses.method IS 'sequential or fixed.';
COMMENT ON COLUMN abtest.ab_interim_analyses.metric IS 'Metric analysed (the test''s primary metric unless noted).';
COMMENT ON COLUMN abtest.ab_interim_analyses.information_fraction IS 'Proportion of the planned sample collected, 0..1 (fixed design).';
COMMENT ON COLUMN abtest.ab_interim_analyses.spending_function IS 'Alpha spending function, e.g. obrien_fleming (fixed design).';
COMMENT ON COLUMN abtest.ab_interim_analyses.adjusted_alpha IS 'Significance threshold at this look.';
COMMENT ON COLUMN abtest.ab_interim_analyses.conditional_power IS 'Probability of significance given the current data.';
COMMENT ON COLUMN abtest.ab_interim_analyses.relative_lift IS '(treatment_mean - baseline_mean) / baseline_mean.';
COMMENT ON COLUMN abtest.ab_interim_analyses.ci_lower IS 'Lower bound of the relative lift interval (confidence sequence for sequential tests).';
COMMENT ON COLUMN abtest.ab_interim_analyses.ci_upper IS 'Upper bound of the relative lift interval.';
COMMENT ON COLUMN abtest.ab_interim_analyses.chance_to_win IS 'Bayesian probability that treatment beats baseline.';
COMMENT ON COLUMN abtest.ab_interim_analyses.srm_p_value IS 'p-value of the SRM check at this look: below 0.001 blocks a decision.';
COMMENT ON COLUMN abtest.ab_interim_analyses.guardrails_ok IS 'Whether every guardrail held.';
--rollback DROP TABLE abtest.ab_interim_analyses;

--changeset promptloop:004-ab-srm-checks
CREATE TABLE abtest.ab_srm_checks (
    id                    uuid                NOT NULL DEFAULT gen_random_uuid(),
    test_id               uuid                NOT NULL,
    expected_ratio        jsonb               NOT NULL,
    actual_counts         jsonb               NOT NULL,
    chi_squared_statistic double precision,
    p_value               double precision,
    severity              abtest.srm_severity NOT NULL,
    root_cause            varchar(100),
    checked_at            timestamptz         NOT NULL DEFAULT now(),
    CONSTRAINT ab_srm_checks_pkey PRIMARY KEY (id),
    CONSTRAINT ab_srm_checks_test_id_fkey FOREIGN KEY (test_id)
        REFERENCES abtest.prompt_ab_tests (test_id) ON DELETE CASCADE,
    CONSTRAINT ab_srm_checks_chi_squared_check CHECK (chi_squared_statistic >= 0),
    CONSTRAINT ab_srm_checks_p_value_check CHECK (p_value BETWEEN 0 AND 1)
);
CREATE INDEX idx_ab_srm_checks_test_time ON abtest.ab_srm_checks (test_id, checked_at DESC);
COMMENT ON TABLE abtest.ab_srm_checks IS 'Sample ratio mismatch checks by Pearson chi-squared (seed 002 section 8.5).';
COMMENT ON COLUMN abtest.ab_srm_checks.expected_ratio IS 'Expected allocation per variant, e.g. {"baseline": 0.5, "treatment": 0.5}.';
COMMENT ON COLUMN abtest.ab_srm_checks.actual_counts IS 'Observed counts per variant.';
COMMENT ON COLUMN abtest.ab_srm_checks.root_cause IS 'Investigation finding, if any.';
--rollback DROP TABLE abtest.ab_srm_checks;

--changeset promptloop:004-rollouts
CREATE TABLE abtest.rollouts (
    id                  uuid         NOT NULL DEFAULT gen_random_uuid(),
    test_id             uuid,
    agent_name          varchar(100) NOT NULL,
    predictor_name      varchar(100),
    action              text         NOT NULL,
    from_instruction_id uuid,
    to_instruction_id   uuid         NOT NULL,
    treatment_share     numeric(3,2) NOT NULL,
    reason              text         NOT NULL,
    created_at          timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT rollouts_pkey PRIMARY KEY (id),
    CONSTRAINT rollouts_test_id_fkey FOREIGN KEY (test_id)
        REFERENCES abtest.prompt_ab_tests (test_id) ON DELETE SET NULL,
    CONSTRAINT rollouts_action_check CHECK (action IN ('rollout', 'step', 'rollback')),
    CONSTRAINT rollouts_treatment_share_check CHECK (treatment_share BETWEEN 0 AND 1)
);
CREATE INDEX idx_rollouts_test ON abtest.rollouts (test_id, created_at) WHERE test_id IS NOT NULL;
CREATE INDEX idx_rollouts_agent ON abtest.rollouts (agent_name, predictor_name, created_at DESC);
COMMENT ON TABLE abtest.rollouts IS 'Audit trail of roll-outs (possibly in steps) and roll-backs of instructions.';
COMMENT ON COLUMN abtest.rollouts.action IS 'rollout (final), step (partial share) or rollback.';
COMMENT ON COLUMN abtest.rollouts.from_instruction_id IS 'Instruction served before the change.';
COMMENT ON COLUMN abtest.rollouts.to_instruction_id IS 'Instruction served after the change.';
COMMENT ON COLUMN abtest.rollouts.treatment_share IS 'Share of traffic on to_instruction_id after the change, 0..1.';
--rollback DROP TABLE abtest.rollouts;

--changeset promptloop:004-routing-changes
CREATE TABLE abtest.routing_changes (
    id                    uuid         NOT NULL DEFAULT gen_random_uuid(),
    agent_name            varchar(100) NOT NULL,
    predictor_name        varchar(100),
    active_instruction_id uuid         NOT NULL,
    test_id               uuid,
    traffic_split         numeric(3,2),
    reason                text         NOT NULL,
    created_at            timestamptz  NOT NULL DEFAULT now(),
    published_at          timestamptz,
    CONSTRAINT routing_changes_pkey PRIMARY KEY (id),
    CONSTRAINT routing_changes_test_id_fkey FOREIGN KEY (test_id)
        REFERENCES abtest.prompt_ab_tests (test_id) ON DELETE SET NULL,
    CONSTRAINT routing_changes_traffic_split_check CHECK (traffic_split BETWEEN 0 AND 1)
);
CREATE INDEX idx_routing_changes_agent ON abtest.routing_changes (agent_name, predictor_name, created_at DESC);
CREATE INDEX idx_routing_changes_unpublished ON abtest.routing_changes (created_at) WHERE published_at IS NULL;
COMMENT ON TABLE abtest.routing_changes IS 'Every change of what agents are told on the instruction-routing topic (active instruction, running test split). Doubles as an outbox: rows with published_at NULL are still to be published.';
COMMENT ON COLUMN abtest.routing_changes.active_instruction_id IS 'Instruction served outside (or as baseline of) the running test.';
COMMENT ON COLUMN abtest.routing_changes.test_id IS 'Running test whose split is published, if any.';
COMMENT ON COLUMN abtest.routing_changes.traffic_split IS 'Treatment share of the running test, if any.';
COMMENT ON COLUMN abtest.routing_changes.published_at IS 'When the change was published to instruction-routing, NULL until then.';
--rollback DROP TABLE abtest.routing_changes;
