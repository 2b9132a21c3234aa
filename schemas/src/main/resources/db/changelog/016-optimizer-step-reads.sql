--liquibase formatted sql

-- promptloop :: positions for the optimizer's incremental step reads (issue 12)
--
-- A run step used to read every candidate and every score of its run. A replica now keeps what it read and asks
-- only for what is new, which needs a position that grows in commit order within a run. Candidates have one
-- (candidate_index, written by steps under the run's row lock). Scores had none: recorded_at is the writing
-- transaction's start, not its commit, so a score can commit after a later-stamped one has been read. Each score
-- now takes the next value of its run's last_score_seq, by an UPDATE of the run row in the same statement: the row
-- lock orders the writers of one run, and no score commits while a step holds the run (FOR UPDATE). Every score
-- with run_seq <= last_score_seq, as a step reads it under that lock, has therefore committed.
-- Both columns are added with a constant default (no table rewrite); existing scores get run_seq 0, read by the
-- full load a replica makes the first time it steps a run. The default of run_seq is then dropped, so that a
-- writer that does not take a position (an older build during a rolling upgrade) fails instead of writing a
-- score a replica's incremental read would never see.

--changeset promptloop:016-score-positions
ALTER TABLE optimizer.prompt_optimization_runs
    ADD COLUMN last_score_seq bigint NOT NULL DEFAULT 0,
    ADD CONSTRAINT prompt_optimization_runs_last_score_seq_check CHECK (last_score_seq >= 0);
ALTER TABLE optimizer.candidate_scores ADD COLUMN run_seq bigint NOT NULL DEFAULT 0;
ALTER TABLE optimizer.candidate_scores ALTER COLUMN run_seq DROP DEFAULT;
CREATE INDEX idx_candidate_scores_run_seq ON optimizer.candidate_scores (run_id, run_seq);
COMMENT ON COLUMN optimizer.prompt_optimization_runs.last_score_seq IS 'The last run_seq handed to a score of this run (incremented in the statement that writes the score; a duplicate answer may leave a gap).';
COMMENT ON COLUMN optimizer.candidate_scores.run_seq IS 'Position of the score in its run, in commit order (see last_score_seq): a step reads only the scores after the last position it has seen. 0 for scores written before the column existed.';
--rollback DROP INDEX optimizer.idx_candidate_scores_run_seq;
--rollback ALTER TABLE optimizer.candidate_scores DROP COLUMN run_seq;
--rollback ALTER TABLE optimizer.prompt_optimization_runs DROP CONSTRAINT prompt_optimization_runs_last_score_seq_check, DROP COLUMN last_score_seq;
