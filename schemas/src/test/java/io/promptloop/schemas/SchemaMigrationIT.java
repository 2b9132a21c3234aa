package io.promptloop.schemas;

import static io.promptloop.schemas.DatabaseRoles.ABTEST;
import static io.promptloop.schemas.DatabaseRoles.ABTEST_SCHEMA;
import static io.promptloop.schemas.DatabaseRoles.ANALYST;
import static io.promptloop.schemas.DatabaseRoles.ANALYTICS_SCHEMA;
import static io.promptloop.schemas.DatabaseRoles.CONVERSATION_SCHEMA;
import static io.promptloop.schemas.DatabaseRoles.INGEST;
import static io.promptloop.schemas.DatabaseRoles.OPTIMIZER;
import static io.promptloop.schemas.DatabaseRoles.OPTIMIZER_SCHEMA;
import static io.promptloop.schemas.DatabaseRoles.OWNER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import liquibase.Scope;
import liquibase.command.CommandScope;
import liquibase.command.core.RollbackCountCommandStep;
import liquibase.command.core.UpdateCommandStep;
import liquibase.command.core.helpers.DatabaseChangelogCommandStep;
import liquibase.command.core.helpers.DbUrlConnectionArgumentsCommandStep;
import liquibase.database.Database;
import liquibase.database.DatabaseFactory;
import liquibase.database.jvm.JdbcConnection;
import liquibase.resource.ClassLoaderResourceAccessor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Applies the Liquibase changelogs to a real PostgreSQL 17 (zonky embedded) twice, then checks the
 * tables, views, constraints, ownership and the role model (each writer writes only its own schema,
 * the analyst writes nothing).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SchemaMigrationIT {

    private static final String PASSWORD = "it-only-password";
    private static final String INGEST_LOGIN = "it_ingest";
    private static final String OPTIMIZER_LOGIN = "it_optimizer";
    private static final String ABTEST_LOGIN = "it_abtest";
    private static final String ANALYST_LOGIN = "it_analyst";
    private static final String PERMISSION_DENIED = "42501";
    private static final String UNIQUE_VIOLATION = "23505";
    private static final List<String> SCHEMAS =
            List.of(CONVERSATION_SCHEMA, OPTIMIZER_SCHEMA, ABTEST_SCHEMA, ANALYTICS_SCHEMA);
    private static final List<String> GROUP_ROLES = List.of(OWNER, INGEST, OPTIMIZER, ABTEST, ANALYST);

    private static final List<String> EXPECTED_TABLES = List.of(
            "conversation.prompt_tuning_sessions",
            "conversation.tuning_conversation_turns",
            "conversation.tuning_improvements",
            "conversation.test_cases",
            "conversation.evaluations",
            "conversation.prompt_ab_test_observations",
            "conversation.prompt_tuning_sessions_archive",
            "conversation.tuning_conversation_turns_archive",
            "conversation.tuning_improvements_archive",
            "optimizer.prompt_optimization_runs",
            "optimizer.optimized_instructions",
            "optimizer.optimized_tool_descriptions",
            "optimizer.candidates",
            "optimizer.candidate_scores",
            "optimizer.evaluation_requests",
            "optimizer.stage_results",
            "optimizer.weakness_analyses",
            "optimizer.examples",
            "optimizer.routing_state",
            "abtest.prompt_ab_tests",
            "abtest.variant_statistics",
            "abtest.observation_ledger",
            "abtest.ab_interim_analyses",
            "abtest.ab_srm_checks",
            "abtest.rollouts",
            "abtest.routing_changes",
            "abtest.rollout_statistics",
            "abtest.outbox",
            "abtest.ab_test_arms",
            "abtest.ab_arm_analyses",
            "abtest.observation_offsets",
            "abtest.observation_event_ids");

    private static final List<String> EXPECTED_VIEWS = List.of(
            "analytics.v_active_instructions",
            "analytics.v_optimization_summary",
            "analytics.v_ab_test_results",
            "analytics.v_optimizer_comparison",
            "analytics.v_session_statistics",
            "analytics.v_session_export",
            "analytics.v_evaluation_summary",
            "analytics.v_ab_test_arm_results");

    private static final List<String> SESSION_COLUMNS = List.of(
            "id",
            "agent_name",
            "predictor_name",
            "session_start",
            "session_end",
            "master_prompt_version",
            "branch_name",
            "total_turns",
            "total_improvements",
            "tester_id",
            "tester_email",
            "tester_name",
            "metadata",
            "started_explicitly",
            "end_reason",
            "created_at",
            "updated_at");
    private static final List<String> TURN_COLUMNS = List.of(
            "id",
            "session_id",
            "turn_number",
            "user_message",
            "agent_response",
            "occurred_at",
            "processing_time_ms",
            "search_results",
            "avg_similarity",
            "total_chunks",
            "confidence_score",
            "template_used",
            "instruction_id",
            "metadata",
            "ingested_at");
    private static final List<String> IMPROVEMENT_COLUMNS = List.of(
            "id", "turn_id", "session_id", "improvement_note", "category", "occurred_at", "metadata", "ingested_at");

    private EmbeddedPostgres postgres;
    private List<String> schemaAfterFirstRun;
    private List<String> schemaAfterSecondRun;
    private Map<String, String> changelogAfterFirstRun;
    private Map<String, String> changelogAfterSecondRun;

    @BeforeAll
    void startPostgresAndMigrateTwice() throws Exception {
        postgres = EmbeddedPostgres.builder()
                .setServerConfig("fsync", "off")
                .setServerConfig("synchronous_commit", "off")
                .setServerConfig("full_page_writes", "off")
                .start();
        try (Connection admin = connect("postgres", "postgres")) {
            migrate(admin);
            schemaAfterFirstRun = schemaFingerprint(admin);
            changelogAfterFirstRun = changelog(admin);
            migrate(admin);
            schemaAfterSecondRun = schemaFingerprint(admin);
            changelogAfterSecondRun = changelog(admin);
            for (var login : Map.of(
                            INGEST_LOGIN, INGEST,
                            OPTIMIZER_LOGIN, OPTIMIZER,
                            ABTEST_LOGIN, ABTEST,
                            ANALYST_LOGIN, ANALYST)
                    .entrySet()) {
                execute(
                        admin,
                        "CREATE ROLE " + login.getKey() + " LOGIN PASSWORD '" + PASSWORD + "' IN ROLE "
                                + login.getValue());
            }
        }
    }

    @AfterAll
    void stopPostgres() throws Exception {
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void shouldRunOnPostgres17() throws SQLException {
        try (Connection admin = admin()) {
            assertThat(queryString(admin, "SHOW server_version")).startsWith("17");
        }
    }

    @Test
    void shouldMakeTheSecondMigrationRunANoOp() {
        // the fingerprint covers ownership and grants, not just names
        assertThat(schemaAfterFirstRun)
                .anyMatch(line -> line.startsWith("relation analytics.v_session_export v promptloop_owner")
                        && line.contains("promptloop_analyst:SELECT"))
                .anyMatch(line -> line.startsWith("relation conversation.tuning_improvements r promptloop_owner")
                        && line.contains("promptloop_ingest:DELETE"));
        assertThat(schemaAfterSecondRun).containsExactlyElementsOf(schemaAfterFirstRun);

        assertThat(changelogAfterSecondRun.keySet()).containsExactlyElementsOf(changelogAfterFirstRun.keySet());
        changelogAfterSecondRun.forEach((changeSet, execType) -> {
            if (changeSet.startsWith("099-")) {
                assertThat(execType).as("runAlways changeset %s", changeSet).isEqualTo("RERAN");
            } else {
                assertThat(execType).as("changeset %s", changeSet).isEqualTo("EXECUTED");
            }
        });
    }

    @Test
    void shouldCreateEveryExpectedTableAndViewWithAComment() throws SQLException {
        try (Connection admin = admin()) {
            Map<String, String> relations = new TreeMap<>();
            try (ResultSet rs = admin.createStatement().executeQuery("""
                            SELECT n.nspname || '.' || c.relname AS name, c.relkind::text AS kind,
                                   obj_description(c.oid, 'pg_class') AS comment
                            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                            WHERE n.nspname IN ('conversation', 'optimizer', 'abtest', 'analytics')
                              AND c.relkind IN ('r', 'p', 'v', 'm')
                            """)) {
                while (rs.next()) {
                    relations.put(rs.getString("name"), rs.getString("kind"));
                    assertThat(rs.getString("comment"))
                            .as("comment on %s", rs.getString("name"))
                            .isNotBlank();
                }
            }
            Map<String, String> expected = new TreeMap<>();
            EXPECTED_TABLES.forEach(t -> expected.put(t, "r"));
            EXPECTED_VIEWS.forEach(v -> expected.put(v, "v"));
            assertThat(relations).containsExactlyInAnyOrderEntriesOf(expected);
        }
    }

    @Test
    void shouldQueryEveryAnalyticsView() throws SQLException {
        try (Connection admin = admin()) {
            for (String view : EXPECTED_VIEWS) {
                assertThatCode(() -> queryRows(admin, "SELECT * FROM " + view + " LIMIT 1"))
                        .as(view)
                        .doesNotThrowAnyException();
            }
        }
    }

    @Test
    void shouldKeepTheConversationColumnsTheIngestServiceIsWrittenAgainst() throws SQLException {
        try (Connection admin = admin()) {
            assertThat(columns(admin, "conversation", "prompt_tuning_sessions"))
                    .containsExactlyElementsOf(SESSION_COLUMNS);
            assertThat(columns(admin, "conversation", "tuning_conversation_turns"))
                    .containsExactlyElementsOf(TURN_COLUMNS);
            assertThat(columns(admin, "conversation", "tuning_improvements"))
                    .containsExactlyElementsOf(IMPROVEMENT_COLUMNS);
            assertThat(columns(admin, "conversation", "prompt_tuning_sessions_archive"))
                    .containsExactlyElementsOf(append(SESSION_COLUMNS, "archived_at"));
            assertThat(columns(admin, "conversation", "tuning_conversation_turns_archive"))
                    .containsExactlyElementsOf(append(TURN_COLUMNS, "archived_at"));
            assertThat(columns(admin, "conversation", "tuning_improvements_archive"))
                    .containsExactlyElementsOf(append(IMPROVEMENT_COLUMNS, "archived_at"));
            assertThat(columns(admin, "conversation", "test_cases"))
                    .containsExactly(
                            "id",
                            "agent_name",
                            "predictor_name",
                            "example_id",
                            "input",
                            "expected_behavior",
                            "category",
                            "first_seen_at",
                            "last_seen_at");
            assertThat(columns(admin, "conversation", "prompt_ab_test_observations"))
                    .containsExactly(
                            "id",
                            "test_id",
                            "agent_name",
                            "predictor_name",
                            "variant",
                            "unit_id",
                            "score",
                            "latency_ms",
                            "success",
                            "instruction_id",
                            "occurred_at",
                            "ingested_at");
            assertThat(columns(admin, "conversation", "evaluations"))
                    .containsExactly(
                            "id",
                            "test_case_id",
                            "agent_name",
                            "predictor_name",
                            "example_id",
                            "input",
                            "model_response",
                            "functionality",
                            "safety",
                            "consistency",
                            "edge_case_handling",
                            "faithfulness",
                            "answer_relevancy",
                            "context_precision",
                            "context_recall",
                            "ragas_aggregate",
                            "causal_validity",
                            "actionability",
                            "rubric_aggregate",
                            "overall_score",
                            "reasoning",
                            "feedback",
                            "evaluator",
                            "session_id",
                            "turn_number",
                            "run_id",
                            "candidate_id",
                            "request_id",
                            "occurred_at",
                            "ingested_at");
            // archives keep no foreign keys and no unique constraint besides the primary key
            assertThat(queryRows(admin, """
                            SELECT conname FROM pg_constraint
                            WHERE conrelid::regclass::text LIKE 'conversation.%_archive' AND contype IN ('f', 'u')
                            """)).isEmpty();
        }
    }

    @Test
    void shouldHaveNoTriggersAndOnlyTimestampTimezoneColumns() throws SQLException {
        try (Connection admin = admin()) {
            assertThat(queryRows(admin, """
                            SELECT t.tgname FROM pg_trigger t
                            JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
                            WHERE NOT t.tgisinternal
                              AND n.nspname IN ('conversation', 'optimizer', 'abtest', 'analytics')
                            """)).isEmpty();
            assertThat(queryRows(admin, """
                            SELECT table_schema || '.' || table_name || '.' || column_name
                            FROM information_schema.columns
                            WHERE table_schema IN ('conversation', 'optimizer', 'abtest', 'analytics')
                              AND data_type = 'timestamp without time zone'
                            """)).isEmpty();
        }
    }

    @Test
    void shouldMakePromptloopOwnerOwnEverythingAndKeepGroupRolesNologin() throws SQLException {
        try (Connection admin = admin()) {
            assertThat(queryRows(admin, """
                            SELECT nspname || ' ' || pg_get_userbyid(nspowner) FROM pg_namespace
                            WHERE nspname IN ('conversation', 'optimizer', 'abtest', 'analytics')
                              AND pg_get_userbyid(nspowner) <> 'promptloop_owner'
                            UNION ALL
                            SELECT c.oid::regclass::text || ' ' || pg_get_userbyid(c.relowner)
                            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                            WHERE n.nspname IN ('conversation', 'optimizer', 'abtest', 'analytics')
                              AND pg_get_userbyid(c.relowner) <> 'promptloop_owner'
                            UNION ALL
                            SELECT t.oid::regtype::text || ' ' || pg_get_userbyid(t.typowner)
                            FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
                            WHERE n.nspname IN ('conversation', 'optimizer', 'abtest', 'analytics')
                              AND pg_get_userbyid(t.typowner) <> 'promptloop_owner'
                            """)).isEmpty();
            for (String role : GROUP_ROLES) {
                assertThat(queryString(admin, "SELECT rolcanlogin::text FROM pg_roles WHERE rolname = '" + role + "'"))
                        .as(role)
                        .isEqualTo("false");
            }
            assertThat(queryString(admin, "SELECT count(*)::text FROM pg_type WHERE typname = 'ab_test_variant'"))
                    .isEqualTo("1");
        }
    }

    @Test
    void shouldGrantEachRoleExactlyItsDocumentedTablePrivileges() throws SQLException {
        List<String> privileges =
                List.of("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER", "MAINTAIN");
        List<String> relations = new ArrayList<>(EXPECTED_TABLES);
        relations.addAll(EXPECTED_VIEWS);
        Map<String, Set<String>> actual = new TreeMap<>();
        Map<String, Set<String>> expected = new TreeMap<>();
        try (Connection admin = admin();
                PreparedStatement check =
                        admin.prepareStatement("SELECT has_table_privilege(?::name, ?::text, ?::text)")) {
            for (String role : List.of(INGEST, OPTIMIZER, ABTEST, ANALYST)) {
                for (String relation : relations) {
                    String key = role + " " + relation;
                    Set<String> granted = new TreeSet<>();
                    for (String privilege : privileges) {
                        check.setString(1, role);
                        check.setString(2, relation);
                        check.setString(3, privilege);
                        try (ResultSet rs = check.executeQuery()) {
                            rs.next();
                            if (rs.getBoolean(1)) {
                                granted.add(privilege);
                            }
                        }
                    }
                    actual.put(key, granted);
                    expected.put(key, expectedPrivileges(role, relation));
                }
                for (String schema : SCHEMAS) {
                    assertThat(queryString(
                                    admin, "SELECT has_schema_privilege('" + role + "', '" + schema + "', 'CREATE')"))
                            .as("%s CREATE on schema %s", role, schema)
                            .isEqualTo("f");
                }
            }
        }
        assertThat(actual).containsExactlyInAnyOrderEntriesOf(expected);
    }

    @Test
    void shouldShowAnInsertedSessionInStatisticsAndExport() throws SQLException {
        UUID session = UUID.randomUUID();
        UUID turn1 = UUID.randomUUID();
        UUID turn2 = UUID.randomUUID();
        OffsetDateTime start = OffsetDateTime.of(2025, 10, 24, 10, 0, 0, 0, ZoneOffset.UTC);
        try (Connection ingest = connect(INGEST_LOGIN)) {
            insertSession(ingest, session, "statistics-agent", start);
            insertTurn(ingest, turn1, session, 1, start.plusMinutes(1), 0.85, 1200);
            insertTurn(ingest, turn2, session, 2, start.plusMinutes(2), 0.75, 800);
            insertImprovement(ingest, turn1, session, "Too formal, needs more empathy", "tone", start.plusSeconds(90));
            insertImprovement(
                    ingest, turn1, session, "Should ask clarifying questions first", "content", start.plusSeconds(75));
            update(ingest, """
                    UPDATE conversation.prompt_tuning_sessions
                    SET total_turns = total_turns + 2, total_improvements = total_improvements + 2,
                        session_end = ?, updated_at = now()
                    WHERE id = ?
                    """, start.plusMinutes(30), session);

            List<List<Object>> statistics = queryRows(ingest, """
                    SELECT agent_name, total_turns, total_improvements, duration_minutes,
                           avg_rag_similarity, avg_processing_time_ms, tester_email
                    FROM analytics.v_session_statistics WHERE id = ?
                    """, session);
            assertThat(statistics).hasSize(1);
            List<Object> row = statistics.getFirst();
            assertThat(row.get(0)).isEqualTo("statistics-agent");
            assertThat(row.get(1)).isEqualTo(2);
            assertThat(row.get(2)).isEqualTo(2);
            assertThat((BigDecimal) row.get(3)).isEqualByComparingTo("30");
            assertThat((Double) row.get(4)).isCloseTo(0.80, offset(1e-9));
            assertThat((BigDecimal) row.get(5)).isEqualByComparingTo("1000");
            assertThat(row.get(6)).isEqualTo("meg@example.com");

            List<List<Object>> export = queryRows(ingest, """
                    SELECT turn_number, user_message, agent_response, improvement_note, category
                    FROM analytics.v_session_export WHERE session_id = ?
                    ORDER BY turn_number, improvement_timestamp NULLS FIRST, improvement_id
                    """, session);
            assertThat(export)
                    .containsExactly(
                            List.of(
                                    1,
                                    "user message 1",
                                    "agent response 1",
                                    "Should ask clarifying questions first",
                                    "content"),
                            List.of(1, "user message 1", "agent response 1", "Too formal, needs more empathy", "tone"),
                            listOf(2, "user message 2", "agent response 2", null, null));
        }
    }

    @Test
    void shouldRejectASecondTurnWithTheSameNumberInASession() throws SQLException {
        UUID session = UUID.randomUUID();
        OffsetDateTime start = OffsetDateTime.now(ZoneOffset.UTC);
        try (Connection ingest = connect(INGEST_LOGIN)) {
            insertSession(ingest, session, "unique-turn-agent", start);
            insertTurn(ingest, UUID.randomUUID(), session, 1, start, 0.5, 10);

            assertThatThrownBy(() -> insertTurn(ingest, UUID.randomUUID(), session, 1, start, 0.5, 10))
                    .isInstanceOfSatisfying(
                            SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo(UNIQUE_VIOLATION))
                    .hasMessageContaining("unique_session_turn");
            assertThat(queryString(
                            ingest,
                            "SELECT count(*)::text FROM conversation.tuning_conversation_turns WHERE session_id = '"
                                    + session + "'"))
                    .isEqualTo("1");
        }
    }

    @Test
    void shouldAllowOnlyOneActiveInstructionPerAgentAndPredictor() throws SQLException {
        try (Connection optimizer = connect(OPTIMIZER_LOGIN)) {
            for (String predictor : new String[] {"answer", null}) {
                String agent = "active-agent-" + UUID.randomUUID();
                insertInstruction(optimizer, agent, predictor, 1, "be helpful", true);
                assertThatThrownBy(() -> insertInstruction(optimizer, agent, predictor, 2, "be concise", true))
                        .as("predictor %s", predictor)
                        .isInstanceOfSatisfying(
                                SQLException.class,
                                e -> assertThat(e.getSQLState()).isEqualTo(UNIQUE_VIOLATION))
                        .hasMessageContaining("uq_optimized_instructions_one_active");
                insertInstruction(optimizer, agent, predictor, 2, "be concise", false);
                // the same version twice is rejected even when predictor_name is null (NULLS NOT DISTINCT)
                assertThatThrownBy(() -> insertInstruction(optimizer, agent, predictor, 2, "be brief", false))
                        .isInstanceOfSatisfying(
                                SQLException.class,
                                e -> assertThat(e.getSQLState()).isEqualTo(UNIQUE_VIOLATION))
                        .hasMessageContaining("optimized_instructions_version_key");

                optimizer.setAutoCommit(false);
                update(
                        optimizer,
                        "UPDATE optimizer.optimized_instructions SET is_active = false, deactivated_at = now()"
                                + " WHERE agent_name = ? AND version = 1",
                        agent);
                update(
                        optimizer,
                        "UPDATE optimizer.optimized_instructions SET is_active = true, activated_at = now()"
                                + " WHERE agent_name = ? AND version = 2",
                        agent);
                optimizer.commit();
                optimizer.setAutoCommit(true);

                // the view also joins abtest (the test that promoted the instruction): an analyst's view
                try (Connection analyst = connect(ANALYST_LOGIN)) {
                    assertThat(queryRows(
                                    analyst,
                                    "SELECT version, live_test_id FROM analytics.v_active_instructions"
                                            + " WHERE agent_name = ?",
                                    agent))
                            .containsExactly(java.util.Arrays.asList(2, null));
                }
            }
        }
    }

    @Test
    void shouldTreatANullPredictorAsOneSlotForTestCases() throws SQLException {
        try (Connection ingest = connect(INGEST_LOGIN)) {
            String insert = "INSERT INTO conversation.test_cases (agent_name, predictor_name, example_id, input)"
                    + " VALUES ('null-predictor-agent', NULL, 'ex-1', 'hello')";
            execute(ingest, insert);
            assertThatThrownBy(() -> execute(ingest, insert))
                    .isInstanceOfSatisfying(
                            SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo(UNIQUE_VIOLATION))
                    .hasMessageContaining("test_cases_example_key");
        }
    }

    @Test
    void shouldLetTheIngestRoleWriteConversationButNotOtherSchemas() throws SQLException {
        UUID session = UUID.randomUUID();
        try (Connection ingest = connect(INGEST_LOGIN)) {
            insertSession(ingest, session, "ingest-agent", OffsetDateTime.now(ZoneOffset.UTC));
            insertObservation(ingest);
            update(ingest, "UPDATE conversation.prompt_tuning_sessions SET end_reason = 'done' WHERE id = ?", session);
            update(ingest, "DELETE FROM conversation.prompt_tuning_sessions WHERE id = ?", session);

            assertPermissionDenied(
                    ingest, "INSERT INTO optimizer.prompt_optimization_runs (agent_name) VALUES ('ingest-agent')");
            assertPermissionDenied(ingest, "SELECT * FROM optimizer.prompt_optimization_runs");
            assertPermissionDenied(ingest, "SELECT * FROM optimizer.optimized_instructions");
            assertPermissionDenied(ingest, "SELECT * FROM abtest.prompt_ab_tests");
            assertPermissionDenied(ingest, "DELETE FROM abtest.variant_statistics");
            assertPermissionDenied(ingest, "SELECT * FROM analytics.v_active_instructions");
            assertPermissionDenied(ingest, "TRUNCATE conversation.tuning_improvements");
            assertPermissionDenied(ingest, "CREATE TABLE conversation.intruder (id int)");
            assertPermissionDenied(ingest, "CREATE VIEW analytics.intruder AS SELECT 1");
        }
    }

    @Test
    void shouldLetTheOptimizerRoleWriteOptimizerAndOnlyReadConversation() throws SQLException {
        try (Connection optimizer = connect(OPTIMIZER_LOGIN)) {
            execute(
                    optimizer,
                    "INSERT INTO optimizer.prompt_optimization_runs (agent_name, budget_preset, max_metric_calls)"
                            + " VALUES ('optimizer-agent-" + UUID.randomUUID() + "', 'light', 500)");
            queryRows(optimizer, "SELECT * FROM conversation.evaluations LIMIT 1");
            queryRows(optimizer, "SELECT * FROM conversation.tuning_improvements LIMIT 1");
            queryRows(optimizer, "SELECT * FROM analytics.v_optimization_summary LIMIT 1");

            assertPermissionDenied(
                    optimizer,
                    "INSERT INTO conversation.test_cases (agent_name, example_id, input) VALUES ('a', 'b', 'c')");
            assertPermissionDenied(optimizer, "UPDATE conversation.prompt_tuning_sessions SET total_turns = 0");
            assertPermissionDenied(optimizer, "SELECT * FROM abtest.prompt_ab_tests");
            assertPermissionDenied(optimizer, "DELETE FROM abtest.routing_changes");
        }
    }

    @Test
    void shouldLetTheAbtestRoleWriteAbtestAndReadOptimizerAndObservations() throws SQLException {
        try (Connection abtest = connect(ABTEST_LOGIN)) {
            UUID test = UUID.randomUUID();
            update(abtest, """
                    INSERT INTO abtest.prompt_ab_tests
                        (test_id, agent_name, baseline_instruction_id, treatment_instruction_id, status)
                    VALUES (?, ?, ?, ?, 'running')
                    """, test, "abtest-agent-" + test, UUID.randomUUID(), UUID.randomUUID());
            update(abtest, "INSERT INTO abtest.variant_statistics (test_id, variant) VALUES (?, 'baseline')", test);
            queryRows(abtest, "SELECT * FROM optimizer.optimized_instructions LIMIT 1");
            queryRows(abtest, "SELECT * FROM conversation.prompt_ab_test_observations LIMIT 1");
            assertThat(queryRows(
                            abtest,
                            "SELECT baseline_n, treatment_n FROM analytics.v_ab_test_results WHERE test_id = ?",
                            test))
                    .containsExactly(List.of(0L, 0L));

            assertPermissionDenied(abtest, "SELECT * FROM conversation.prompt_tuning_sessions");
            assertPermissionDenied(abtest, "DELETE FROM conversation.prompt_ab_test_observations");
            assertPermissionDenied(
                    abtest, "INSERT INTO optimizer.prompt_optimization_runs (agent_name) VALUES ('abtest-agent')");
            assertPermissionDenied(abtest, "UPDATE optimizer.optimized_instructions SET is_active = false");
        }
    }

    @Test
    void shouldLetTheAnalystReadEverythingAndWriteNothing() throws SQLException {
        try (Connection analyst = connect(ANALYST_LOGIN)) {
            for (String relation : append(EXPECTED_TABLES, EXPECTED_VIEWS)) {
                assertThatCode(() -> queryRows(analyst, "SELECT * FROM " + relation + " LIMIT 1"))
                        .as(relation)
                        .doesNotThrowAnyException();
            }
            assertPermissionDenied(
                    analyst,
                    "INSERT INTO conversation.prompt_tuning_sessions (id, agent_name, session_start)"
                            + " VALUES (gen_random_uuid(), 'analyst', now())");
            assertPermissionDenied(analyst, "UPDATE conversation.tuning_conversation_turns SET metadata = '{}'");
            assertPermissionDenied(analyst, "DELETE FROM conversation.evaluations");
            assertPermissionDenied(
                    analyst, "INSERT INTO optimizer.prompt_optimization_runs (agent_name) VALUES ('analyst')");
            assertPermissionDenied(analyst, "DELETE FROM optimizer.candidates");
            assertPermissionDenied(
                    analyst,
                    "INSERT INTO abtest.routing_changes (agent_name, active_instruction_id, reason)"
                            + " VALUES ('analyst', gen_random_uuid(), 'nope')");
            assertPermissionDenied(analyst, "UPDATE abtest.prompt_ab_tests SET rolled_out = true");
            assertPermissionDenied(analyst, "CREATE TABLE analytics.scratch (id int)");
        }
    }

    @Test
    void shouldMigrateAsANonSuperuserMemberOfTheOwnerRole() throws Exception {
        try (Connection admin = admin()) {
            execute(admin, "CREATE ROLE it_migrator LOGIN PASSWORD '" + PASSWORD + "' CREATEROLE");
            execute(admin, "GRANT " + OWNER + " TO it_migrator WITH INHERIT TRUE, SET TRUE");
            execute(admin, "CREATE DATABASE promptloop_migrator_it OWNER it_migrator");
        }
        try (Connection migrator = connect("it_migrator", "promptloop_migrator_it")) {
            assertThat(queryString(migrator, "SELECT rolsuper::text FROM pg_roles WHERE rolname = current_user"))
                    .isEqualTo("false");
            migrate(migrator);
            migrate(migrator);
            assertThat(queryRows(migrator, """
                            SELECT c.oid::regclass::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                            WHERE n.nspname IN ('conversation', 'optimizer', 'abtest', 'analytics')
                              AND c.relkind IN ('r', 'v')
                              AND pg_get_userbyid(c.relowner) = 'promptloop_owner'
                            """)).hasSize(EXPECTED_TABLES.size() + EXPECTED_VIEWS.size());
        }
    }

    @Test
    void shouldRollBackEveryChangesetAndApplyThemAgain() throws Exception {
        try (Connection admin = admin()) {
            execute(admin, "CREATE DATABASE promptloop_rollback_it");
        }
        try (Connection connection = connect("postgres", "promptloop_rollback_it")) {
            migrate(connection);
            int changeSets = Integer.parseInt(queryString(connection, "SELECT count(*) FROM public.databasechangelog"));
            List<String> migrated = schemaFingerprint(connection);

            rollback(connection, changeSets);
            assertThat(queryString(connection, "SELECT count(*) FROM public.databasechangelog"))
                    .isEqualTo("0");
            assertThat(queryRows(
                            connection,
                            "SELECT nspname FROM pg_namespace"
                                    + " WHERE nspname IN ('conversation', 'optimizer', 'abtest', 'analytics')"))
                    .isEmpty();

            migrate(connection);
            assertThat(schemaFingerprint(connection)).containsExactlyElementsOf(migrated);
        }
    }

    @Test
    void shouldMigrateTwoArmTestsIntoArmsWithoutLoss() throws Exception {
        try (Connection admin = admin()) {
            execute(admin, "CREATE DATABASE promptloop_arms_it");
        }
        try (Connection connection = connect("postgres", "promptloop_arms_it")) {
            migrate(connection);
            // back to before 013 (013's changesets and every one applied after them), then tests as they were
            int since013 = Integer.parseInt(queryString(
                    connection,
                    "SELECT count(*) FROM public.databasechangelog WHERE orderexecuted >="
                            + " (SELECT min(orderexecuted) FROM public.databasechangelog WHERE id LIKE '013-%')"));
            rollback(connection, since013);
            assertThat(queryString(connection, "SELECT count(*) FROM public.databasechangelog WHERE id LIKE '013-%'"))
                    .isEqualTo("0");
            execute(connection, """
                    INSERT INTO abtest.prompt_ab_tests (test_id, agent_name, baseline_instruction_id,
                        treatment_instruction_id, traffic_split, status, winner, rolled_out)
                    VALUES ('00000000-0000-0000-0000-00000000000a', 'a', '00000000-0000-0000-0000-0000000000b1',
                            '00000000-0000-0000-0000-0000000000c1', 0.30, 'rolled_out', 'treatment', true),
                           ('00000000-0000-0000-0000-00000000000b', 'b', '00000000-0000-0000-0000-0000000000b2',
                            '00000000-0000-0000-0000-0000000000c2', 0.50, 'running', NULL, false)
                    """);
            execute(
                    connection,
                    "INSERT INTO abtest.variant_statistics (test_id, variant, n)"
                            + " VALUES ('00000000-0000-0000-0000-00000000000a', 'treatment', 7)");
            migrate(connection);

            assertThat(queryRows(connection, """
                            SELECT test_id::text, arm_index, variant::text, instruction_id::text, weight::text
                            FROM abtest.ab_test_arms ORDER BY test_id, arm_index
                            """))
                    .containsExactly(
                            List.of(
                                    "00000000-0000-0000-0000-00000000000a",
                                    0,
                                    "baseline",
                                    "00000000-0000-0000-0000-0000000000b1",
                                    "0.70"),
                            List.of(
                                    "00000000-0000-0000-0000-00000000000a",
                                    1,
                                    "treatment",
                                    "00000000-0000-0000-0000-0000000000c1",
                                    "0.30"),
                            List.of(
                                    "00000000-0000-0000-0000-00000000000b",
                                    0,
                                    "baseline",
                                    "00000000-0000-0000-0000-0000000000b2",
                                    "0.50"),
                            List.of(
                                    "00000000-0000-0000-0000-00000000000b",
                                    1,
                                    "treatment",
                                    "00000000-0000-0000-0000-0000000000c2",
                                    "0.50"));
            assertThat(queryRows(connection, """
                            SELECT variant::text, n, is_winner, rolled_out FROM analytics.v_ab_test_arm_results
                            WHERE test_id = '00000000-0000-0000-0000-00000000000a' ORDER BY arm_index
                            """))
                    .containsExactly(List.of("baseline", 0L, false, false), List.of("treatment", 7L, true, true));
            // a winner must be one of the test's arms
            assertThatThrownBy(() -> execute(
                            connection,
                            "UPDATE abtest.prompt_ab_tests SET winner = 'treatment_2'"
                                    + " WHERE test_id = '00000000-0000-0000-0000-00000000000b'"))
                    .hasMessageContaining("prompt_ab_tests_winner_arm_fkey");
        }
    }

    // --- expectations -----------------------------------------------------------------------------

    private static Set<String> expectedPrivileges(String role, String relation) {
        Set<String> readWrite = Set.of("SELECT", "INSERT", "UPDATE", "DELETE");
        Set<String> readOnly = Set.of("SELECT");
        String schema = relation.substring(0, relation.indexOf('.'));
        if (schema.equals(ANALYTICS_SCHEMA)) {
            return readOnly; // security_invoker views: the underlying tables decide what a role sees
        }
        return switch (role) {
            case INGEST -> schema.equals(CONVERSATION_SCHEMA) ? readWrite : Set.of();
            case OPTIMIZER ->
                schema.equals(OPTIMIZER_SCHEMA) ? readWrite : schema.equals(CONVERSATION_SCHEMA) ? readOnly : Set.of();
            case ABTEST ->
                schema.equals(ABTEST_SCHEMA)
                        ? readWrite
                        : schema.equals(OPTIMIZER_SCHEMA) || relation.equals("conversation.prompt_ab_test_observations")
                                ? readOnly
                                : Set.of();
            case ANALYST -> readOnly;
            default -> throw new IllegalArgumentException(role);
        };
    }

    // --- migration ----------------------------------------------------------------------------------

    /** Runs Liquibase "update" on the connection. */
    private static void migrate(Connection connection) throws Exception {
        runLiquibase(connection, new CommandScope(UpdateCommandStep.COMMAND_NAME));
    }

    /** Rolls back the given number of changesets, most recent first. */
    private static void rollback(Connection connection, int changeSets) throws Exception {
        runLiquibase(
                connection,
                new CommandScope(RollbackCountCommandStep.COMMAND_NAME)
                        .addArgumentValue(RollbackCountCommandStep.COUNT_ARG, changeSets));
    }

    /** Liquibase turns auto-commit off on the connection; this restores it afterwards. */
    private static void runLiquibase(Connection connection, CommandScope command) throws Exception {
        boolean autoCommit = connection.getAutoCommit();
        Map<String, Object> scope = new LinkedHashMap<>();
        scope.put(
                Scope.Attr.resourceAccessor.name(),
                new ClassLoaderResourceAccessor(SchemaMigrationIT.class.getClassLoader()));
        scope.put("liquibase.analytics.enabled", false);
        try {
            Scope.child(scope, () -> {
                Database database =
                        DatabaseFactory.getInstance().findCorrectDatabaseImplementation(new JdbcConnection(connection));
                command.addArgumentValue(DbUrlConnectionArgumentsCommandStep.DATABASE_ARG, database)
                        .addArgumentValue(DatabaseChangelogCommandStep.CHANGELOG_FILE_ARG, DatabaseRoles.CHANGELOG)
                        .execute();
            });
        } finally {
            connection.setAutoCommit(autoCommit);
        }
    }

    /** A sorted textual description of everything the changelogs create, to compare two runs. */
    private static List<String> schemaFingerprint(Connection connection) throws SQLException {
        String sql = """
                WITH ns AS (
                    SELECT oid, nspname FROM pg_namespace
                    WHERE nspname IN ('conversation', 'optimizer', 'abtest', 'analytics'))
                SELECT 'schema ' || nspname || ' ' || pg_get_userbyid(nspowner) || ' ' || coalesce(
                    (SELECT string_agg(grantee::regrole::text || ':' || privilege_type, ',' ORDER BY 1)
                     FROM aclexplode(nspacl)), '')
                FROM pg_namespace WHERE oid IN (SELECT oid FROM ns)
                UNION ALL
                SELECT 'relation ' || c.oid::regclass::text || ' ' || c.relkind::text || ' '
                       || pg_get_userbyid(c.relowner) || ' ' || coalesce(obj_description(c.oid, 'pg_class'), '')
                       || ' ' || coalesce((SELECT string_agg(a.grantee::regrole::text || ':' || a.privilege_type,
                                                             ',' ORDER BY 1)
                                           FROM aclexplode(c.relacl) a), '')
                FROM pg_class c JOIN ns ON ns.oid = c.relnamespace
                UNION ALL
                SELECT 'column ' || c.oid::regclass::text || '.' || a.attname || ' '
                       || format_type(a.atttypid, a.atttypmod) || ' ' || a.attnotnull::text || ' '
                       || coalesce(pg_get_expr(d.adbin, d.adrelid), '')
                FROM pg_attribute a
                JOIN pg_class c ON c.oid = a.attrelid JOIN ns ON ns.oid = c.relnamespace
                LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
                WHERE a.attnum > 0 AND NOT a.attisdropped
                UNION ALL
                SELECT 'constraint ' || conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid)
                FROM pg_constraint WHERE connamespace IN (SELECT oid FROM ns)
                UNION ALL
                SELECT 'index ' || indexdef FROM pg_indexes
                WHERE schemaname IN ('conversation', 'optimizer', 'abtest', 'analytics')
                UNION ALL
                SELECT 'view ' || c.oid::regclass::text || ' ' || pg_get_viewdef(c.oid) || ' '
                       || coalesce(array_to_string(c.reloptions, ','), '')
                FROM pg_class c JOIN ns ON ns.oid = c.relnamespace WHERE c.relkind = 'v'
                UNION ALL
                SELECT 'type ' || t.oid::regtype::text || ' ' || pg_get_userbyid(t.typowner) || ' '
                       || coalesce((SELECT string_agg(enumlabel, ',' ORDER BY enumsortorder)
                                    FROM pg_enum WHERE enumtypid = t.oid), '')
                FROM pg_type t JOIN ns ON ns.oid = t.typnamespace WHERE t.typtype = 'e'
                UNION ALL
                SELECT 'role ' || rolname || ' ' || rolcanlogin::text FROM pg_roles WHERE rolname LIKE 'promptloop\\_%'
                ORDER BY 1
                """;
        List<String> lines = new ArrayList<>();
        try (Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery(sql)) {
            while (rs.next()) {
                lines.add(rs.getString(1));
            }
        }
        return lines;
    }

    /** Changeset id -> EXECTYPE, in execution order. */
    private static Map<String, String> changelog(Connection connection) throws SQLException {
        Map<String, String> changeSets = new LinkedHashMap<>();
        try (Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery(
                        "SELECT id, exectype FROM public.databasechangelog ORDER BY orderexecuted, id")) {
            while (rs.next()) {
                changeSets.put(rs.getString(1), rs.getString(2));
            }
        }
        return changeSets;
    }

    // --- fixtures -----------------------------------------------------------------------------------

    private static void insertSession(Connection c, UUID id, String agent, OffsetDateTime start) throws SQLException {
        update(c, """
                INSERT INTO conversation.prompt_tuning_sessions
                    (id, agent_name, session_start, branch_name, tester_email, started_explicitly)
                VALUES (?, ?, ?, 'prompt-tuning', 'meg@example.com', true)
                """, id, agent, start);
    }

    private static void insertTurn(
            Connection c, UUID id, UUID session, int number, OffsetDateTime at, double similarity, int processingTimeMs)
            throws SQLException {
        update(
                c,
                """
                INSERT INTO conversation.tuning_conversation_turns
                    (id, session_id, turn_number, user_message, agent_response, occurred_at,
                     avg_similarity, processing_time_ms)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
                id,
                session,
                number,
                "user message " + number,
                "agent response " + number,
                at,
                similarity,
                processingTimeMs);
    }

    private static void insertImprovement(
            Connection c, UUID turn, UUID session, String note, String category, OffsetDateTime at)
            throws SQLException {
        update(c, """
                INSERT INTO conversation.tuning_improvements
                    (id, turn_id, session_id, improvement_note, category, occurred_at)
                VALUES (?, ?, ?, ?, ?, ?)
                """, UUID.randomUUID(), turn, session, note, category, at);
    }

    private static void insertObservation(Connection c) throws SQLException {
        update(c, """
                INSERT INTO conversation.prompt_ab_test_observations
                    (id, test_id, agent_name, variant, unit_id, score, latency_ms, success, occurred_at)
                VALUES (?, ?, 'ingest-agent', 'treatment', 'user-1', 0.9, 120, true, now())
                """, UUID.randomUUID(), UUID.randomUUID());
    }

    private static void insertInstruction(
            Connection c, String agent, String predictor, int version, String text, boolean active)
            throws SQLException {
        update(c, """
                INSERT INTO optimizer.optimized_instructions
                    (agent_name, predictor_name, version, instruction_text, instruction_hash, optimizer_type,
                     is_active)
                VALUES (?, ?, ?, ?, ?, 'manual', ?)
                """, agent, predictor, version, text, sha256(text), active);
    }

    // --- JDBC helpers -------------------------------------------------------------------------------

    private Connection admin() throws SQLException {
        return connect("postgres", "postgres");
    }

    private Connection connect(String login) throws SQLException {
        return connect(login, "postgres");
    }

    private Connection connect(String user, String database) throws SQLException {
        return DriverManager.getConnection(postgres.getJdbcUrl(user, database), user, PASSWORD);
    }

    private static void execute(Connection c, String sql) throws SQLException {
        try (Statement statement = c.createStatement()) {
            statement.execute(sql);
        }
    }

    private static int update(Connection c, String sql, Object... parameters) throws SQLException {
        try (PreparedStatement statement = c.prepareStatement(sql)) {
            bind(statement, parameters);
            return statement.executeUpdate();
        }
    }

    private static List<List<Object>> queryRows(Connection c, String sql, Object... parameters) throws SQLException {
        try (PreparedStatement statement = c.prepareStatement(sql)) {
            bind(statement, parameters);
            List<List<Object>> rows = new ArrayList<>();
            try (ResultSet rs = statement.executeQuery()) {
                int columns = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    List<Object> row = new ArrayList<>(columns);
                    for (int i = 1; i <= columns; i++) {
                        row.add(rs.getObject(i));
                    }
                    rows.add(row);
                }
            }
            return rows;
        }
    }

    private static String queryString(Connection c, String sql) throws SQLException {
        try (Statement statement = c.createStatement();
                ResultSet rs = statement.executeQuery(sql)) {
            assertThat(rs.next()).as("a row from %s", sql).isTrue();
            return rs.getString(1);
        }
    }

    private static List<String> columns(Connection c, String schema, String table) throws SQLException {
        return queryRows(
                        c,
                        "SELECT column_name FROM information_schema.columns"
                                + " WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position",
                        schema,
                        table)
                .stream()
                .map(row -> (String) row.getFirst())
                .toList();
    }

    private static void bind(PreparedStatement statement, Object... parameters) throws SQLException {
        for (int i = 0; i < parameters.length; i++) {
            statement.setObject(i + 1, parameters[i]);
        }
    }

    private static void assertPermissionDenied(Connection c, String sql) {
        assertThatThrownBy(() -> execute(c, sql))
                .as(sql)
                .isInstanceOfSatisfying(
                        SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo(PERMISSION_DENIED))
                .hasMessageContaining("permission denied");
    }

    private static List<String> append(List<String> list, String element) {
        return append(list, List.of(element));
    }

    private static List<String> append(List<String> first, List<String> second) {
        List<String> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }

    private static List<Object> listOf(Object... elements) {
        List<Object> list = new ArrayList<>();
        for (Object element : elements) {
            list.add(element);
        }
        return list;
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
