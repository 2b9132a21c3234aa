--liquibase formatted sql

-- promptloop :: schema optimizer (owned and written by the optimizer service)
--
-- From seeds 000 / 002 section 10 (GEPA optimization) and seed 004 (OptimizationRun, Prompt with
-- parent lineage, TestCase, Evaluation, StageResult, WeaknessAnalysis).
-- A run is a persistent state machine: everything needed to resume after a crash is here.
-- Replicas share runs through the database: claim with
--   SELECT ... FROM optimizer.prompt_optimization_runs
--   WHERE status IN ('pending','running') AND (lease_until IS NULL OR lease_until < now())
--   ORDER BY created_at FOR UPDATE SKIP LOCKED LIMIT 1
-- then set lease_owner / lease_until and renew the lease while working.
-- Hashes are lower-case hex SHA-256 of the UTF-8 text (64 characters).

--changeset promptloop:003-optimizer-enums
CREATE TYPE optimizer.optimizer_type AS ENUM ('miprov2', 'gepa', 'bootstrap_fewshot', 'copro', 'simba', 'manual');
CREATE TYPE optimizer.gepa_budget_preset AS ENUM ('light', 'medium', 'heavy', 'custom');
CREATE TYPE optimizer.optimization_status AS ENUM ('pending', 'running', 'completed', 'failed', 'cancelled', 'rolled_back');
COMMENT ON TYPE optimizer.optimizer_type IS 'Optimizer that produced a run or instruction (seed 002 section 10).';
COMMENT ON TYPE optimizer.gepa_budget_preset IS 'GEPA budget: light ~500, medium ~2000, heavy ~4000 metric calls, custom = max_metric_calls.';
COMMENT ON TYPE optimizer.optimization_status IS 'Lifecycle of an optimization run.';
--rollback DROP TYPE optimizer.optimization_status;
--rollback DROP TYPE optimizer.gepa_budget_preset;
--rollback DROP TYPE optimizer.optimizer_type;

--changeset promptloop:003-prompt-optimization-runs
CREATE TABLE optimizer.prompt_optimization_runs (
    run_id                   uuid                          NOT NULL DEFAULT gen_random_uuid(),
    agent_name               varchar(100)                  NOT NULL,
    predictor_name           varchar(100),
    agent_tier               smallint,
    optimizer_type           optimizer.optimizer_type      NOT NULL DEFAULT 'gepa',
    budget_preset            optimizer.gepa_budget_preset,
    max_metric_calls         integer,
    metric_calls_spent       integer                       NOT NULL DEFAULT 0,
    seed                     bigint,
    status                   optimizer.optimization_status NOT NULL DEFAULT 'pending',
    phase                    text,
    iteration                integer                       NOT NULL DEFAULT 0,
    minibatch_size           integer                       NOT NULL DEFAULT 3,
    trigger_reason           text,
    baseline_instruction_id  uuid,
    best_candidate_id        uuid,
    result_instruction_id    uuid,
    baseline_score           numeric(5,4),
    optimized_score          numeric(5,4),
    improvement_percent      numeric(7,2),
    config_json              jsonb                         NOT NULL DEFAULT '{}'::jsonb,
    error_message            text,
    enable_tool_optimization boolean                       NOT NULL DEFAULT false,
    lease_owner              text,
    lease_until              timestamptz,
    started_at               timestamptz,
    completed_at             timestamptz,
    created_at               timestamptz                   NOT NULL DEFAULT now(),
    updated_at               timestamptz                   NOT NULL DEFAULT now(),
    CONSTRAINT prompt_optimization_runs_pkey PRIMARY KEY (run_id),
    CONSTRAINT prompt_optimization_runs_agent_tier_check CHECK (agent_tier BETWEEN 0 AND 5),
    CONSTRAINT prompt_optimization_runs_max_metric_calls_check CHECK (max_metric_calls > 0),
    CONSTRAINT prompt_optimization_runs_metric_calls_spent_check CHECK (metric_calls_spent >= 0),
    CONSTRAINT prompt_optimization_runs_iteration_check CHECK (iteration >= 0),
    CONSTRAINT prompt_optimization_runs_minibatch_size_check CHECK (minibatch_size > 0),
    CONSTRAINT prompt_optimization_runs_baseline_score_check CHECK (baseline_score BETWEEN 0 AND 1),
    CONSTRAINT prompt_optimization_runs_optimized_score_check CHECK (optimized_score BETWEEN 0 AND 1),
    CONSTRAINT prompt_optimization_runs_lease_check CHECK ((lease_owner IS NULL) = (lease_until IS NULL)),
    CONSTRAINT prompt_optimization_runs_completed_after_started_check
        CHECK (completed_at IS NULL OR started_at IS NULL OR completed_at >= started_at)
);
CREATE INDEX idx_optimization_runs_claimable ON optimizer.prompt_optimization_runs (status, lease_until, created_at)
    WHERE status IN ('pending', 'running');
CREATE INDEX idx_optimization_runs_agent ON optimizer.prompt_optimization_runs (agent_name, predictor_name, created_at DESC);
CREATE INDEX idx_optimization_runs_optimizer_type ON optimizer.prompt_optimization_runs (optimizer_type, status);
CREATE UNIQUE INDEX uq_optimization_runs_one_in_flight
    ON optimizer.prompt_optimization_runs (agent_name, COALESCE(predictor_name, ''), optimizer_type)
    WHERE status IN ('pending', 'running');
COMMENT ON TABLE optimizer.prompt_optimization_runs IS 'One optimization run for one agent/predictor (seed 002 section 10.1, seed 004 OptimizationRun). A persistent state machine shared between replicas by lease (FOR UPDATE SKIP LOCKED). At most one pending/running run per agent/predictor/optimizer.';
COMMENT ON COLUMN optimizer.prompt_optimization_runs.agent_tier IS 'Agent tier 0..5 (seed 002).';
COMMENT ON COLUMN optimizer.prompt_optimization_runs.budget_preset IS 'Budget preset, resolved into max_metric_calls when the run is created.';
COMMENT ON COLUMN optimizer.prompt_optimization_runs.max_metric_calls IS 'Budget: maximum number of example evaluations (metric calls).';
COMMENT ON COLUMN optimizer.prompt_optimization_runs.metric_calls_spent IS 'Example evaluations requested so far (reused results are not counted).';
COMMENT ON COLUMN optimizer.prompt_optimization_runs.seed IS 'Random seed, for reproducible parent and minibatch sampling.';
COMMENT ON COLUMN optimizer.prompt_optimization_runs.phase IS 'Where the state machine is within status running (e.g. seeding, reflecting, minibatch, validating, finalizing): the service defines the values.';
COMMENT ON COLUMN optimizer.prompt_optimization_runs.iteration IS 'Current GEPA iteration (0 = scoring the seed candidate).';
COMMENT ON COLUMN optimizer.prompt_optimization_runs.trigger_reason IS 'Why the run started (enough new feedback, schedule, operator).';
COMMENT ON COLUMN optimizer.prompt_optimization_runs.baseline_instruction_id IS 'The active instruction used as the seed candidate, if any.';
COMMENT ON COLUMN optimizer.prompt_optimization_runs.best_candidate_id IS 'Best candidate so far by mean validation score.';
COMMENT ON COLUMN optimizer.prompt_optimization_runs.result_instruction_id IS 'The optimized_instructions row the run produced.';
COMMENT ON COLUMN optimizer.prompt_optimization_runs.baseline_score IS 'Mean validation score of the seed candidate, 0..1.';
COMMENT ON COLUMN optimizer.prompt_optimization_runs.optimized_score IS 'Mean validation score of the best candidate, 0..1.';
COMMENT ON COLUMN optimizer.prompt_optimization_runs.improvement_percent IS '100 * (optimized - baseline) / baseline.';
COMMENT ON COLUMN optimizer.prompt_optimization_runs.config_json IS 'Full configuration, for reproducibility.';
COMMENT ON COLUMN optimizer.prompt_optimization_runs.enable_tool_optimization IS 'Also optimize tool descriptions (seed 002 section 10.3).';
COMMENT ON COLUMN optimizer.prompt_optimization_runs.lease_owner IS 'Replica currently working on the run, NULL when unclaimed.';
COMMENT ON COLUMN optimizer.prompt_optimization_runs.lease_until IS 'The lease expires at this time: another replica may then claim the run.';
--rollback DROP TABLE optimizer.prompt_optimization_runs;

--changeset promptloop:003-optimized-instructions
CREATE TABLE optimizer.optimized_instructions (
    instruction_id         uuid                     NOT NULL DEFAULT gen_random_uuid(),
    run_id                 uuid,
    candidate_id           uuid,
    agent_name             varchar(100)             NOT NULL,
    predictor_name         varchar(100),
    version                integer                  NOT NULL,
    instruction_text       text                     NOT NULL,
    instruction_hash       varchar(64)              NOT NULL,
    optimizer_type         optimizer.optimizer_type NOT NULL,
    is_active              boolean                  NOT NULL DEFAULT false,
    val_score              numeric(5,4),
    parent_indices         integer[],
    parent_instruction_ids uuid[],
    created_at             timestamptz              NOT NULL DEFAULT now(),
    activated_at           timestamptz,
    deactivated_at         timestamptz,
    CONSTRAINT optimized_instructions_pkey PRIMARY KEY (instruction_id),
    CONSTRAINT optimized_instructions_run_id_fkey FOREIGN KEY (run_id)
        REFERENCES optimizer.prompt_optimization_runs (run_id) ON DELETE RESTRICT,
    CONSTRAINT optimized_instructions_version_key UNIQUE NULLS NOT DISTINCT (agent_name, predictor_name, version),
    CONSTRAINT optimized_instructions_hash_key UNIQUE NULLS NOT DISTINCT (agent_name, predictor_name, instruction_hash),
    CONSTRAINT optimized_instructions_version_check CHECK (version > 0),
    CONSTRAINT optimized_instructions_instruction_hash_check
        CHECK (length(instruction_hash) = 64 AND instruction_hash ~ '^[0-9a-f]{64}$'),
    CONSTRAINT optimized_instructions_val_score_check CHECK (val_score BETWEEN 0 AND 1)
);
CREATE UNIQUE INDEX uq_optimized_instructions_one_active
    ON optimizer.optimized_instructions (agent_name, COALESCE(predictor_name, ''))
    WHERE is_active;
CREATE INDEX idx_optimized_instructions_run ON optimizer.optimized_instructions (run_id) WHERE run_id IS NOT NULL;
COMMENT ON TABLE optimizer.optimized_instructions IS 'Versioned instructions per agent/predictor with GEPA lineage (seed 002 section 10.2, seed 004 Prompt). Exactly one active instruction per agent/predictor (uq_optimized_instructions_one_active).';
COMMENT ON COLUMN optimizer.optimized_instructions.run_id IS 'Run that produced the instruction. NULL for manual baselines.';
COMMENT ON COLUMN optimizer.optimized_instructions.candidate_id IS 'optimizer.candidates row the instruction was promoted from, if any.';
COMMENT ON COLUMN optimizer.optimized_instructions.predictor_name IS 'DSPy-style predictor within the agent, NULL for the agent as a whole.';
COMMENT ON COLUMN optimizer.optimized_instructions.version IS 'Version number per agent/predictor, 1-based.';
COMMENT ON COLUMN optimizer.optimized_instructions.instruction_hash IS 'Lower-case hex SHA-256 of instruction_text, for deduplication.';
COMMENT ON COLUMN optimizer.optimized_instructions.is_active IS 'Currently served to agents (when no A/B test routes otherwise).';
COMMENT ON COLUMN optimizer.optimized_instructions.val_score IS 'Mean validation score, 0..1.';
COMMENT ON COLUMN optimizer.optimized_instructions.parent_indices IS 'GEPA lineage: candidate indices of the parents within the run.';
COMMENT ON COLUMN optimizer.optimized_instructions.parent_instruction_ids IS 'Lineage across runs: the instructions this one descends from.';
--rollback DROP TABLE optimizer.optimized_instructions;

--changeset promptloop:003-optimized-tool-descriptions
CREATE TABLE optimizer.optimized_tool_descriptions (
    tool_description_id     uuid         NOT NULL DEFAULT gen_random_uuid(),
    run_id                  uuid,
    agent_name              varchar(100) NOT NULL,
    tool_name               varchar(100) NOT NULL,
    description_text        text         NOT NULL,
    original_description    text,
    description_hash        varchar(64)  NOT NULL,
    tool_selection_accuracy numeric(5,4),
    is_active               boolean      NOT NULL DEFAULT false,
    created_at              timestamptz  NOT NULL DEFAULT now(),
    activated_at            timestamptz,
    CONSTRAINT optimized_tool_descriptions_pkey PRIMARY KEY (tool_description_id),
    CONSTRAINT optimized_tool_descriptions_run_id_fkey FOREIGN KEY (run_id)
        REFERENCES optimizer.prompt_optimization_runs (run_id) ON DELETE RESTRICT,
    CONSTRAINT optimized_tool_descriptions_hash_key UNIQUE (agent_name, tool_name, description_hash),
    CONSTRAINT optimized_tool_descriptions_description_hash_check
        CHECK (length(description_hash) = 64 AND description_hash ~ '^[0-9a-f]{64}$'),
    CONSTRAINT optimized_tool_descriptions_accuracy_check CHECK (tool_selection_accuracy BETWEEN 0 AND 1)
);
CREATE UNIQUE INDEX uq_optimized_tool_descriptions_one_active
    ON optimizer.optimized_tool_descriptions (agent_name, tool_name)
    WHERE is_active;
CREATE INDEX idx_optimized_tool_descriptions_run ON optimizer.optimized_tool_descriptions (run_id) WHERE run_id IS NOT NULL;
COMMENT ON TABLE optimizer.optimized_tool_descriptions IS 'Optimized tool descriptions when enable_tool_optimization is on (seed 002 section 10.3). One active description per agent/tool.';
COMMENT ON COLUMN optimizer.optimized_tool_descriptions.original_description IS 'The description before optimization, for comparison.';
COMMENT ON COLUMN optimizer.optimized_tool_descriptions.description_hash IS 'Lower-case hex SHA-256 of description_text.';
COMMENT ON COLUMN optimizer.optimized_tool_descriptions.tool_selection_accuracy IS 'How often the agent selected the right tool with this description, 0..1.';
--rollback DROP TABLE optimizer.optimized_tool_descriptions;

--changeset promptloop:003-candidates
CREATE TABLE optimizer.candidates (
    candidate_id           uuid             NOT NULL DEFAULT gen_random_uuid(),
    run_id                 uuid             NOT NULL,
    candidate_index        integer          NOT NULL,
    instruction_text       text             NOT NULL,
    instruction_hash       varchar(64)      NOT NULL,
    parent_candidate_ids   uuid[]           NOT NULL DEFAULT '{}',
    parent_indices         integer[]        NOT NULL DEFAULT '{}',
    origin                 text             NOT NULL,
    iteration              integer          NOT NULL DEFAULT 0,
    minibatch_example_ids  text[],
    parent_minibatch_score double precision,
    minibatch_score        double precision,
    validation_score       double precision,
    accepted               boolean,
    tool_descriptions      jsonb,
    created_at             timestamptz      NOT NULL DEFAULT now(),
    CONSTRAINT candidates_pkey PRIMARY KEY (candidate_id),
    CONSTRAINT candidates_run_id_fkey FOREIGN KEY (run_id)
        REFERENCES optimizer.prompt_optimization_runs (run_id) ON DELETE CASCADE,
    CONSTRAINT candidates_run_index_key UNIQUE (run_id, candidate_index),
    CONSTRAINT candidates_candidate_index_check CHECK (candidate_index >= 0),
    CONSTRAINT candidates_instruction_hash_check
        CHECK (length(instruction_hash) = 64 AND instruction_hash ~ '^[0-9a-f]{64}$'),
    CONSTRAINT candidates_origin_check CHECK (origin IN ('seed', 'reflection', 'merge', 'bootstrap')),
    CONSTRAINT candidates_iteration_check CHECK (iteration >= 0),
    CONSTRAINT candidates_minibatch_score_check CHECK (minibatch_score >= 0),
    CONSTRAINT candidates_parent_minibatch_score_check CHECK (parent_minibatch_score >= 0),
    CONSTRAINT candidates_validation_score_check CHECK (validation_score BETWEEN 0 AND 1),
    CONSTRAINT candidates_seed_has_no_parent_check
        CHECK (origin <> 'seed' OR cardinality(parent_candidate_ids) = 0)
);
CREATE INDEX idx_candidates_run_hash ON optimizer.candidates (run_id, instruction_hash);
CREATE INDEX idx_candidates_run_validation ON optimizer.candidates (run_id, validation_score DESC NULLS LAST);
COMMENT ON TABLE optimizer.candidates IS 'Every candidate instruction of a run with its lineage (seed 004 Prompt with parent_prompt_id, GEPA candidate pool). candidate_index 0 is the seed.';
COMMENT ON COLUMN optimizer.candidates.candidate_index IS 'Position in the run''s candidate pool, 0 = seed candidate.';
COMMENT ON COLUMN optimizer.candidates.instruction_hash IS 'Lower-case hex SHA-256 of instruction_text: known results for the same text are reused.';
COMMENT ON COLUMN optimizer.candidates.parent_candidate_ids IS 'Parents (one for reflection, two for merge, none for the seed).';
COMMENT ON COLUMN optimizer.candidates.parent_indices IS 'candidate_index of the parents.';
COMMENT ON COLUMN optimizer.candidates.origin IS 'seed, reflection, merge or bootstrap.';
COMMENT ON COLUMN optimizer.candidates.iteration IS 'Iteration that proposed the candidate.';
COMMENT ON COLUMN optimizer.candidates.minibatch_example_ids IS 'Train minibatch the candidate was proposed from and first evaluated on.';
COMMENT ON COLUMN optimizer.candidates.parent_minibatch_score IS 'Sum of the parent''s scores on the minibatch.';
COMMENT ON COLUMN optimizer.candidates.minibatch_score IS 'Sum of the candidate''s scores on the minibatch: accepted only if strictly greater than parent_minibatch_score.';
COMMENT ON COLUMN optimizer.candidates.validation_score IS 'Mean score on the full validation set, 0..1.';
COMMENT ON COLUMN optimizer.candidates.accepted IS 'NULL until decided, then whether the minibatch test accepted the candidate into the pool.';
COMMENT ON COLUMN optimizer.candidates.tool_descriptions IS 'Tool descriptions evolved with the candidate (tool optimization), as {tool_name: description}.';
--rollback DROP TABLE optimizer.candidates;

--changeset promptloop:003-candidate-scores
CREATE TABLE optimizer.candidate_scores (
    run_id        uuid             NOT NULL,
    candidate_id  uuid             NOT NULL,
    example_id    varchar(200)     NOT NULL,
    split         text             NOT NULL,
    score         double precision NOT NULL,
    feedback      text,
    output        text,
    evaluation_id uuid,
    recorded_at   timestamptz      NOT NULL DEFAULT now(),
    CONSTRAINT candidate_scores_pkey PRIMARY KEY (candidate_id, example_id),
    CONSTRAINT candidate_scores_run_id_fkey FOREIGN KEY (run_id)
        REFERENCES optimizer.prompt_optimization_runs (run_id) ON DELETE CASCADE,
    CONSTRAINT candidate_scores_candidate_id_fkey FOREIGN KEY (candidate_id)
        REFERENCES optimizer.candidates (candidate_id) ON DELETE CASCADE,
    CONSTRAINT candidate_scores_split_check CHECK (split IN ('train', 'validation')),
    CONSTRAINT candidate_scores_score_check CHECK (score BETWEEN 0 AND 1)
);
CREATE INDEX idx_candidate_scores_run_example ON optimizer.candidate_scores (run_id, split, example_id);
COMMENT ON TABLE optimizer.candidate_scores IS 'Per-example score of a candidate (seed 004 Evaluation, per candidate): the Pareto front is computed from these. One score per candidate and example.';
COMMENT ON COLUMN optimizer.candidate_scores.split IS 'train (minibatch) or validation.';
COMMENT ON COLUMN optimizer.candidate_scores.score IS 'overall_score of the answering evaluation, 0..1.';
COMMENT ON COLUMN optimizer.candidate_scores.feedback IS 'Evaluator feedback: fed to the reflector.';
COMMENT ON COLUMN optimizer.candidate_scores.output IS 'The agent output under the candidate instruction.';
COMMENT ON COLUMN optimizer.candidate_scores.evaluation_id IS 'event_id of the EvaluationRecorded that answered (conversation.evaluations.id, no cross-schema FK).';
--rollback DROP TABLE optimizer.candidate_scores;

--changeset promptloop:003-evaluation-requests
CREATE TABLE optimizer.evaluation_requests (
    request_id   uuid        NOT NULL DEFAULT gen_random_uuid(),
    run_id       uuid        NOT NULL,
    candidate_id uuid        NOT NULL,
    example_ids  text[]      NOT NULL,
    split        text,
    status       text        NOT NULL DEFAULT 'pending',
    attempt      integer     NOT NULL DEFAULT 1,
    requested_at timestamptz NOT NULL DEFAULT now(),
    deadline     timestamptz,
    answered_at  timestamptz,
    CONSTRAINT evaluation_requests_pkey PRIMARY KEY (request_id),
    CONSTRAINT evaluation_requests_run_id_fkey FOREIGN KEY (run_id)
        REFERENCES optimizer.prompt_optimization_runs (run_id) ON DELETE CASCADE,
    CONSTRAINT evaluation_requests_candidate_id_fkey FOREIGN KEY (candidate_id)
        REFERENCES optimizer.candidates (candidate_id) ON DELETE CASCADE,
    CONSTRAINT evaluation_requests_example_ids_check CHECK (cardinality(example_ids) > 0),
    CONSTRAINT evaluation_requests_split_check CHECK (split IN ('train', 'validation')),
    CONSTRAINT evaluation_requests_status_check CHECK (status IN ('pending', 'answered', 'timed_out', 'cancelled')),
    CONSTRAINT evaluation_requests_attempt_check CHECK (attempt >= 1)
);
CREATE INDEX idx_evaluation_requests_run_candidate ON optimizer.evaluation_requests (run_id, candidate_id);
CREATE INDEX idx_evaluation_requests_pending_deadline ON optimizer.evaluation_requests (deadline) WHERE status = 'pending';
COMMENT ON TABLE optimizer.evaluation_requests IS 'EvaluationRequested events sent to agents, and whether they were answered in time.';
COMMENT ON COLUMN optimizer.evaluation_requests.request_id IS 'Request id carried by the EvaluationRequested event and echoed by the answering EvaluationRecorded events.';
COMMENT ON COLUMN optimizer.evaluation_requests.example_ids IS 'Examples the agents were asked to run the candidate on.';
COMMENT ON COLUMN optimizer.evaluation_requests.status IS 'pending, answered, timed_out or cancelled.';
COMMENT ON COLUMN optimizer.evaluation_requests.attempt IS '1 for the first request, incremented on re-requests after a timeout.';
COMMENT ON COLUMN optimizer.evaluation_requests.deadline IS 'Re-request or give up after this time.';
--rollback DROP TABLE optimizer.evaluation_requests;

--changeset promptloop:003-stage-results
CREATE TABLE optimizer.stage_results (
    id           uuid        NOT NULL DEFAULT gen_random_uuid(),
    run_id       uuid        NOT NULL,
    stage_name   text        NOT NULL,
    iteration    integer     NOT NULL DEFAULT 0,
    status       text        NOT NULL DEFAULT 'running',
    started_at   timestamptz NOT NULL DEFAULT now(),
    completed_at timestamptz,
    details      jsonb       NOT NULL DEFAULT '{}'::jsonb,
    CONSTRAINT stage_results_pkey PRIMARY KEY (id),
    CONSTRAINT stage_results_run_id_fkey FOREIGN KEY (run_id)
        REFERENCES optimizer.prompt_optimization_runs (run_id) ON DELETE CASCADE,
    CONSTRAINT stage_results_run_stage_iteration_key UNIQUE (run_id, stage_name, iteration),
    CONSTRAINT stage_results_iteration_check CHECK (iteration >= 0),
    CONSTRAINT stage_results_status_check CHECK (status IN ('pending', 'running', 'completed', 'failed', 'skipped', 'cancelled')),
    CONSTRAINT stage_results_completed_after_started_check CHECK (completed_at IS NULL OR completed_at >= started_at)
);
COMMENT ON TABLE optimizer.stage_results IS 'Completion of each stage of a run, per iteration (seed 004 StageResult): lets a resumed run skip finished stages.';
COMMENT ON COLUMN optimizer.stage_results.stage_name IS 'Stage, e.g. load_examples, score_seed, select_parent, reflect, minibatch, validate, finalize.';
COMMENT ON COLUMN optimizer.stage_results.iteration IS 'Iteration the stage belongs to (0 for run-level stages).';
COMMENT ON COLUMN optimizer.stage_results.details IS 'Stage output worth keeping (counts, chosen parent, minibatch ids...).';
--rollback DROP TABLE optimizer.stage_results;

--changeset promptloop:003-weakness-analyses
CREATE TABLE optimizer.weakness_analyses (
    id            uuid        NOT NULL DEFAULT gen_random_uuid(),
    run_id        uuid        NOT NULL,
    candidate_id  uuid,
    iteration     integer     NOT NULL DEFAULT 0,
    weaknesses    jsonb       NOT NULL DEFAULT '[]'::jsonb,
    analysis_text text,
    example_ids   text[],
    reflector     text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT weakness_analyses_pkey PRIMARY KEY (id),
    CONSTRAINT weakness_analyses_run_id_fkey FOREIGN KEY (run_id)
        REFERENCES optimizer.prompt_optimization_runs (run_id) ON DELETE CASCADE,
    CONSTRAINT weakness_analyses_candidate_id_fkey FOREIGN KEY (candidate_id)
        REFERENCES optimizer.candidates (candidate_id) ON DELETE CASCADE,
    CONSTRAINT weakness_analyses_iteration_check CHECK (iteration >= 0)
);
CREATE INDEX idx_weakness_analyses_run_iteration ON optimizer.weakness_analyses (run_id, iteration);
CREATE INDEX idx_weakness_analyses_candidate ON optimizer.weakness_analyses (candidate_id) WHERE candidate_id IS NOT NULL;
COMMENT ON TABLE optimizer.weakness_analyses IS 'The reflector''s analysis of a parent candidate''s weaknesses on a minibatch (seed 004 WeaknessAnalysis).';
COMMENT ON COLUMN optimizer.weakness_analyses.candidate_id IS 'The parent candidate that was analysed.';
COMMENT ON COLUMN optimizer.weakness_analyses.weaknesses IS 'Structured weaknesses, e.g. [{"pattern": ..., "examples": [...], "suggestion": ...}].';
COMMENT ON COLUMN optimizer.weakness_analyses.analysis_text IS 'Free-text analysis / reflection prompt answer.';
COMMENT ON COLUMN optimizer.weakness_analyses.example_ids IS 'Examples the analysis was based on.';
COMMENT ON COLUMN optimizer.weakness_analyses.reflector IS 'Which reflector produced it (builtin, or the model name).';
--rollback DROP TABLE optimizer.weakness_analyses;

--changeset promptloop:003-examples
CREATE TABLE optimizer.examples (
    id                uuid             NOT NULL DEFAULT gen_random_uuid(),
    agent_name        varchar(100)     NOT NULL,
    predictor_name    varchar(100),
    example_id        varchar(200)     NOT NULL,
    input             text             NOT NULL,
    expected_behavior text,
    category          text,
    split             text             NOT NULL,
    source            text             NOT NULL DEFAULT 'evaluation',
    source_ref        uuid,
    last_output       text,
    last_feedback     text,
    last_score        double precision,
    last_evaluated_at timestamptz,
    created_at        timestamptz      NOT NULL DEFAULT now(),
    updated_at        timestamptz      NOT NULL DEFAULT now(),
    CONSTRAINT examples_pkey PRIMARY KEY (id),
    CONSTRAINT examples_example_key UNIQUE NULLS NOT DISTINCT (agent_name, predictor_name, example_id),
    CONSTRAINT examples_split_check CHECK (split IN ('train', 'validation')),
    CONSTRAINT examples_source_check CHECK (source IN ('evaluation', 'improvement', 'manual')),
    CONSTRAINT examples_last_score_check CHECK (last_score BETWEEN 0 AND 1)
);
CREATE INDEX idx_examples_agent_split ON optimizer.examples (agent_name, predictor_name, split);
COMMENT ON TABLE optimizer.examples IS 'The optimizer''s own copy of the examples per agent/predictor, from evaluations and from turns with improvement notes, split train/validation deterministically by example id (seed 004 TestCase).';
COMMENT ON COLUMN optimizer.examples.split IS 'train or validation, derived deterministically from example_id.';
COMMENT ON COLUMN optimizer.examples.source IS 'evaluation, improvement (a turn with improvement notes) or manual.';
COMMENT ON COLUMN optimizer.examples.source_ref IS 'Id of the source row (conversation.evaluations.id or conversation.tuning_conversation_turns.id).';
COMMENT ON COLUMN optimizer.examples.last_output IS 'Latest production output seen for the example.';
COMMENT ON COLUMN optimizer.examples.last_feedback IS 'Latest feedback / improvement notes for the example.';
COMMENT ON COLUMN optimizer.examples.last_score IS 'Latest overall score, 0..1.';
--rollback DROP TABLE optimizer.examples;
