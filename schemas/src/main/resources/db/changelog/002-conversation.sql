--liquibase formatted sql

-- promptloop :: schema conversation (owned and written by the ingest service)
--
-- The ingest service's code is written against these exact table and column names.
-- Primary keys of event-sourced rows are the events' ids (session id, event_id) and have no
-- default on purpose: an insert that forgets the id must fail, not create a duplicate on redelivery.
-- Counters (total_turns, total_improvements) and updated_at are maintained incrementally by the
-- ingest service in the same transaction as the insert: there are deliberately NO triggers
-- (seed 003's per-row COUNT(*) triggers are rejected).
-- There is deliberately no CHECK (session_end >= session_start): events may arrive late or out of
-- order, and a bad clock on an agent must not dead-letter a session.

--changeset promptloop:002-prompt-tuning-sessions
CREATE TABLE conversation.prompt_tuning_sessions (
    id                    uuid         NOT NULL,
    agent_name            varchar(100) NOT NULL,
    predictor_name        varchar(100),
    session_start         timestamptz  NOT NULL,
    session_end           timestamptz,
    master_prompt_version text,
    branch_name           text,
    total_turns           integer      NOT NULL DEFAULT 0,
    total_improvements    integer      NOT NULL DEFAULT 0,
    tester_id             text,
    tester_email          text,
    tester_name           text,
    metadata              jsonb        NOT NULL DEFAULT '{}'::jsonb,
    started_explicitly    boolean      NOT NULL DEFAULT false,
    end_reason            text,
    created_at            timestamptz  NOT NULL DEFAULT now(),
    updated_at            timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT prompt_tuning_sessions_pkey PRIMARY KEY (id),
    CONSTRAINT prompt_tuning_sessions_total_turns_check CHECK (total_turns >= 0),
    CONSTRAINT prompt_tuning_sessions_total_improvements_check CHECK (total_improvements >= 0)
);
CREATE INDEX idx_tuning_sessions_start ON conversation.prompt_tuning_sessions (session_start DESC);
CREATE INDEX idx_tuning_sessions_tester ON conversation.prompt_tuning_sessions (tester_id);
CREATE INDEX idx_tuning_sessions_tester_email ON conversation.prompt_tuning_sessions (tester_email);
CREATE INDEX idx_tuning_sessions_branch ON conversation.prompt_tuning_sessions (branch_name);
CREATE INDEX idx_tuning_sessions_active ON conversation.prompt_tuning_sessions (session_start) WHERE session_end IS NULL;
CREATE INDEX idx_tuning_sessions_agent_start ON conversation.prompt_tuning_sessions (agent_name, session_start DESC);
COMMENT ON TABLE conversation.prompt_tuning_sessions IS 'One prompt tuning session: a tester talking to an agent and noting improvements (seed 003). Key = the session id carried by every session event.';
COMMENT ON COLUMN conversation.prompt_tuning_sessions.id IS 'Session id from the agent-sessions events (the Kafka record key).';
COMMENT ON COLUMN conversation.prompt_tuning_sessions.agent_name IS 'Agent under test.';
COMMENT ON COLUMN conversation.prompt_tuning_sessions.predictor_name IS 'Predictor (prompt slot) within the agent, or NULL for the agent as a whole.';
COMMENT ON COLUMN conversation.prompt_tuning_sessions.session_start IS 'When the session started (SessionStarted, or the first event seen when the session was started implicitly).';
COMMENT ON COLUMN conversation.prompt_tuning_sessions.session_end IS 'When the session ended (SessionEnded), NULL while active. Not checked against session_start: events may arrive out of order.';
COMMENT ON COLUMN conversation.prompt_tuning_sessions.master_prompt_version IS 'Version (e.g. git commit hash) of the master prompt when the session started.';
COMMENT ON COLUMN conversation.prompt_tuning_sessions.branch_name IS 'Branch the tested prompt came from.';
COMMENT ON COLUMN conversation.prompt_tuning_sessions.total_turns IS 'Number of stored turns, incremented by the ingest service (no trigger).';
COMMENT ON COLUMN conversation.prompt_tuning_sessions.total_improvements IS 'Number of stored improvement notes, incremented by the ingest service (no trigger).';
COMMENT ON COLUMN conversation.prompt_tuning_sessions.tester_id IS 'Tester identity (e.g. directory object id). Personal data.';
COMMENT ON COLUMN conversation.prompt_tuning_sessions.tester_email IS 'Tester e-mail. Personal data.';
COMMENT ON COLUMN conversation.prompt_tuning_sessions.tester_name IS 'Tester display name. Personal data.';
COMMENT ON COLUMN conversation.prompt_tuning_sessions.metadata IS 'Additional session data: deployment id, environment, etc.';
COMMENT ON COLUMN conversation.prompt_tuning_sessions.started_explicitly IS 'true when a SessionStarted event was stored, false when the row was created implicitly by a later event.';
COMMENT ON COLUMN conversation.prompt_tuning_sessions.end_reason IS 'Why the session ended, from SessionEnded.';
COMMENT ON COLUMN conversation.prompt_tuning_sessions.updated_at IS 'Last change, set by the ingest service.';
--rollback DROP TABLE conversation.prompt_tuning_sessions;

--changeset promptloop:002-tuning-conversation-turns
CREATE TABLE conversation.tuning_conversation_turns (
    id                 uuid             NOT NULL,
    session_id         uuid             NOT NULL,
    turn_number        integer          NOT NULL,
    user_message       text             NOT NULL,
    agent_response     text             NOT NULL,
    occurred_at        timestamptz      NOT NULL,
    processing_time_ms integer,
    search_results     jsonb,
    avg_similarity     double precision,
    total_chunks       integer,
    confidence_score   double precision,
    template_used      text,
    instruction_id     uuid,
    metadata           jsonb            NOT NULL DEFAULT '{}'::jsonb,
    ingested_at        timestamptz      NOT NULL DEFAULT now(),
    CONSTRAINT tuning_conversation_turns_pkey PRIMARY KEY (id),
    CONSTRAINT tuning_conversation_turns_session_id_fkey FOREIGN KEY (session_id)
        REFERENCES conversation.prompt_tuning_sessions (id) ON DELETE CASCADE,
    CONSTRAINT unique_session_turn UNIQUE (session_id, turn_number),
    CONSTRAINT tuning_conversation_turns_turn_number_check CHECK (turn_number > 0),
    CONSTRAINT tuning_conversation_turns_processing_time_ms_check CHECK (processing_time_ms >= 0),
    CONSTRAINT tuning_conversation_turns_avg_similarity_check CHECK (avg_similarity BETWEEN 0 AND 1),
    CONSTRAINT tuning_conversation_turns_total_chunks_check CHECK (total_chunks >= 0),
    CONSTRAINT tuning_conversation_turns_confidence_score_check CHECK (confidence_score BETWEEN 0 AND 1)
);
CREATE INDEX idx_tuning_turns_occurred_at ON conversation.tuning_conversation_turns (occurred_at DESC);
CREATE INDEX idx_tuning_turns_similarity ON conversation.tuning_conversation_turns (avg_similarity) WHERE avg_similarity IS NOT NULL;
COMMENT ON TABLE conversation.tuning_conversation_turns IS 'One conversation turn of a tuning session: the user message and the agent response (seed 003). Key = the TurnRecorded event_id. unique_session_turn also serves lookups by (session_id, turn_number).';
COMMENT ON COLUMN conversation.tuning_conversation_turns.id IS 'event_id of the TurnRecorded event.';
COMMENT ON COLUMN conversation.tuning_conversation_turns.turn_number IS '1-based turn number, unique within the session.';
COMMENT ON COLUMN conversation.tuning_conversation_turns.agent_response IS 'The agent''s response (seed 003 era_response).';
COMMENT ON COLUMN conversation.tuning_conversation_turns.occurred_at IS 'When the turn happened (event occurred_at; seed 003 timestamp).';
COMMENT ON COLUMN conversation.tuning_conversation_turns.processing_time_ms IS 'How long the agent took to respond.';
COMMENT ON COLUMN conversation.tuning_conversation_turns.search_results IS 'RAG search results used to generate the response (for debugging).';
COMMENT ON COLUMN conversation.tuning_conversation_turns.avg_similarity IS 'Average RAG similarity of the retrieved chunks, 0..1.';
COMMENT ON COLUMN conversation.tuning_conversation_turns.total_chunks IS 'Number of retrieved chunks.';
COMMENT ON COLUMN conversation.tuning_conversation_turns.confidence_score IS 'The agent''s confidence in its response, 0..1.';
COMMENT ON COLUMN conversation.tuning_conversation_turns.template_used IS 'Response template, if one was used.';
COMMENT ON COLUMN conversation.tuning_conversation_turns.instruction_id IS 'optimizer.optimized_instructions.instruction_id that served the turn, if known (no cross-schema FK).';
COMMENT ON COLUMN conversation.tuning_conversation_turns.metadata IS 'Additional turn data: user context, conversation state, etc.';
COMMENT ON COLUMN conversation.tuning_conversation_turns.ingested_at IS 'When the ingest service stored the row.';
--rollback DROP TABLE conversation.tuning_conversation_turns;

--changeset promptloop:002-tuning-improvements
CREATE TABLE conversation.tuning_improvements (
    id               uuid        NOT NULL,
    turn_id          uuid        NOT NULL,
    session_id       uuid        NOT NULL,
    improvement_note text        NOT NULL,
    category         text,
    occurred_at      timestamptz NOT NULL,
    metadata         jsonb       NOT NULL DEFAULT '{}'::jsonb,
    ingested_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT tuning_improvements_pkey PRIMARY KEY (id),
    CONSTRAINT tuning_improvements_turn_id_fkey FOREIGN KEY (turn_id)
        REFERENCES conversation.tuning_conversation_turns (id) ON DELETE CASCADE,
    CONSTRAINT tuning_improvements_session_id_fkey FOREIGN KEY (session_id)
        REFERENCES conversation.prompt_tuning_sessions (id) ON DELETE CASCADE,
    CONSTRAINT tuning_improvements_category_check
        CHECK (category IN ('tone', 'content', 'citation', 'clarity', 'structure', 'action', 'other'))
);
CREATE INDEX idx_tuning_improvements_turn ON conversation.tuning_improvements (turn_id);
CREATE INDEX idx_tuning_improvements_session ON conversation.tuning_improvements (session_id);
CREATE INDEX idx_tuning_improvements_category ON conversation.tuning_improvements (category) WHERE category IS NOT NULL;
CREATE INDEX idx_tuning_improvements_occurred_at ON conversation.tuning_improvements (occurred_at DESC);
COMMENT ON TABLE conversation.tuning_improvements IS 'A tester''s improvement note on one turn (seed 003). Key = the ImprovementNoted event_id. session_id is denormalised from the turn for per-session queries.';
COMMENT ON COLUMN conversation.tuning_improvements.id IS 'event_id of the ImprovementNoted event.';
COMMENT ON COLUMN conversation.tuning_improvements.improvement_note IS 'What should be better. Feeds the optimizer''s reflector.';
COMMENT ON COLUMN conversation.tuning_improvements.category IS 'Optional category: tone, content, citation, clarity, structure, action, other.';
COMMENT ON COLUMN conversation.tuning_improvements.occurred_at IS 'When the note was made (event occurred_at; seed 003 timestamp).';
COMMENT ON COLUMN conversation.tuning_improvements.metadata IS 'Additional data: severity, suggested change, etc.';
--rollback DROP TABLE conversation.tuning_improvements;

--changeset promptloop:002-test-cases
CREATE TABLE conversation.test_cases (
    id                uuid         NOT NULL DEFAULT gen_random_uuid(),
    agent_name        varchar(100) NOT NULL,
    predictor_name    varchar(100),
    example_id        varchar(200) NOT NULL,
    input             text         NOT NULL,
    expected_behavior text,
    category          text,
    first_seen_at     timestamptz  NOT NULL DEFAULT now(),
    last_seen_at      timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT test_cases_pkey PRIMARY KEY (id),
    CONSTRAINT test_cases_example_key UNIQUE NULLS NOT DISTINCT (agent_name, predictor_name, example_id)
);
COMMENT ON TABLE conversation.test_cases IS 'Test cases (examples) seen in evaluations, one per agent/predictor/example id (seed 004 TestCase). Upserted by the ingest service.';
COMMENT ON COLUMN conversation.test_cases.example_id IS 'Stable example id chosen by the agent or judge, 1..200 characters.';
COMMENT ON COLUMN conversation.test_cases.input IS 'The example''s input (user query), as last seen.';
COMMENT ON COLUMN conversation.test_cases.expected_behavior IS 'What a good answer does, if the evaluator said.';
COMMENT ON COLUMN conversation.test_cases.first_seen_at IS 'First evaluation that mentioned the example.';
COMMENT ON COLUMN conversation.test_cases.last_seen_at IS 'Latest evaluation that mentioned the example.';
--rollback DROP TABLE conversation.test_cases;

--changeset promptloop:002-evaluations
CREATE TABLE conversation.evaluations (
    id                 uuid             NOT NULL,
    test_case_id       uuid,
    agent_name         varchar(100)     NOT NULL,
    predictor_name     varchar(100),
    example_id         varchar(200)     NOT NULL,
    input              text             NOT NULL,
    model_response     text             NOT NULL,
    functionality      double precision,
    safety             double precision,
    consistency        double precision,
    edge_case_handling double precision,
    faithfulness       double precision,
    answer_relevancy   double precision,
    context_precision  double precision,
    context_recall     double precision,
    ragas_aggregate    double precision,
    causal_validity    double precision,
    actionability      double precision,
    rubric_aggregate   double precision,
    overall_score      double precision NOT NULL,
    reasoning          text,
    feedback           text,
    evaluator          text             NOT NULL,
    session_id         uuid,
    turn_number        integer,
    run_id             uuid,
    candidate_id       uuid,
    request_id         uuid,
    occurred_at        timestamptz      NOT NULL,
    ingested_at        timestamptz      NOT NULL DEFAULT now(),
    CONSTRAINT evaluations_pkey PRIMARY KEY (id),
    CONSTRAINT evaluations_test_case_id_fkey FOREIGN KEY (test_case_id)
        REFERENCES conversation.test_cases (id) ON DELETE SET NULL,
    CONSTRAINT evaluations_functionality_check CHECK (functionality BETWEEN 0 AND 1),
    CONSTRAINT evaluations_safety_check CHECK (safety BETWEEN 0 AND 1),
    CONSTRAINT evaluations_consistency_check CHECK (consistency BETWEEN 0 AND 1),
    CONSTRAINT evaluations_edge_case_handling_check CHECK (edge_case_handling BETWEEN 0 AND 1),
    CONSTRAINT evaluations_faithfulness_check CHECK (faithfulness BETWEEN 0 AND 1),
    CONSTRAINT evaluations_answer_relevancy_check CHECK (answer_relevancy BETWEEN 0 AND 1),
    CONSTRAINT evaluations_context_precision_check CHECK (context_precision BETWEEN 0 AND 1),
    CONSTRAINT evaluations_context_recall_check CHECK (context_recall BETWEEN 0 AND 1),
    CONSTRAINT evaluations_ragas_aggregate_check CHECK (ragas_aggregate BETWEEN 0 AND 1),
    CONSTRAINT evaluations_causal_validity_check CHECK (causal_validity BETWEEN 1 AND 5),
    CONSTRAINT evaluations_actionability_check CHECK (actionability BETWEEN 1 AND 5),
    CONSTRAINT evaluations_rubric_aggregate_check CHECK (rubric_aggregate BETWEEN 1 AND 5),
    CONSTRAINT evaluations_overall_score_check CHECK (overall_score BETWEEN 0 AND 1),
    CONSTRAINT evaluations_evaluator_check
        CHECK (evaluator IN ('human', 'llm_judge', 'heuristic', 'agent', 'other'))
);
CREATE INDEX idx_evaluations_agent_predictor_time ON conversation.evaluations (agent_name, predictor_name, occurred_at DESC);
CREATE INDEX idx_evaluations_run_candidate ON conversation.evaluations (run_id, candidate_id) WHERE run_id IS NOT NULL;
CREATE INDEX idx_evaluations_example ON conversation.evaluations (example_id);
COMMENT ON TABLE conversation.evaluations IS 'One scored evaluation of an agent output on one example (seed 004 Evaluation plus seed 002 section 9.1 RAGAS and rubric scores). Key = the EvaluationRecorded event_id.';
COMMENT ON COLUMN conversation.evaluations.id IS 'event_id of the EvaluationRecorded event.';
COMMENT ON COLUMN conversation.evaluations.test_case_id IS 'The test case row for (agent_name, predictor_name, example_id).';
COMMENT ON COLUMN conversation.evaluations.model_response IS 'The agent output that was scored.';
COMMENT ON COLUMN conversation.evaluations.functionality IS 'Seed 004 dimension, 0..1.';
COMMENT ON COLUMN conversation.evaluations.safety IS 'Seed 004 dimension, 0..1.';
COMMENT ON COLUMN conversation.evaluations.consistency IS 'Seed 004 dimension, 0..1.';
COMMENT ON COLUMN conversation.evaluations.edge_case_handling IS 'Seed 004 dimension, 0..1.';
COMMENT ON COLUMN conversation.evaluations.faithfulness IS 'RAGAS faithfulness, 0..1.';
COMMENT ON COLUMN conversation.evaluations.answer_relevancy IS 'RAGAS answer relevancy, 0..1.';
COMMENT ON COLUMN conversation.evaluations.context_precision IS 'RAGAS context precision, 0..1.';
COMMENT ON COLUMN conversation.evaluations.context_recall IS 'RAGAS context recall, 0..1.';
COMMENT ON COLUMN conversation.evaluations.ragas_aggregate IS 'Weighted RAGAS composite, 0..1.';
COMMENT ON COLUMN conversation.evaluations.causal_validity IS 'Domain rubric: causal validity, 1..5.';
COMMENT ON COLUMN conversation.evaluations.actionability IS 'Domain rubric: actionability, 1..5.';
COMMENT ON COLUMN conversation.evaluations.rubric_aggregate IS 'Weighted rubric composite, 1..5.';
COMMENT ON COLUMN conversation.evaluations.overall_score IS 'Overall score 0..1: the metric the optimizer maximises.';
COMMENT ON COLUMN conversation.evaluations.feedback IS 'Free-text feedback: what was missing or wrong. Feeds the reflector.';
COMMENT ON COLUMN conversation.evaluations.evaluator IS 'Who scored: human, llm_judge, heuristic, agent, other.';
COMMENT ON COLUMN conversation.evaluations.run_id IS 'Optimizer run, when the evaluation answers an EvaluationRequested (no cross-schema FK). NULL for production evaluations.';
COMMENT ON COLUMN conversation.evaluations.candidate_id IS 'Optimizer candidate, when answering an EvaluationRequested.';
COMMENT ON COLUMN conversation.evaluations.request_id IS 'The EvaluationRequested request id.';
--rollback DROP TABLE conversation.evaluations;

--changeset promptloop:002-prompt-ab-test-observations
CREATE TABLE conversation.prompt_ab_test_observations (
    id             uuid             NOT NULL,
    test_id        uuid             NOT NULL,
    agent_name     varchar(100)     NOT NULL,
    predictor_name varchar(100),
    variant        text             NOT NULL,
    unit_id        varchar(200)     NOT NULL,
    score          double precision,
    latency_ms     bigint,
    success        boolean          NOT NULL,
    instruction_id uuid,
    occurred_at    timestamptz      NOT NULL,
    ingested_at    timestamptz      NOT NULL DEFAULT now(),
    CONSTRAINT prompt_ab_test_observations_pkey PRIMARY KEY (id),
    CONSTRAINT prompt_ab_test_observations_variant_check
        CHECK (variant IN ('baseline', 'treatment', 'gepa', 'gepa_v2', 'control')),
    CONSTRAINT prompt_ab_test_observations_score_check CHECK (score BETWEEN 0 AND 1),
    CONSTRAINT prompt_ab_test_observations_latency_ms_check CHECK (latency_ms >= 0)
);
CREATE INDEX idx_ab_observations_test_variant ON conversation.prompt_ab_test_observations (test_id, variant);
CREATE INDEX idx_ab_observations_occurred_at ON conversation.prompt_ab_test_observations (occurred_at DESC);
COMMENT ON TABLE conversation.prompt_ab_test_observations IS 'Raw request-level A/B observations (seed 000 / seed 002 section 10.5), stored by the ingest service for analysts. The A/B service keeps its own sufficient statistics. Key = the ObservationRecorded event_id (seed observation_id).';
COMMENT ON COLUMN conversation.prompt_ab_test_observations.id IS 'event_id of the ObservationRecorded event (seed observation_id).';
COMMENT ON COLUMN conversation.prompt_ab_test_observations.test_id IS 'abtest.prompt_ab_tests.test_id. No foreign key: tests belong to the A/B service''s schema.';
COMMENT ON COLUMN conversation.prompt_ab_test_observations.variant IS 'baseline, treatment, gepa, gepa_v2 or control.';
COMMENT ON COLUMN conversation.prompt_ab_test_observations.unit_id IS 'Randomisation unit (user, conversation).';
COMMENT ON COLUMN conversation.prompt_ab_test_observations.score IS 'Response quality 0..1, if scored.';
COMMENT ON COLUMN conversation.prompt_ab_test_observations.latency_ms IS 'Response latency in milliseconds.';
COMMENT ON COLUMN conversation.prompt_ab_test_observations.success IS 'Whether the request succeeded (no error, no refusal).';
COMMENT ON COLUMN conversation.prompt_ab_test_observations.instruction_id IS 'Instruction that served the request, if known.';
--rollback DROP TABLE conversation.prompt_ab_test_observations;

--changeset promptloop:002-archive-tables
--comment: archive tables for the retention job: same columns as the source plus archived_at, no FKs, no unique constraints besides the primary key
CREATE TABLE conversation.prompt_tuning_sessions_archive (
    LIKE conversation.prompt_tuning_sessions INCLUDING DEFAULTS INCLUDING COMMENTS,
    archived_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT prompt_tuning_sessions_archive_pkey PRIMARY KEY (id)
);
CREATE INDEX idx_tuning_sessions_archive_start ON conversation.prompt_tuning_sessions_archive (session_start);
COMMENT ON TABLE conversation.prompt_tuning_sessions_archive IS 'Sessions moved out of prompt_tuning_sessions by the retention job. Same columns plus archived_at.';
COMMENT ON COLUMN conversation.prompt_tuning_sessions_archive.archived_at IS 'When the retention job archived the row.';

CREATE TABLE conversation.tuning_conversation_turns_archive (
    LIKE conversation.tuning_conversation_turns INCLUDING DEFAULTS INCLUDING COMMENTS,
    archived_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT tuning_conversation_turns_archive_pkey PRIMARY KEY (id)
);
CREATE INDEX idx_tuning_turns_archive_session ON conversation.tuning_conversation_turns_archive (session_id);
COMMENT ON TABLE conversation.tuning_conversation_turns_archive IS 'Turns moved out of tuning_conversation_turns by the retention job. Same columns plus archived_at.';
COMMENT ON COLUMN conversation.tuning_conversation_turns_archive.archived_at IS 'When the retention job archived the row.';

CREATE TABLE conversation.tuning_improvements_archive (
    LIKE conversation.tuning_improvements INCLUDING DEFAULTS INCLUDING COMMENTS,
    archived_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT tuning_improvements_archive_pkey PRIMARY KEY (id)
);
CREATE INDEX idx_tuning_improvements_archive_session ON conversation.tuning_improvements_archive (session_id);
COMMENT ON TABLE conversation.tuning_improvements_archive IS 'Improvement notes moved out of tuning_improvements by the retention job. Same columns plus archived_at.';
COMMENT ON COLUMN conversation.tuning_improvements_archive.archived_at IS 'When the retention job archived the row.';
--rollback DROP TABLE conversation.tuning_improvements_archive;
--rollback DROP TABLE conversation.tuning_conversation_turns_archive;
--rollback DROP TABLE conversation.prompt_tuning_sessions_archive;
