--liquibase formatted sql

-- promptloop :: ownership and privileges
--
-- Runs on EVERY update (runAlways) and must stay the last changelog of the master file, so that
-- every table, view or type added by any earlier changeset is owned by promptloop_owner and
-- granted exactly the privileges below, and drifted grants are corrected.
--
--   promptloop_owner      owns every schema and object (migrations)
--   promptloop_ingest     SELECT/INSERT/UPDATE/DELETE on conversation.*, USAGE on its sequences
--   promptloop_optimizer  SELECT/INSERT/UPDATE/DELETE on optimizer.*, SELECT on conversation.*
--   promptloop_abtest     SELECT/INSERT/UPDATE/DELETE on abtest.*, SELECT on optimizer.* and
--                         conversation.prompt_ab_test_observations
--   promptloop_analyst    SELECT on conversation.*, optimizer.*, abtest.*, analytics.*: no write anywhere
-- The analytics views are security_invoker, so SELECT on them is granted to every role: a service
-- role can only read the views whose underlying tables it may read.
-- No role gets TRUNCATE, REFERENCES, TRIGGER or MAINTAIN, and PUBLIC gets nothing on the schemas.

--changeset promptloop:099-ownership runAlways:true runOnChange:true splitStatements:false
--comment: hand every schema, relation, type and routine of the four schemas to promptloop_owner
DO $$
DECLARE
    obj record;
BEGIN
    FOR obj IN
        SELECT n.nspname
        FROM pg_catalog.pg_namespace n
        WHERE n.nspname IN ('conversation', 'optimizer', 'abtest', 'analytics')
          AND pg_catalog.pg_get_userbyid(n.nspowner) <> 'promptloop_owner'
    LOOP
        EXECUTE format('ALTER SCHEMA %I OWNER TO promptloop_owner', obj.nspname);
    END LOOP;

    -- tables, partitioned tables, views, materialized views, foreign tables, and sequences that
    -- are not owned by a column (those follow their table)
    FOR obj IN
        SELECT n.nspname, c.relname, c.relkind
        FROM pg_catalog.pg_class c
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname IN ('conversation', 'optimizer', 'abtest', 'analytics')
          AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
          AND pg_catalog.pg_get_userbyid(c.relowner) <> 'promptloop_owner'
          AND NOT (c.relkind = 'S' AND EXISTS (
                SELECT 1 FROM pg_catalog.pg_depend d
                WHERE d.classid = 'pg_catalog.pg_class'::regclass
                  AND d.objid = c.oid
                  AND d.deptype IN ('a', 'i')))
    LOOP
        EXECUTE format('ALTER %s %I.%I OWNER TO promptloop_owner',
            CASE obj.relkind
                WHEN 'v' THEN 'VIEW'
                WHEN 'm' THEN 'MATERIALIZED VIEW'
                WHEN 'f' THEN 'FOREIGN TABLE'
                WHEN 'S' THEN 'SEQUENCE'
                ELSE 'TABLE'
            END,
            obj.nspname, obj.relname);
    END LOOP;

    -- enums, domains, ranges (their array and multirange types follow)
    FOR obj IN
        SELECT n.nspname, t.typname
        FROM pg_catalog.pg_type t
        JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
        WHERE n.nspname IN ('conversation', 'optimizer', 'abtest', 'analytics')
          AND t.typtype IN ('e', 'd', 'r')
          AND pg_catalog.pg_get_userbyid(t.typowner) <> 'promptloop_owner'
    LOOP
        EXECUTE format('ALTER TYPE %I.%I OWNER TO promptloop_owner', obj.nspname, obj.typname);
    END LOOP;

    FOR obj IN
        SELECT n.nspname, p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid) AS args
        FROM pg_catalog.pg_proc p
        JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname IN ('conversation', 'optimizer', 'abtest', 'analytics')
          AND p.prokind IN ('f', 'p')
          AND pg_catalog.pg_get_userbyid(p.proowner) <> 'promptloop_owner'
    LOOP
        EXECUTE format('ALTER ROUTINE %I.%I(%s) OWNER TO promptloop_owner', obj.nspname, obj.proname, obj.args);
    END LOOP;
END
$$;
--rollback not required

--changeset promptloop:099-grants runAlways:true runOnChange:true
--comment: reset, then grant exactly the documented privileges (least privilege, no drift)
REVOKE ALL ON SCHEMA conversation, optimizer, abtest, analytics FROM PUBLIC;
REVOKE ALL ON SCHEMA conversation, optimizer, abtest, analytics
    FROM promptloop_ingest, promptloop_optimizer, promptloop_abtest, promptloop_analyst;
REVOKE ALL ON ALL TABLES IN SCHEMA conversation, optimizer, abtest, analytics
    FROM PUBLIC, promptloop_ingest, promptloop_optimizer, promptloop_abtest, promptloop_analyst;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA conversation, optimizer, abtest, analytics
    FROM PUBLIC, promptloop_ingest, promptloop_optimizer, promptloop_abtest, promptloop_analyst;
REVOKE ALL ON ALL ROUTINES IN SCHEMA conversation, optimizer, abtest, analytics FROM PUBLIC;

GRANT USAGE ON SCHEMA conversation TO promptloop_ingest, promptloop_optimizer, promptloop_abtest, promptloop_analyst;
GRANT USAGE ON SCHEMA optimizer TO promptloop_optimizer, promptloop_abtest, promptloop_analyst;
GRANT USAGE ON SCHEMA abtest TO promptloop_abtest, promptloop_analyst;
GRANT USAGE ON SCHEMA analytics TO promptloop_ingest, promptloop_optimizer, promptloop_abtest, promptloop_analyst;

GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA conversation TO promptloop_ingest;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA conversation TO promptloop_ingest;
GRANT SELECT ON ALL TABLES IN SCHEMA conversation TO promptloop_optimizer, promptloop_analyst;
GRANT SELECT ON conversation.prompt_ab_test_observations TO promptloop_abtest;

GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA optimizer TO promptloop_optimizer;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA optimizer TO promptloop_optimizer;
GRANT SELECT ON ALL TABLES IN SCHEMA optimizer TO promptloop_abtest, promptloop_analyst;

GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA abtest TO promptloop_abtest;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA abtest TO promptloop_abtest;
GRANT SELECT ON ALL TABLES IN SCHEMA abtest TO promptloop_analyst;

GRANT SELECT ON ALL TABLES IN SCHEMA analytics
    TO promptloop_ingest, promptloop_optimizer, promptloop_abtest, promptloop_analyst;
--rollback REVOKE ALL ON ALL TABLES IN SCHEMA conversation, optimizer, abtest, analytics FROM promptloop_ingest, promptloop_optimizer, promptloop_abtest, promptloop_analyst;
--rollback REVOKE ALL ON ALL SEQUENCES IN SCHEMA conversation, optimizer, abtest, analytics FROM promptloop_ingest, promptloop_optimizer, promptloop_abtest, promptloop_analyst;
--rollback REVOKE ALL ON SCHEMA conversation, optimizer, abtest, analytics FROM promptloop_ingest, promptloop_optimizer, promptloop_abtest, promptloop_analyst;
