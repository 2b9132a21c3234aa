--liquibase formatted sql

-- promptloop :: optimizer auto-run policy (issue 11): the evidence a policy run was started on, so that the next
-- decision can tell a genuine drop in scores from more of the same

--changeset promptloop:009-run-evidence
ALTER TABLE optimizer.prompt_optimization_runs
    ADD COLUMN evidence_examples   integer,
    ADD COLUMN evidence_mean_score double precision,
    ADD CONSTRAINT prompt_optimization_runs_evidence_examples_check CHECK (evidence_examples >= 0),
    ADD CONSTRAINT prompt_optimization_runs_evidence_mean_score_check CHECK (evidence_mean_score BETWEEN 0 AND 1);
COMMENT ON COLUMN optimizer.prompt_optimization_runs.evidence_examples IS 'Runs started by the auto-run policy: evaluated examples (source evaluation) of the active instruction since the previous run, when this one started.';
COMMENT ON COLUMN optimizer.prompt_optimization_runs.evidence_mean_score IS 'Runs started by the auto-run policy: mean last_score of those examples. After a futile run, only a mean lower by promptloop.optimizer.policy.score-drop starts a run before the back-off ends.';
--rollback ALTER TABLE optimizer.prompt_optimization_runs DROP COLUMN evidence_mean_score, DROP COLUMN evidence_examples;
