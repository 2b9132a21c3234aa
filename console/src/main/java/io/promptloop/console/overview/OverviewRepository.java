package io.promptloop.console.overview;

import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Isolation;
import org.springframework.transaction.annotation.Transactional;

/** The overview's reads: every statement is parameterised and reads one index range (see the changelog 011). */
@Repository
class OverviewRepository {

    public record ActiveInstruction(
            String agentName,
            String predictorName,
            UUID instructionId,
            int version,
            OffsetDateTime activatedAt,
            String optimizerType,
            BigDecimal valScore,
            UUID runId,
            UUID promotedByTestId,
            OffsetDateTime promotedAt,
            UUID liveTestId) {

        public String key() {
            return predictorName == null ? agentName : agentName + "/" + predictorName;
        }
    }

    public record LiveTest(
            UUID testId,
            String status,
            String method,
            String primaryMetric,
            BigDecimal trafficSplit,
            long baselineN,
            long treatmentN,
            int minSamplePerVariant,
            Integer lastAnalysisNumber,
            String lastDecision,
            Double relativeLift,
            Double ciLower,
            Double ciUpper,
            String lastSrmSeverity) {

        /** Progress to the minimum sample per arm, 0–100, by the smaller arm. */
        public int progressPercent() {
            long smaller = Math.min(baselineN, treatmentN);
            return (int) Math.min(100, smaller * 100 / Math.max(1, minSamplePerVariant));
        }
    }

    public record RecentRun(
            UUID runId,
            String status,
            String optimizerType,
            int metricCallsSpent,
            Integer maxMetricCalls,
            BigDecimal baselineScore,
            BigDecimal optimizedScore,
            BigDecimal improvementPercent,
            OffsetDateTime createdAt) {}

    private final JdbcClient jdbc;

    OverviewRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** One agent/predictor on the overview: its active instruction, the live test and the last runs. */
    public record AgentOverview(ActiveInstruction active, Optional<LiveTest> liveTest, List<RecentRun> runs) {}

    /**
     * A page of the overview (up to {@code limit} agents/predictors) in one read-only REPEATABLE READ transaction:
     * it takes a statement per agent/predictor, and at READ COMMITTED (a snapshot per statement) a test concluding
     * or a run finishing in between would show an active instruction beside a test or runs of another moment.
     */
    @Transactional(readOnly = true, isolation = Isolation.REPEATABLE_READ)
    public List<AgentOverview> agents(int limit, int offset, int recentRuns) {
        return activeInstructions(limit, offset).stream()
                .map(a -> new AgentOverview(
                        a,
                        Optional.ofNullable(a.liveTestId()).flatMap(this::liveTest),
                        recentRuns(a.agentName(), a.predictorName(), recentRuns)))
                .toList();
    }

    List<ActiveInstruction> activeInstructions(int limit, int offset) {
        return jdbc.sql("""
                        SELECT agent_name, predictor_name, instruction_id, version, activated_at,
                               optimizer_type::text AS optimizer_type, val_score, run_id,
                               promoted_by_test_id, promoted_at, live_test_id
                          FROM analytics.v_active_instructions
                         ORDER BY agent_name, predictor_name NULLS FIRST
                         LIMIT :limit OFFSET :offset
                        """)
                .param("limit", limit)
                .param("offset", offset)
                .query(ActiveInstruction.class)
                .list();
    }

    Optional<LiveTest> liveTest(UUID testId) {
        return jdbc.sql("""
                        SELECT r.test_id, r.status::text AS status, r.method, r.primary_metric, r.traffic_split,
                               r.baseline_n, r.treatment_n, t.min_sample_per_variant,
                               r.last_analysis_number, r.last_decision, r.relative_lift, r.ci_lower, r.ci_upper,
                               r.last_srm_severity
                          FROM analytics.v_ab_test_results r
                          JOIN abtest.prompt_ab_tests t ON t.test_id = r.test_id
                         WHERE r.test_id = :testId
                        """).param("testId", testId).query(LiveTest.class).optional();
    }

    List<RecentRun> recentRuns(String agentName, String predictorName, int limit) {
        return jdbc.sql("""
                        SELECT run_id, status::text AS status, optimizer_type::text AS optimizer_type,
                               metric_calls_spent, max_metric_calls, baseline_score, optimized_score,
                               improvement_percent, created_at
                          FROM optimizer.prompt_optimization_runs
                         WHERE agent_name = :agent
                           AND (predictor_name = :predictor OR (predictor_name IS NULL AND CAST(:predictor AS text) IS NULL))
                         ORDER BY created_at DESC
                         LIMIT :limit
                        """)
                .param("agent", agentName)
                .param("predictor", predictorName)
                .param("limit", limit)
                .query(RecentRun.class)
                .list();
    }
}
