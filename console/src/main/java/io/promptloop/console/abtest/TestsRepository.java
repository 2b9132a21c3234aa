package io.promptloop.console.abtest;

import io.promptloop.console.web.Listing;
import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Isolation;
import org.springframework.transaction.annotation.Transactional;

/** The A/B pages' reads: the analytics view for a test's figures, its looks, SRM checks and routing changes. */
@Repository
class TestsRepository {

    public record TestRow(
            UUID testId,
            String agentName,
            String predictorName,
            String status,
            String method,
            String primaryMetric,
            BigDecimal trafficSplit,
            UUID baselineInstructionId,
            UUID treatmentInstructionId,
            UUID sourceRunId,
            OffsetDateTime createdAt,
            OffsetDateTime startedAt,
            OffsetDateTime concludedAt,
            String winner,
            BigDecimal pValue,
            boolean rolledOut,
            long baselineN,
            long treatmentN,
            Double baselineMeanScore,
            Double treatmentMeanScore,
            Double baselineSuccessRate,
            Double treatmentSuccessRate,
            Double baselineLatencyP95Ms,
            Double treatmentLatencyP95Ms,
            Integer lastAnalysisNumber,
            String lastDecision,
            Double relativeLift,
            Double ciLower,
            Double ciUpper,
            String lastSrmSeverity,
            Double lastSrmPValue,
            String conclusionReason,
            Integer rolloutStep,
            boolean monitoringComplete,
            long rolloutBaselineN,
            long rolloutTreatmentN,
            Boolean lastGuardrailsOk) {

        public String agent() {
            return predictorName == null ? agentName : agentName + "/" + predictorName;
        }
    }

    /** The design the view leaves out. */
    public record Design(
            double alpha,
            int minSamplePerVariant,
            Integer maxSamplePerVariant,
            Integer plannedLooks,
            String guardrails) {}

    public record Look(
            int analysisNumber,
            String metric,
            long baselineN,
            long treatmentN,
            Double baselineMean,
            Double treatmentMean,
            Double relativeLift,
            Double ciLower,
            Double ciUpper,
            Double pValue,
            Double adjustedAlpha,
            Double informationFraction,
            Double chanceToWin,
            Boolean guardrailsOk,
            String decision,
            String details,
            OffsetDateTime analyzedAt) {}

    public record SrmCheck(
            String expectedRatio,
            String actualCounts,
            Double chiSquaredStatistic,
            Double pValue,
            String severity,
            OffsetDateTime checkedAt) {}

    /** One arm of a test with its figures and its comparison with the baseline at the last look. */
    public record Arm(
            int armIndex,
            String variant,
            UUID instructionId,
            BigDecimal weight,
            boolean isBaseline,
            boolean isWinner,
            long n,
            Double meanScore,
            Double successRate,
            Double latencyP95Ms,
            long rolloutN,
            String effectType,
            Double lastEffect,
            Double ciLower,
            Double ciUpper,
            Double pValue,
            Double adjustedPValue,
            Double holmAlpha,
            String lastState) {}

    public record RoutingChange(
            UUID activeInstructionId, BigDecimal trafficSplit, String reason, OffsetDateTime createdAt) {}

    private static final String TEST_COLUMNS = """
            test_id, agent_name, predictor_name, status::text AS status, method, primary_metric, traffic_split,
            baseline_instruction_id, treatment_instruction_id, source_run_id, created_at, started_at, concluded_at,
            winner::text AS winner, p_value, rolled_out, baseline_n, treatment_n, baseline_mean_score,
            treatment_mean_score, baseline_success_rate, treatment_success_rate, baseline_latency_p95_ms,
            treatment_latency_p95_ms, last_analysis_number, last_decision::text AS last_decision, relative_lift,
            ci_lower, ci_upper, last_srm_severity::text AS last_srm_severity, last_srm_p_value, conclusion_reason,
            rollout_step, monitoring_complete, rollout_baseline_n, rollout_treatment_n, last_guardrails_ok
            """;

    private final JdbcClient jdbc;

    TestsRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Newest first. The page's ids come from {@code prompt_ab_tests} alone ({@code idx_prompt_ab_tests_created}),
     * then the view is read for those ids only: paging the view itself with OFFSET evaluates its lateral joins for
     * every skipped row (413 ms at offset 2,500 of 10,000 tests, against 30 ms this way; README "Console").
     */
    List<TestRow> tests(String agent, String status, int limit, int offset) {
        return Listing.bind(jdbc.sql("SELECT " + TEST_COLUMNS + """
                          FROM analytics.v_ab_test_results
                         WHERE test_id = ANY (ARRAY(
                                   SELECT test_id FROM abtest.prompt_ab_tests
                                    WHERE (CAST(:agent AS text) IS NULL OR agent_name = :agent)
                                      AND (CAST(:status AS text) IS NULL OR status::text = :status)
                                    ORDER BY created_at DESC, test_id
                                    LIMIT :limit OFFSET :offset))
                         ORDER BY created_at DESC, test_id
                        """), agent, status, limit, offset)
                .query(TestRow.class)
                .list();
    }

    /** What a test's page shows, read in one snapshot. */
    public record TestPage(
            TestRow test,
            Design design,
            List<Arm> arms,
            List<Look> looks,
            List<SrmCheck> srmChecks,
            List<RoutingChange> routing) {}

    /**
     * A test's page in one read-only REPEATABLE READ transaction: observations, looks and state changes commit while
     * its six statements run, and at READ COMMITTED (a snapshot per statement) the test's counts, its arms, its looks
     * and its state could each come from a different moment.
     */
    @Transactional(readOnly = true, isolation = Isolation.REPEATABLE_READ)
    public Optional<TestPage> page(UUID testId, int srmChecks) {
        return test(testId)
                .map(test -> new TestPage(
                        test,
                        design(testId).orElseThrow(),
                        arms(testId),
                        looks(testId),
                        srmChecks(testId, srmChecks),
                        routing(testId)));
    }

    /**
     * Every arm, baseline first ({@code analytics.v_ab_test_arm_results}): a test with several treatments shows
     * each of them, each compared with the baseline at its Holm level.
     */
    List<Arm> arms(UUID testId) {
        return jdbc.sql("""
                        SELECT arm_index, variant::text AS variant, instruction_id, weight, is_baseline, is_winner, n,
                               mean_score, success_rate, latency_p95_ms, rollout_n, effect_type, last_effect,
                               ci_lower, ci_upper, p_value, adjusted_p_value, holm_alpha, last_state
                          FROM analytics.v_ab_test_arm_results
                         WHERE test_id = :id
                         ORDER BY arm_index
                        """).param("id", testId).query(Arm.class).list();
    }

    Optional<TestRow> test(UUID testId) {
        return jdbc.sql("SELECT " + TEST_COLUMNS + " FROM analytics.v_ab_test_results WHERE test_id = :id")
                .param("id", testId)
                .query(TestRow.class)
                .optional();
    }

    Optional<Design> design(UUID testId) {
        return jdbc.sql("""
                        SELECT alpha, min_sample_per_variant, max_sample_per_variant, planned_looks,
                               guardrails::text AS guardrails
                          FROM abtest.prompt_ab_tests WHERE test_id = :id
                        """).param("id", testId).query(Design.class).optional();
    }

    /** Every look in order, by the unique key (test_id, analysis_number). */
    List<Look> looks(UUID testId) {
        return jdbc.sql("""
                        SELECT analysis_number, metric, baseline_n, treatment_n, baseline_mean, treatment_mean,
                               relative_lift, ci_lower, ci_upper, p_value, adjusted_alpha, information_fraction,
                               chance_to_win, guardrails_ok, decision::text AS decision, details::text AS details,
                               analyzed_at
                          FROM abtest.ab_interim_analyses WHERE test_id = :id ORDER BY analysis_number
                        """).param("id", testId).query(Look.class).list();
    }

    List<SrmCheck> srmChecks(UUID testId, int limit) {
        return jdbc.sql("""
                        SELECT expected_ratio::text AS expected_ratio, actual_counts::text AS actual_counts,
                               chi_squared_statistic, p_value, severity::text AS severity, checked_at
                          FROM abtest.ab_srm_checks WHERE test_id = :id ORDER BY checked_at DESC LIMIT :limit
                        """)
                .param("id", testId)
                .param("limit", limit)
                .query(SrmCheck.class)
                .list();
    }

    /**
     * The routing changes of the test's agent/predictor from the test's creation until the next test's, oldest first:
     * abtest-service records the test id only while a test takes a share, so the end of a test (stopped, rolled back,
     * watch complete) is found by time ({@code idx_routing_changes_agent}).
     */
    List<RoutingChange> routing(UUID testId) {
        return jdbc.sql("""
                        SELECT r.active_instruction_id, r.traffic_split, r.reason, r.created_at
                          FROM abtest.prompt_ab_tests t
                          JOIN abtest.routing_changes r
                            ON r.agent_name = t.agent_name
                           AND r.predictor_name IS NOT DISTINCT FROM t.predictor_name
                           AND r.created_at >= t.created_at
                           AND r.created_at < coalesce(
                                   (SELECT min(n.created_at) FROM abtest.prompt_ab_tests n
                                     WHERE n.agent_name = t.agent_name
                                       AND n.predictor_name IS NOT DISTINCT FROM t.predictor_name
                                       AND n.created_at > t.created_at),
                                   'infinity')
                         WHERE t.test_id = :id
                         ORDER BY r.created_at
                         LIMIT 200
                        """).param("id", testId).query(RoutingChange.class).list();
    }

    /** Instructions of an agent, newest first, to offer in the create form. */
    List<InstructionChoice> instructions(String agent, int limit) {
        return jdbc.sql("""
                        SELECT instruction_id, agent_name, predictor_name, version, is_active
                          FROM optimizer.optimized_instructions
                         WHERE (CAST(:agent AS text) IS NULL OR agent_name = :agent)
                         ORDER BY agent_name, predictor_name NULLS FIRST, version DESC
                         LIMIT :limit
                        """)
                .param("agent", agent)
                .param("limit", limit)
                .query(InstructionChoice.class)
                .list();
    }

    public record InstructionChoice(
            UUID instructionId, String agentName, String predictorName, int version, boolean isActive) {
        public String label() {
            return (predictorName == null ? agentName : agentName + "/" + predictorName) + " v" + version
                    + (isActive ? " (active)" : "");
        }
    }
}
