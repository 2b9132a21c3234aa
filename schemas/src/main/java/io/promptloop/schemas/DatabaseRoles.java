package io.promptloop.schemas;

/**
 * Names of promptloop's PostgreSQL group roles and schemas, as created by the Liquibase changelogs
 * under {@code db/changelog/}. One schema per owning service; a service writes only its own schema.
 *
 * <p>The roles are {@code NOLOGIN} group roles: a deployment creates {@code LOGIN} roles and makes
 * them members, e.g. {@code CREATE ROLE ingest_app LOGIN PASSWORD '...' IN ROLE promptloop_ingest}.
 */
public final class DatabaseRoles {

    /** Owns every promptloop schema and object; the role migrations run as (or as a member of). */
    public static final String OWNER = "promptloop_owner";

    /**
     * The ingest service: reads and writes (SELECT, INSERT, UPDATE, DELETE) the {@link
     * #CONVERSATION_SCHEMA} tables and uses their sequences; nothing else.
     */
    public static final String INGEST = "promptloop_ingest";

    /** The optimizer service: writes the {@link #OPTIMIZER_SCHEMA} tables, reads {@link #CONVERSATION_SCHEMA}. */
    public static final String OPTIMIZER = "promptloop_optimizer";

    /**
     * The A/B service: writes the {@link #ABTEST_SCHEMA} tables, reads {@link #OPTIMIZER_SCHEMA} and
     * {@code conversation.prompt_ab_test_observations}.
     */
    public static final String ABTEST = "promptloop_abtest";

    /** Analysts: SELECT on every table of the four schemas and every analytics view; no write anywhere. */
    public static final String ANALYST = "promptloop_analyst";

    /** Schema written by the ingest service: tuning sessions, turns, improvements, evaluations, observations. */
    public static final String CONVERSATION_SCHEMA = "conversation";

    /** Schema written by the optimizer service: runs, candidates, scores, versioned instructions. */
    public static final String OPTIMIZER_SCHEMA = "optimizer";

    /** Schema written by the A/B service: tests, per-variant statistics, analyses, rollouts. */
    public static final String ABTEST_SCHEMA = "abtest";

    /** Schema of read-only views for analysts; owned by {@link #OWNER}, written only by migrations. */
    public static final String ANALYTICS_SCHEMA = "analytics";

    /** Classpath location of the Liquibase master changelog that creates these roles and schemas. */
    public static final String CHANGELOG = "db/changelog/db.changelog-master.yaml";

    private DatabaseRoles() {}
}
