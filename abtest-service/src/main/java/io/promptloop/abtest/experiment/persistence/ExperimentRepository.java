package io.promptloop.abtest.experiment.persistence;

import io.promptloop.abtest.analysis.domain.CoMoments;
import io.promptloop.abtest.analysis.domain.EffectType;
import io.promptloop.abtest.analysis.domain.GaussianPrior;
import io.promptloop.abtest.analysis.domain.Guardrails;
import io.promptloop.abtest.analysis.domain.LatencyDigest;
import io.promptloop.abtest.analysis.domain.Method;
import io.promptloop.abtest.analysis.domain.Metric;
import io.promptloop.abtest.analysis.domain.Moments;
import io.promptloop.abtest.analysis.domain.Sidedness;
import io.promptloop.abtest.analysis.domain.TestDesign;
import io.promptloop.abtest.analysis.domain.VariantStats;
import io.promptloop.abtest.config.AbtestProperties;
import io.promptloop.abtest.experiment.domain.AbTest;
import io.promptloop.abtest.experiment.domain.TestArm;
import io.promptloop.abtest.experiment.domain.TestStatus;
import java.math.BigDecimal;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Tests, their per-variant statistics and their analyses in schema abtest. */
@Repository
public class ExperimentRepository {

    private static final String COLUMNS = """
            test_id, agent_name, predictor_name, baseline_instruction_id, treatment_instruction_id,
            baseline_variant::text, treatment_variant::text, salt, traffic_split, primary_metric, method,
            planned_looks, alpha, sequential_tuning, min_sample_per_variant, max_sample_per_variant,
            guardrails::text AS guardrails, auto_rollout, status::text AS status, p_value, winner::text AS winner,
            rolled_out, conclusion_reason, source_run_id, created_at, started_at, concluded_at, rollout_steps,
            rollout_step_observations, rollout_step, rollout_step_base_n, monitoring_complete, analyzed_n,
            srm_alerted, effect_type, sidedness, prior_mean, prior_variance, cuped,
            (SELECT json_agg(json_build_object('index', a.arm_index, 'variant', a.variant::text,
                    'instruction_id', a.instruction_id, 'weight', a.weight) ORDER BY a.arm_index)::text
               FROM abtest.ab_test_arms a WHERE a.test_id = prompt_ab_tests.test_id) AS arms
            """;

    /** A predicate that holds exactly when the predictor's routing carries the test. */
    public static final String LIVE =
            "(status IN ('running', 'rolling_out') OR (status = 'rolled_out' AND NOT monitoring_complete))";

    private final JdbcClient jdbc;
    private final JsonMapper json;
    private final double srmThreshold;

    public ExperimentRepository(JdbcClient jdbc, JsonMapper json, AbtestProperties properties) {
        this.jdbc = jdbc;
        this.json = json;
        this.srmThreshold = properties.analysis().srmThreshold();
    }

    /**
     * @param treatments the treatment arms 1..K: instruction and weight, in the order of the assignment rule; the
     *     baseline's weight is 1 − their sum ({@code design.trafficSplit()})
     */
    public record NewTest(
            String agentName,
            String predictorName,
            UUID baselineInstructionId,
            List<NewArm> treatments,
            TestDesign design,
            boolean autoRollout,
            List<Double> rolloutSteps,
            int rolloutStepObservations,
            UUID sourceRunId) {}

    /** A treatment arm to create: its instruction and traffic weight (two decimals). */
    public record NewArm(UUID instructionId, double weight) {}

    public UUID insert(NewTest t) {
        UUID id = jdbc.sql("""
                        INSERT INTO abtest.prompt_ab_tests (agent_name, predictor_name, baseline_instruction_id,
                            treatment_instruction_id, traffic_split, primary_metric, method, planned_looks, alpha,
                            sequential_tuning, min_sample_per_variant, max_sample_per_variant, guardrails, auto_rollout,
                            rollout_steps, rollout_step_observations, source_run_id, effect_type, sidedness,
                            prior_mean, prior_variance, cuped)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?::double precision[], ?, ?, ?, ?, ?, ?, ?)
                        RETURNING test_id
                        """)
                .params(
                        t.agentName(),
                        t.predictorName(),
                        t.baselineInstructionId(),
                        t.treatments().get(0).instructionId(),
                        BigDecimal.valueOf(t.design().trafficSplit()),
                        t.design().metric().code(),
                        t.design().method().code(),
                        t.design().plannedLooks(),
                        t.design().alpha(),
                        t.design().nStar(),
                        t.design().minSamplePerVariant(),
                        t.design().maxSamplePerVariant(),
                        guardrailsJson(t.design().guardrails()),
                        t.autoRollout(),
                        arrayLiteral(t.rolloutSteps()),
                        t.rolloutStepObservations(),
                        t.sourceRunId(),
                        t.design().effectType().code(),
                        t.design().sidedness().code(),
                        t.design().prior() == null ? null : t.design().prior().mean(),
                        t.design().prior() == null ? null : t.design().prior().variance(),
                        t.design().cuped())
                .query(UUID.class)
                .single();
        String arms = "INSERT INTO abtest.ab_test_arms (test_id, arm_index, variant, instruction_id, weight)"
                + " VALUES (?, ?, ?::abtest.ab_test_variant, ?, ?)";
        jdbc.sql(arms)
                .params(
                        id,
                        0,
                        TestArm.label(0),
                        t.baselineInstructionId(),
                        weight(1 - t.design().trafficSplit()))
                .update();
        for (int i = 0; i < t.treatments().size(); i++) {
            NewArm arm = t.treatments().get(i);
            jdbc.sql(arms)
                    .params(id, i + 1, TestArm.label(i + 1), arm.instructionId(), weight(arm.weight()))
                    .update();
        }
        return id;
    }

    private static BigDecimal weight(double w) {
        return BigDecimal.valueOf(w).setScale(2, java.math.RoundingMode.HALF_UP);
    }

    public Optional<AbTest> find(UUID testId) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM abtest.prompt_ab_tests WHERE test_id = ?")
                .param(testId)
                .query(this::map)
                .optional();
    }

    /** The tests of {@code testIds} that exist, by id: one query for a batch's tests. */
    public Map<UUID, AbTest> findAll(Collection<UUID> testIds) {
        Map<UUID, AbTest> found = new HashMap<>();
        if (testIds.isEmpty()) return found;
        jdbc.sql("SELECT " + COLUMNS + " FROM abtest.prompt_ab_tests WHERE test_id = ANY(?)")
                .param(testIds.toArray(UUID[]::new))
                .query(this::map)
                .list()
                .forEach(t -> found.put(t.testId(), t));
        return found;
    }

    /**
     * Locks the test row for a state change; waits for another transaction holding it. NO KEY UPDATE, not UPDATE:
     * every observation batch holds a KEY SHARE lock on the row (the ledger's foreign key) until it commits, and
     * FOR UPDATE would wait for — or, with SKIP LOCKED, skip the test during — a steady stream of batches.
     */
    public Optional<AbTest> lock(UUID testId) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM abtest.prompt_ab_tests WHERE test_id = ? FOR NO KEY UPDATE")
                .param(testId)
                .query(this::map)
                .optional();
    }

    /** Locks a live test unless another replica is analysing it right now (see {@link #lock} for the lock mode). */
    public Optional<AbTest> lockLiveSkipLocked(UUID testId) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM abtest.prompt_ab_tests WHERE test_id = ? AND " + LIVE
                        + " FOR NO KEY UPDATE SKIP LOCKED")
                .param(testId)
                .query(this::map)
                .optional();
    }

    /**
     * Live tests that counted observations since their last look: the analysis tick asks the database once instead
     * of loading every live test's statistics (with their latency digests) to find nothing new.
     */
    public List<UUID> liveTestsWithNewObservations() {
        return jdbc.sql("SELECT test_id FROM abtest.prompt_ab_tests t WHERE " + LIVE
                        + " AND analyzed_n <> coalesce((SELECT sum(n) FROM abtest.variant_statistics v"
                        + " WHERE v.test_id = t.test_id), 0)"
                        + " + coalesce((SELECT sum(n) FROM abtest.rollout_statistics r WHERE r.test_id = t.test_id), 0)"
                        + " ORDER BY created_at")
                .query(UUID.class)
                .list();
    }

    public Optional<AbTest> liveTest(String agentName, String predictorName) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM abtest.prompt_ab_tests WHERE agent_name = ?"
                        + " AND predictor_name IS NOT DISTINCT FROM ? AND " + LIVE)
                .params(agentName, predictorName)
                .query(this::map)
                .optional();
    }

    public boolean existsForRun(UUID runId) {
        return jdbc.sql("SELECT EXISTS (SELECT 1 FROM abtest.prompt_ab_tests WHERE source_run_id = ?)")
                .param(runId)
                .query(Boolean.class)
                .single();
    }

    public List<AbTest> list(String agentName, String status, int limit, int offset) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM abtest.prompt_ab_tests"
                        + " WHERE (CAST(? AS text) IS NULL OR agent_name = ?)"
                        + " AND (CAST(? AS text) IS NULL OR status::text = ?)"
                        + " ORDER BY created_at DESC, test_id LIMIT ? OFFSET ?")
                .params(agentName, agentName, status, status, limit, offset)
                .query(this::map)
                .list();
    }

    /**
     * Writes the two arms of a test row written without arm rows (by hand, by tools that insert tests directly),
     * from its baseline/treatment columns, so that its looks and winner can refer to them; nothing for a test that
     * has arms. Called with the test row locked.
     */
    public void ensureArms(UUID testId) {
        jdbc.sql("""
                        INSERT INTO abtest.ab_test_arms (test_id, arm_index, variant, instruction_id, weight)
                        SELECT t.test_id, a.arm_index, a.variant, a.instruction_id, a.weight
                        FROM abtest.prompt_ab_tests t
                        CROSS JOIN LATERAL (VALUES
                            (0, t.baseline_variant, t.baseline_instruction_id, 1 - t.traffic_split),
                            (1, t.treatment_variant, t.treatment_instruction_id, t.traffic_split))
                            AS a (arm_index, variant, instruction_id, weight)
                        WHERE t.test_id = ? AND NOT EXISTS (SELECT 1 FROM abtest.ab_test_arms x WHERE x.test_id = t.test_id)
                        ON CONFLICT DO NOTHING
                        """).param(testId).update();
    }

    public void markStarted(UUID testId, Instant at) {
        ensureArms(testId);
        jdbc.sql(
                        "UPDATE abtest.prompt_ab_tests SET status = 'running', started_at = ?, updated_at = ? WHERE test_id = ?")
                .params(ts(at), ts(at), testId)
                .update();
        jdbc.sql("""
                        INSERT INTO abtest.variant_statistics (test_id, variant)
                        SELECT test_id, variant FROM abtest.ab_test_arms WHERE test_id = ? ON CONFLICT DO NOTHING
                        """).param(testId).update();
    }

    public void conclude(UUID testId, TestStatus status, String winner, Double pValue, String reason, Instant at) {
        jdbc.sql("""
                        UPDATE abtest.prompt_ab_tests SET status = ?::abtest.ab_test_status,
                            winner = ?::abtest.ab_test_variant, p_value = ?, conclusion_reason = ?, concluded_at = ?,
                            updated_at = ?
                        WHERE test_id = ?
                        """)
                .params(
                        status.code(),
                        winner,
                        pValue == null
                                ? null
                                : BigDecimal.valueOf(Math.min(1, Math.max(0, pValue)))
                                        .setScale(4, java.math.RoundingMode.HALF_UP),
                        reason,
                        ts(at),
                        ts(at),
                        testId)
                .update();
    }

    public void updateRollout(
            UUID testId,
            TestStatus status,
            Integer step,
            Long stepBaseN,
            boolean rolledOut,
            boolean monitoringComplete,
            Instant at) {
        jdbc.sql("""
                        UPDATE abtest.prompt_ab_tests SET status = ?::abtest.ab_test_status, rollout_step = ?,
                            rollout_step_base_n = ?, rolled_out = ?, monitoring_complete = ?, updated_at = ?
                        WHERE test_id = ?
                        """)
                .params(status.code(), step, stepBaseN, rolledOut, monitoringComplete, ts(at), testId)
                .update();
    }

    public void markAnalyzed(UUID testId, long analyzedN, boolean srmAlerted) {
        jdbc.sql("UPDATE abtest.prompt_ab_tests SET analyzed_n = ?, srm_alerted = ? WHERE test_id = ?")
                .params(analyzedN, srmAlerted, testId)
                .update();
    }

    /** Statistics per variant label of one phase: {@code variant_statistics} or {@code rollout_statistics}. */
    public Map<String, VariantStats> statistics(UUID testId, Phase phase) {
        Map<String, VariantStats> result = new HashMap<>();
        jdbc.sql("SELECT variant::text, n, successes, score_n, score_sum, score_m2, latency_n, latency_sum,"
                        + " latency_m2, latency_digest, " + pairColumns("covariate") + ", " + pairColumns("ratio")
                        + " FROM abtest." + phase.table() + " WHERE test_id = ?")
                .param(testId)
                .query((rs, i) -> result.put(rs.getString(1), stats(rs)))
                .list();
        return result;
    }

    /** Both phases' statistics of a test, as one snapshot. */
    public record PhaseStatistics(Map<String, VariantStats> test, Map<String, VariantStats> rollout) {}

    /**
     * Statistics per variant label of both phases, in one statement: an observation batch may add to both tables in
     * one transaction, and two statements (at READ COMMITTED, two snapshots) could see half of it.
     */
    public PhaseStatistics statistics(UUID testId) {
        Map<String, VariantStats> test = new HashMap<>();
        Map<String, VariantStats> rollout = new HashMap<>();
        String columns = "variant::text AS variant, n, successes, score_n, score_sum, score_m2, latency_n, latency_sum,"
                + " latency_m2, latency_digest, " + pairColumns("covariate") + ", " + pairColumns("ratio");
        jdbc.sql("SELECT 'test' AS phase, " + columns + " FROM abtest." + Phase.TEST.table() + " WHERE test_id = ?"
                        + " UNION ALL SELECT 'rollout', " + columns + " FROM abtest." + Phase.ROLLOUT.table()
                        + " WHERE test_id = ?")
                .params(testId, testId)
                .query((rs, i) -> (rs.getString(1).equals("test") ? test : rollout).put(rs.getString(2), stats(rs)))
                .list();
        return new PhaseStatistics(test, rollout);
    }

    static VariantStats stats(ResultSet rs) throws SQLException {
        return new VariantStats(
                rs.getLong("n"),
                rs.getLong("successes"),
                moments(rs.getLong("score_n"), rs.getDouble("score_sum"), rs.getDouble("score_m2")),
                moments(rs.getLong("latency_n"), rs.getDouble("latency_sum"), rs.getDouble("latency_m2")),
                LatencyDigest.fromBytes(rs.getBytes("latency_digest")),
                coMoments(rs, "covariate"),
                coMoments(rs, "ratio"));
    }

    private static String pairColumns(String prefix) {
        return String.join(
                ", ",
                prefix + "_n",
                prefix + "_x_sum",
                prefix + "_y_sum",
                prefix + "_x_m2",
                prefix + "_y_m2",
                prefix + "_xy");
    }

    /** Stored (n, Σx, Σy, M2x, M2y, C) of {@code prefix} as domain co-moments. */
    static CoMoments coMoments(ResultSet rs, String prefix) throws SQLException {
        long n = rs.getLong(prefix + "_n");
        if (n == 0) return CoMoments.EMPTY;
        return new CoMoments(
                n,
                rs.getDouble(prefix + "_x_sum") / n,
                rs.getDouble(prefix + "_y_sum") / n,
                Math.max(0.0, rs.getDouble(prefix + "_x_m2")),
                Math.max(0.0, rs.getDouble(prefix + "_y_m2")),
                rs.getDouble(prefix + "_xy"));
    }

    /** Stored (n, Σx, M2) as domain moments; an empty row has Σx = M2 = 0. */
    static Moments moments(long n, double sum, double m2) {
        return n == 0 ? Moments.EMPTY : new Moments(n, sum / n, Math.max(0.0, m2));
    }

    /** Information fractions of the earlier looks of a fixed design, in order. */
    public double[] previousLookFractions(UUID testId) {
        return jdbc
                .sql(
                        "SELECT information_fraction FROM abtest.ab_interim_analyses WHERE test_id = ?"
                                + " AND information_fraction IS NOT NULL AND details->>'phase' = 'test' ORDER BY analysis_number")
                .param(testId)
                .query(Double.class)
                .list()
                .stream()
                .mapToDouble(Double::doubleValue)
                .toArray();
    }

    public enum Phase {
        /** Observations that occurred before the test concluded: the decision's data. */
        TEST("variant_statistics"),
        /** Observations after the conclusion: rollout steps and monitoring. */
        ROLLOUT("rollout_statistics");

        private final String table;

        Phase(String table) {
            this.table = table;
        }

        public String table() {
            return table;
        }
    }

    private AbTest map(ResultSet rs, int row) throws SQLException {
        Array steps = rs.getArray("rollout_steps");
        List<Double> rolloutSteps = steps == null
                ? List.of(1.0)
                : Arrays.stream((Double[]) steps.getArray()).toList();
        return new AbTest(
                rs.getObject("test_id", UUID.class),
                rs.getString("agent_name"),
                rs.getString("predictor_name"),
                rs.getObject("baseline_instruction_id", UUID.class),
                rs.getObject("treatment_instruction_id", UUID.class),
                rs.getString("baseline_variant"),
                rs.getString("treatment_variant"),
                rs.getString("salt"),
                design(rs),
                rs.getBoolean("auto_rollout"),
                TestStatus.fromCode(rs.getString("status")),
                rs.getBigDecimal("p_value") == null
                        ? null
                        : rs.getBigDecimal("p_value").doubleValue(),
                rs.getString("winner"),
                rs.getBoolean("rolled_out"),
                rs.getString("conclusion_reason"),
                rs.getObject("source_run_id", UUID.class),
                instant(rs.getTimestamp("created_at")),
                instant(rs.getTimestamp("started_at")),
                instant(rs.getTimestamp("concluded_at")),
                rolloutSteps,
                rs.getInt("rollout_step_observations"),
                (Integer) rs.getObject("rollout_step"),
                (Long) rs.getObject("rollout_step_base_n"),
                rs.getBoolean("monitoring_complete"),
                rs.getLong("analyzed_n"),
                rs.getBoolean("srm_alerted"),
                arms(rs));
    }

    /**
     * The test's arms; a test row written without arm rows (only by hand: the service always writes them) reads as
     * the two arms of its baseline/treatment columns.
     */
    private List<TestArm> arms(ResultSet rs) throws SQLException {
        String text = rs.getString("arms");
        if (text == null) {
            double split = rs.getBigDecimal("traffic_split").doubleValue();
            return List.of(
                    new TestArm(
                            0,
                            rs.getString("baseline_variant"),
                            rs.getObject("baseline_instruction_id", UUID.class),
                            1 - split),
                    new TestArm(
                            1,
                            rs.getString("treatment_variant"),
                            rs.getObject("treatment_instruction_id", UUID.class),
                            split));
        }
        List<TestArm> arms = new ArrayList<>();
        for (JsonNode a : json.readTree(text)) {
            arms.add(new TestArm(
                    a.get("index").asInt(),
                    a.get("variant").asString(),
                    UUID.fromString(a.get("instruction_id").asString()),
                    a.get("weight").asDouble()));
        }
        return arms;
    }

    /** The stored design columns as the typed design, with the service's SRM threshold. */
    private TestDesign design(ResultSet rs) throws SQLException {
        Number max = (Number) rs.getObject("max_sample_per_variant");
        return new TestDesign(
                Method.fromCode(rs.getString("method")),
                Metric.fromCode(rs.getString("primary_metric")),
                rs.getDouble("alpha"),
                rs.getDouble("sequential_tuning"),
                rs.getInt("min_sample_per_variant"),
                max == null ? null : max.longValue(),
                (Integer) rs.getObject("planned_looks"),
                rs.getBigDecimal("traffic_split").doubleValue(),
                guardrails(rs.getString("guardrails")),
                srmThreshold,
                EffectType.fromCode(rs.getString("effect_type")),
                Sidedness.fromCode(rs.getString("sidedness")),
                rs.getObject("prior_mean") == null
                        ? null
                        : new GaussianPrior(rs.getDouble("prior_mean"), rs.getDouble("prior_variance")),
                rs.getBoolean("cuped"));
    }

    String guardrailsJson(Guardrails g) {
        Map<String, Object> map = new HashMap<>();
        if (g.minSuccessRateRatio() != null) map.put("min_success_rate_ratio", g.minSuccessRateRatio());
        if (g.maxLatencyRatio() != null) map.put("max_latency_ratio", g.maxLatencyRatio());
        if (g.maxLatencyP95Ratio() != null) map.put("max_latency_p95_ratio", g.maxLatencyP95Ratio());
        return json.writeValueAsString(map);
    }

    Guardrails guardrails(String text) {
        JsonNode node = json.readTree(text == null ? "{}" : text);
        return new Guardrails(
                number(node, "min_success_rate_ratio"),
                number(node, "max_latency_ratio"),
                number(node, "max_latency_p95_ratio"));
    }

    private static Double number(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asDouble();
    }

    static String arrayLiteral(List<Double> values) {
        List<String> parts = new ArrayList<>();
        for (Double v : values) parts.add(Double.toString(v));
        return "{" + String.join(",", parts) + "}";
    }

    static Timestamp ts(Instant at) {
        return at == null ? null : Timestamp.from(at);
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
