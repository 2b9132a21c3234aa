--liquibase formatted sql

-- promptloop :: abtest rollout state, rollout-phase statistics and the outbox (A/B service)
--
-- A test that found a winner rolls it out in steps of traffic (rollout_steps), each step held until
-- rollout_step_observations treatment observations arrived with every guardrail intact, then keeps
-- watching the guardrails for as many observations after the final step ("monitoring"). Observations
-- that occurred after the conclusion are counted in rollout_statistics, so the test's own statistics
-- stay those the decision was taken on.

--changeset promptloop:006-abtest-status-rolling-out
ALTER TYPE abtest.ab_test_status ADD VALUE IF NOT EXISTS 'rolling_out' AFTER 'concluded';
--rollback not required

--changeset promptloop:006-prompt-ab-tests-rollout
ALTER TABLE abtest.prompt_ab_tests
    ADD COLUMN rollout_steps             double precision[] NOT NULL DEFAULT '{1.0}',
    ADD COLUMN rollout_step_observations integer            NOT NULL DEFAULT 200,
    ADD COLUMN rollout_step              integer,
    ADD COLUMN rollout_step_base_n       bigint,
    ADD COLUMN monitoring_complete       boolean            NOT NULL DEFAULT false,
    ADD COLUMN analyzed_n                bigint             NOT NULL DEFAULT 0,
    ADD COLUMN srm_alerted               boolean            NOT NULL DEFAULT false,
    ADD CONSTRAINT prompt_ab_tests_rollout_steps_check
        CHECK (cardinality(rollout_steps) BETWEEN 1 AND 10 AND rollout_steps[cardinality(rollout_steps)] = 1.0
               AND 0 < ALL (rollout_steps) AND 1.0 >= ALL (rollout_steps)),
    ADD CONSTRAINT prompt_ab_tests_rollout_step_observations_check CHECK (rollout_step_observations > 0),
    ADD CONSTRAINT prompt_ab_tests_rollout_step_check
        CHECK (rollout_step IS NULL OR rollout_step BETWEEN 1 AND cardinality(rollout_steps));
COMMENT ON COLUMN abtest.prompt_ab_tests.rollout_steps IS 'Shares of traffic on the winner during its rollout, ascending, ending at 1.0 (e.g. {0.5,0.8,1.0}).';
COMMENT ON COLUMN abtest.prompt_ab_tests.rollout_step_observations IS 'Treatment observations each rollout step (and the monitoring after the last) must collect with guardrails intact.';
COMMENT ON COLUMN abtest.prompt_ab_tests.rollout_step IS '1-based index into rollout_steps of the current step; NULL before a rollout.';
COMMENT ON COLUMN abtest.prompt_ab_tests.rollout_step_base_n IS 'Rollout-phase treatment observations counted when the current step began.';
COMMENT ON COLUMN abtest.prompt_ab_tests.monitoring_complete IS 'The rolled-out winner held its guardrails for rollout_step_observations observations; the test is no longer routed.';
COMMENT ON COLUMN abtest.prompt_ab_tests.analyzed_n IS 'Observations (test and rollout phase) counted at the last analysis: a new look happens only when more arrived.';
COMMENT ON COLUMN abtest.prompt_ab_tests.srm_alerted IS 'A severe sample ratio mismatch has been alerted for this test.';
--rollback ALTER TABLE abtest.prompt_ab_tests DROP COLUMN rollout_steps, DROP COLUMN rollout_step_observations, DROP COLUMN rollout_step, DROP COLUMN rollout_step_base_n, DROP COLUMN monitoring_complete, DROP COLUMN analyzed_n, DROP COLUMN srm_alerted;

--changeset promptloop:006-rollout-statistics
CREATE TABLE abtest.rollout_statistics (
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
    CONSTRAINT rollout_statistics_pkey PRIMARY KEY (test_id, variant),
    CONSTRAINT rollout_statistics_test_id_fkey FOREIGN KEY (test_id)
        REFERENCES abtest.prompt_ab_tests (test_id) ON DELETE CASCADE,
    CONSTRAINT rollout_statistics_n_check CHECK (n >= 0),
    CONSTRAINT rollout_statistics_successes_check CHECK (successes BETWEEN 0 AND n),
    CONSTRAINT rollout_statistics_score_n_check CHECK (score_n BETWEEN 0 AND n),
    CONSTRAINT rollout_statistics_latency_n_check CHECK (latency_n BETWEEN 0 AND n)
);
COMMENT ON TABLE abtest.rollout_statistics IS 'Sufficient statistics of observations that occurred after the test concluded (rollout steps and monitoring), per variant; same columns as variant_statistics.';
--rollback DROP TABLE abtest.rollout_statistics;

--changeset promptloop:006-outbox
CREATE TABLE abtest.outbox (
    id                bigint      GENERATED ALWAYS AS IDENTITY,
    topic             text        NOT NULL,
    record_key        text        NOT NULL,
    value_type        text        NOT NULL,
    payload           bytea       NOT NULL,
    routing_change_id uuid,
    created_at        timestamptz NOT NULL DEFAULT now(),
    published_at      timestamptz,
    CONSTRAINT outbox_pkey PRIMARY KEY (id),
    CONSTRAINT outbox_routing_change_id_fkey FOREIGN KEY (routing_change_id)
        REFERENCES abtest.routing_changes (id) ON DELETE SET NULL
);
CREATE INDEX idx_outbox_unpublished ON abtest.outbox (id) WHERE published_at IS NULL;
COMMENT ON TABLE abtest.outbox IS 'Events written in the same transaction as the state they announce (routing, decisions), published to Kafka in id order by one relay at a time.';
COMMENT ON COLUMN abtest.outbox.value_type IS 'Generated Avro class of the payload.';
COMMENT ON COLUMN abtest.outbox.payload IS 'Avro binary of the value (no registry framing; the relay serializes it in the Confluent format).';
COMMENT ON COLUMN abtest.outbox.routing_change_id IS 'The routing change this event publishes, if any (its published_at is set with the event''s).';
--rollback DROP TABLE abtest.outbox;

--changeset promptloop:006-one-live-test
-- A predictor's routing carries at most one test: while it runs, while its winner rolls out, and while
-- the rolled-out winner is watched.
CREATE UNIQUE INDEX uq_prompt_ab_tests_one_live
    ON abtest.prompt_ab_tests (agent_name, COALESCE(predictor_name, ''))
    WHERE status IN ('running', 'rolling_out') OR (status = 'rolled_out' AND NOT monitoring_complete);
--rollback DROP INDEX abtest.uq_prompt_ab_tests_one_live;
