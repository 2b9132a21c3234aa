--liquibase formatted sql

-- promptloop :: indexes for the console's listings (module console). The console reads as the analyst
-- (promptloop_analyst: SELECT only), so it needs no role or grant of its own; these indexes keep its pages
-- to one index range each on large tables: the newest runs and tests without an agent filter (the existing
-- indexes lead with agent_name), and the test that promoted each active instruction (the overview).

--changeset promptloop:011-runs-created
CREATE INDEX IF NOT EXISTS idx_optimization_runs_created ON optimizer.prompt_optimization_runs (created_at DESC, run_id);
--rollback DROP INDEX IF EXISTS optimizer.idx_optimization_runs_created;

--changeset promptloop:011-ab-tests-created
CREATE INDEX IF NOT EXISTS idx_prompt_ab_tests_created ON abtest.prompt_ab_tests (created_at DESC, test_id);
--rollback DROP INDEX IF EXISTS abtest.idx_prompt_ab_tests_created;

--changeset promptloop:011-ab-tests-rolled-out-treatment
--comment: analytics.v_active_instructions looks up, per active instruction, the rolled-out test that promoted it; without this index that is a scan of every test per row (overview: 62 ms -> 1 ms for 50 agents and 10,000 tests)
CREATE INDEX IF NOT EXISTS idx_prompt_ab_tests_rolled_out_treatment
    ON abtest.prompt_ab_tests (treatment_instruction_id, concluded_at DESC) WHERE rolled_out;
--rollback DROP INDEX IF EXISTS abtest.idx_prompt_ab_tests_rolled_out_treatment;
