package io.promptloop.console.run;

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

/** The runs pages' reads, all parameterised; each reads one run's rows by index on {@code run_id}. */
@Repository
class RunsRepository {

    public record RunRow(
            UUID runId,
            String agentName,
            String predictorName,
            String optimizerType,
            String budgetPreset,
            String status,
            String phase,
            int iteration,
            int metricCallsSpent,
            Integer maxMetricCalls,
            BigDecimal baselineScore,
            BigDecimal optimizedScore,
            BigDecimal improvementPercent,
            String triggerReason,
            String errorMessage,
            UUID baselineInstructionId,
            UUID resultInstructionId,
            OffsetDateTime createdAt,
            OffsetDateTime startedAt,
            OffsetDateTime completedAt) {

        public String agent() {
            return predictorName == null ? agentName : agentName + "/" + predictorName;
        }

        /** Budget spent in percent (0 when the run has no cap). */
        public int budgetPercent() {
            return maxMetricCalls == null || maxMetricCalls == 0
                    ? 0
                    : (int) Math.min(100, metricCallsSpent * 100L / maxMetricCalls);
        }

        public boolean cancellable() {
            return status.equals("pending") || status.equals("running");
        }
    }

    public record CandidateRow(
            UUID candidateId,
            int candidateIndex,
            String origin,
            int iteration,
            Integer[] parentIndices,
            Double minibatchScore,
            Double parentMinibatchScore,
            Double validationScore,
            Boolean accepted,
            String instructionText,
            OffsetDateTime createdAt) {}

    public record Score(int candidateIndex, String exampleId, double score) {}

    /** A candidate's validation finished after {@code metricCalls} scores had been recorded in the run. */
    public record Validated(int candidateIndex, double validationScore, long metricCalls) {}

    public record Stage(
            String stageName,
            int iteration,
            String status,
            OffsetDateTime startedAt,
            OffsetDateTime completedAt,
            String details) {}

    public record Reflection(
            int iteration,
            Integer candidateIndex,
            String reflector,
            String analysisText,
            String weaknesses,
            String[] exampleIds,
            OffsetDateTime createdAt) {}

    public record Feedback(int candidateIndex, String exampleId, double score, String feedback) {}

    private static final String RUN_COLUMNS = """
            run_id, agent_name, predictor_name, optimizer_type::text AS optimizer_type,
            budget_preset::text AS budget_preset, status::text AS status, phase, iteration, metric_calls_spent,
            max_metric_calls, baseline_score, optimized_score, improvement_percent, trigger_reason, error_message,
            baseline_instruction_id, result_instruction_id, created_at, started_at, completed_at
            """;

    private final JdbcClient jdbc;

    RunsRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** What a run's page shows from the database, read in one snapshot. */
    public record RunPage(
            RunRow run,
            List<CandidateRow> candidates,
            List<Score> validationScores,
            List<Validated> validationProgress,
            List<Stage> stages,
            List<Reflection> reflections,
            List<Feedback> trainingFeedback) {}

    /**
     * A run's page in one read-only REPEATABLE READ transaction: steps and answers commit while its seven statements
     * run, and at READ COMMITTED (a snapshot per statement) the run's status and budget, its candidates and their
     * scores could each come from a different moment.
     */
    @Transactional(readOnly = true, isolation = Isolation.REPEATABLE_READ)
    public Optional<RunPage> page(UUID runId) {
        return run(runId)
                .map(run -> new RunPage(
                        run,
                        candidates(runId),
                        validationScores(runId),
                        validationProgress(runId),
                        stages(runId),
                        reflections(runId),
                        trainingFeedback(runId)));
    }

    /** A run with its candidates (the candidate page), in one snapshot. */
    public record RunCandidates(RunRow run, List<CandidateRow> candidates) {}

    @Transactional(readOnly = true, isolation = Isolation.REPEATABLE_READ)
    public Optional<RunCandidates> withCandidates(UUID runId) {
        return run(runId).map(run -> new RunCandidates(run, candidates(runId)));
    }

    /** Newest first; with an agent by {@code idx_optimization_runs_agent}, else by {@code idx_optimization_runs_created}. */
    List<RunRow> runs(String agent, String status, int limit, int offset) {
        return Listing.bind(jdbc.sql("SELECT " + RUN_COLUMNS + """
                          FROM optimizer.prompt_optimization_runs
                         WHERE (CAST(:agent AS text) IS NULL OR agent_name = :agent)
                           AND (CAST(:status AS text) IS NULL OR status::text = :status)
                         ORDER BY created_at DESC, run_id
                         LIMIT :limit OFFSET :offset
                        """), agent, status, limit, offset)
                .query(RunRow.class)
                .list();
    }

    Optional<RunRow> run(UUID runId) {
        return jdbc.sql("SELECT " + RUN_COLUMNS + " FROM optimizer.prompt_optimization_runs WHERE run_id = :id")
                .param("id", runId)
                .query(RunRow.class)
                .optional();
    }

    List<CandidateRow> candidates(UUID runId) {
        return jdbc.sql("""
                        SELECT candidate_id, candidate_index, origin, iteration, parent_indices, minibatch_score,
                               parent_minibatch_score, validation_score, accepted, instruction_text, created_at
                          FROM optimizer.candidates WHERE run_id = :id ORDER BY candidate_index
                        """)
                .param("id", runId)
                .query((rs, n) -> new CandidateRow(
                        rs.getObject(1, UUID.class),
                        rs.getInt(2),
                        rs.getString(3),
                        rs.getInt(4),
                        (Integer[]) rs.getArray(5).getArray(),
                        (Double) rs.getObject(6),
                        (Double) rs.getObject(7),
                        (Double) rs.getObject(8),
                        (Boolean) rs.getObject(9),
                        rs.getString(10),
                        rs.getObject(11, OffsetDateTime.class)))
                .list();
    }

    /** Validation-split scores, per candidate and example. */
    List<Score> validationScores(UUID runId) {
        return jdbc.sql("""
                        SELECT c.candidate_index, s.example_id, s.score
                          FROM optimizer.candidate_scores s
                          JOIN optimizer.candidates c ON c.candidate_id = s.candidate_id
                         WHERE s.run_id = :id AND s.split = 'validation'
                         ORDER BY c.candidate_index, s.example_id
                        """).param("id", runId).query(Score.class).list();
    }

    /**
     * When each candidate's validation completed, counted in metric calls: the number of scores the run had recorded
     * by the time its last validation score came in (a score is one metric call).
     */
    List<Validated> validationProgress(UUID runId) {
        return jdbc.sql("""
                        WITH calls AS (
                            SELECT recorded_at, count(*) OVER (ORDER BY recorded_at) AS n
                              FROM optimizer.candidate_scores WHERE run_id = :id),
                        done AS (
                            SELECT candidate_id, max(recorded_at) AS at
                              FROM optimizer.candidate_scores
                             WHERE run_id = :id AND split = 'validation'
                             GROUP BY candidate_id)
                        SELECT c.candidate_index, c.validation_score,
                               (SELECT max(n) FROM calls WHERE calls.recorded_at <= d.at) AS metric_calls
                          FROM done d JOIN optimizer.candidates c ON c.candidate_id = d.candidate_id
                         WHERE c.validation_score IS NOT NULL
                         ORDER BY metric_calls, c.candidate_index
                        """).param("id", runId).query(Validated.class).list();
    }

    List<Stage> stages(UUID runId) {
        return jdbc.sql("""
                        SELECT stage_name, iteration, status, started_at, completed_at, details::text AS details
                          FROM optimizer.stage_results WHERE run_id = :id ORDER BY iteration, started_at
                        """).param("id", runId).query(Stage.class).list();
    }

    List<Reflection> reflections(UUID runId) {
        return jdbc.sql("""
                        SELECT w.iteration, c.candidate_index, w.reflector, w.analysis_text,
                               w.weaknesses::text AS weaknesses, w.example_ids, w.created_at
                          FROM optimizer.weakness_analyses w
                          LEFT JOIN optimizer.candidates c ON c.candidate_id = w.candidate_id
                         WHERE w.run_id = :id ORDER BY w.iteration, w.created_at
                        """)
                .param("id", runId)
                .query((rs, n) -> new Reflection(
                        rs.getInt(1),
                        (Integer) rs.getObject(2),
                        rs.getString(3),
                        rs.getString(4),
                        rs.getString(5),
                        rs.getArray(6) == null
                                ? new String[0]
                                : (String[]) rs.getArray(6).getArray(),
                        rs.getObject(7, OffsetDateTime.class)))
                .list();
    }

    /** The evaluator's feedback on the training examples each reflection read (scores of its parent candidate). */
    List<Feedback> trainingFeedback(UUID runId) {
        return jdbc.sql("""
                        SELECT c.candidate_index, s.example_id, s.score, s.feedback
                          FROM optimizer.candidate_scores s
                          JOIN optimizer.candidates c ON c.candidate_id = s.candidate_id
                         WHERE s.run_id = :id AND s.split = 'train' AND s.feedback IS NOT NULL
                         ORDER BY c.candidate_index, s.example_id
                        """).param("id", runId).query(Feedback.class).list();
    }
}
