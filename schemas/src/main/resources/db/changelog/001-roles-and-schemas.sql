--liquibase formatted sql

-- promptloop :: roles and schemas
--
-- One database, one PostgreSQL schema per owning service; a service writes only its own schema.
--
--   schema         written by               read by
--   conversation   promptloop_ingest        optimizer (all), abtest (prompt_ab_test_observations), analyst
--   optimizer      promptloop_optimizer     abtest, analyst
--   abtest         promptloop_abtest        analyst
--   analytics      (views, migrations)      analyst, and every service role for the views it can read
--
-- The five roles are NOLOGIN group roles. Deployments create LOGIN roles and make them members,
-- e.g. CREATE ROLE ingest_app LOGIN PASSWORD '...' IN ROLE promptloop_ingest.
-- Every schema object is owned by promptloop_owner (099-grants.sql re-asserts ownership and
-- privileges on every update, so it must stay the last changelog in the master file).
--
-- WHO MAY RUN THESE MIGRATIONS: roles are cluster-wide, so the migrating user must either be a
-- superuser, or have CREATEROLE (to create the group roles on first run) and CREATE on the
-- database, and be a member of promptloop_owner with the SET option (PostgreSQL 16+:
-- GRANT promptloop_owner TO migrator WITH SET TRUE) so that it can create schemas
-- AUTHORIZATION promptloop_owner and hand the objects it creates to promptloop_owner.
-- On PostgreSQL 16+ a CREATEROLE user gets ADMIN on the roles it creates but, by default, not
-- membership: create the roles once as a superuser, or grant the membership explicitly.

--changeset promptloop:001-group-roles splitStatements:false
--comment: NOLOGIN group roles, created only when missing (roles are shared by every database of the cluster)
DO $$
DECLARE
    role_name text;
BEGIN
    FOREACH role_name IN ARRAY ARRAY[
        'promptloop_owner',
        'promptloop_ingest',
        'promptloop_optimizer',
        'promptloop_abtest',
        'promptloop_analyst']
    LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = role_name) THEN
            EXECUTE format('CREATE ROLE %I NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS', role_name);
        END IF;
    END LOOP;
END
$$;
--rollback not required (roles are cluster-wide and may be used by other databases: drop them by hand)

--changeset promptloop:001-schemas
--comment: one schema per owner, all owned by promptloop_owner
CREATE SCHEMA IF NOT EXISTS conversation AUTHORIZATION promptloop_owner;
CREATE SCHEMA IF NOT EXISTS optimizer AUTHORIZATION promptloop_owner;
CREATE SCHEMA IF NOT EXISTS abtest AUTHORIZATION promptloop_owner;
CREATE SCHEMA IF NOT EXISTS analytics AUTHORIZATION promptloop_owner;
COMMENT ON SCHEMA conversation IS 'Written by the ingest service: tuning sessions, turns, improvement notes, test cases, evaluations, A/B observations, and their archives.';
COMMENT ON SCHEMA optimizer IS 'Written by the optimizer service: optimization runs, candidates with lineage and per-example scores, evaluation requests, versioned instructions.';
COMMENT ON SCHEMA abtest IS 'Written by the A/B service: tests, per-variant sufficient statistics, interim analyses, SRM checks, rollouts and routing changes.';
COMMENT ON SCHEMA analytics IS 'Read-only views for analysts (security_invoker: a view never shows more than its caller may read).';
--rollback DROP SCHEMA IF EXISTS analytics;
--rollback DROP SCHEMA IF EXISTS abtest;
--rollback DROP SCHEMA IF EXISTS optimizer;
--rollback DROP SCHEMA IF EXISTS conversation;
