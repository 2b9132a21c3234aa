--liquibase formatted sql

-- promptloop :: optimizer additions (tool descriptions, routing state)

--changeset promptloop:007-routing-state
CREATE TABLE optimizer.routing_state (
    agent_name              varchar(100) NOT NULL,
    predictor_name          varchar(100),
    active_instruction_id   uuid,
    running_test_id         varchar(200),
    routing_event_id        varchar(200) NOT NULL,
    routed_at               timestamptz  NOT NULL,
    updated_at              timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT routing_state_predictor_key UNIQUE NULLS NOT DISTINCT (agent_name, predictor_name)
);
COMMENT ON TABLE optimizer.routing_state IS 'The optimizer''s copy of the latest instruction-routing record per agent/predictor (the compacted topic published by the A/B service): lets the automatic run policy see an A/B test in flight without reading the abtest schema.';
COMMENT ON COLUMN optimizer.routing_state.predictor_name IS 'Predictor within the agent, NULL for the agent as a whole.';
COMMENT ON COLUMN optimizer.routing_state.active_instruction_id IS 'active_instruction_id of the latest routing (may name an instruction the optimizer does not know; NULL when it is not a UUID).';
COMMENT ON COLUMN optimizer.routing_state.running_test_id IS 'test.test_id of the latest routing while an A/B test runs, NULL when none runs: no automatic run starts while it is set.';
COMMENT ON COLUMN optimizer.routing_state.routing_event_id IS 'event_id of the routing record this row reflects.';
COMMENT ON COLUMN optimizer.routing_state.routed_at IS 'occurred_at of that routing record. Records are applied in topic order (the partition of the key orders them), the last one wins.';
--rollback DROP TABLE optimizer.routing_state;
