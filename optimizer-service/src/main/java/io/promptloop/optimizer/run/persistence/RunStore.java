package io.promptloop.optimizer.run.persistence;

import io.promptloop.optimizer.run.domain.Candidate;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Isolation;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The persistent state of optimization runs (seed 004's run, candidates with parents, evaluations, stage results
 * and weakness analyses). Everything a run needs to resume after a crash is here.
 */
@Repository
public class RunStore {

    private static final TypeReference<Map<String, String>> TOOLS = new TypeReference<>() {};

    private final JdbcClient jdbc;
    private final JsonMapper json;

    public RunStore(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    public record RunRow(
            UUID runId,
            String agentName,
            String predictorName,
            String optimizerType,
            String budgetPreset,
            int maxMetricCalls,
            int metricCallsSpent,
            long seed,
            String status,
            int iteration,
            int minibatchSize,
            UUID baselineInstructionId,
            String configJson,
            String errorMessage,
            Instant startedAt,
            Instant createdAt,
            Instant completedAt,
            Double baselineScore,
            Double optimizedScore,
            Double improvementPercent,
            UUID resultInstructionId,
            boolean toolOptimization,
            String triggerReason,
            Integer evidenceExamples,
            Double evidenceMeanScore,
            long lastScoreSeq) {}

    public record CandidateRow(
            UUID id,
            int index,
            String text,
            String hash,
            List<UUID> parentIds,
            List<Integer> parentIndices,
            String origin,
            int iteration,
            Double validationScore,
            Boolean accepted,
            Map<String, String> tools) {

        public CandidateRow {
            tools = tools == null ? Map.of() : Map.copyOf(tools);
        }

        public Candidate toDomain() {
            return new Candidate(
                    index, text, parentIndices, Candidate.Origin.valueOf(origin.toUpperCase(java.util.Locale.ROOT)));
        }
    }

    public record ScoreRow(
            UUID candidateId, String exampleId, String split, double score, String feedback, String output) {}

    /** A score without its texts: what the engine's snapshot needs, with its position in the run. */
    public record ScoreValue(UUID candidateId, String exampleId, double score, long seq) {}

    public record ExampleRow(String exampleId, String input, String split) {}

    public record RequestRow(
            UUID requestId,
            UUID runId,
            UUID candidateId,
            List<String> exampleIds,
            String split,
            String status,
            int attempt,
            Instant deadline) {}

    private static final String RUN_COLUMNS = """
            run_id, agent_name, predictor_name, optimizer_type::text, budget_preset::text, max_metric_calls,
            metric_calls_spent, seed, status::text, iteration, minibatch_size, baseline_instruction_id, config_json::text,
            error_message, started_at, created_at, completed_at, baseline_score, optimized_score, improvement_percent,
            result_instruction_id, enable_tool_optimization, trigger_reason, evidence_examples, evidence_mean_score,
            last_score_seq
            """;

    public void insertRun(RunRow r) {
        jdbc.sql("""
                        INSERT INTO optimizer.prompt_optimization_runs
                               (run_id, agent_name, predictor_name, optimizer_type, budget_preset, max_metric_calls, seed,
                                status, minibatch_size, baseline_instruction_id, config_json, trigger_reason,
                                enable_tool_optimization, evidence_examples, evidence_mean_score)
                        VALUES (?, ?, ?, ?::optimizer.optimizer_type, ?::optimizer.gepa_budget_preset, ?, ?, 'pending', ?, ?,
                                ?::jsonb, ?, ?, ?, ?)
                        """)
                .params(
                        r.runId(),
                        r.agentName(),
                        r.predictorName(),
                        r.optimizerType(),
                        r.budgetPreset(),
                        r.maxMetricCalls(),
                        r.seed(),
                        r.minibatchSize(),
                        r.baselineInstructionId(),
                        r.configJson(),
                        r.triggerReason(),
                        r.toolOptimization(),
                        r.evidenceExamples(),
                        r.evidenceMeanScore())
                .update();
    }

    public Optional<RunRow> find(UUID runId) {
        return jdbc.sql("SELECT " + RUN_COLUMNS + " FROM optimizer.prompt_optimization_runs WHERE run_id = ?")
                .param(runId)
                .query(RunStore::run)
                .optional();
    }

    /** A run as its inspection shows it: the row, its candidates and every score, from one snapshot. */
    public record RunDetail(RunRow run, List<CandidateRow> candidates, List<ScoreRow> scores) {}

    /**
     * One run in full (GET /api/runs/{id}) in one read-only REPEATABLE READ transaction: a step commits candidates,
     * their validation and the budget spent while answers commit scores, and three statements at READ COMMITTED
     * (three snapshots) could show a run's status, budget and candidates beside scores of a later state.
     */
    @Transactional(readOnly = true, isolation = Isolation.REPEATABLE_READ)
    public Optional<RunDetail> detail(UUID runId) {
        return find(runId).map(run -> new RunDetail(run, candidates(runId), scores(runId)));
    }

    public List<RunRow> list(String agent, String status, int limit) {
        return jdbc.sql("SELECT " + RUN_COLUMNS + " FROM optimizer.prompt_optimization_runs"
                        + " WHERE (?::text IS NULL OR agent_name = ?) AND (?::text IS NULL OR status::text = ?)"
                        + " ORDER BY created_at DESC LIMIT ?")
                .params(agent, agent, status, status, limit)
                .query(RunStore::run)
                .list();
    }

    /**
     * Locks up to {@code limit} unfinished runs that no other replica holds (the caller's transaction keeps the locks).
     * FOR UPDATE on purpose (abtest-service uses NO KEY UPDATE): answers are inserted with a foreign key to the run, so
     * while a step holds the run no answer of that run can commit, and the step's statements all see the same answers
     * (READ COMMITTED would otherwise let an answer land between two of them, and the run would depend on timing).
     */
    public List<UUID> lockRunnable(int limit) {
        return jdbc.sql("""
                        SELECT run_id FROM optimizer.prompt_optimization_runs
                         WHERE status IN ('pending', 'running')
                         ORDER BY updated_at
                         LIMIT ? FOR UPDATE SKIP LOCKED
                        """).param(limit).query(UUID.class).list();
    }

    public boolean lock(UUID runId) {
        return jdbc.sql("SELECT run_id FROM optimizer.prompt_optimization_runs WHERE run_id = ? FOR UPDATE SKIP LOCKED")
                .param(runId)
                .query(UUID.class)
                .optional()
                .isPresent();
    }

    public void markRunning(UUID runId) {
        jdbc.sql(
                        "UPDATE optimizer.prompt_optimization_runs SET status = 'running', started_at = coalesce(started_at, now()),"
                                + " updated_at = now() WHERE run_id = ? AND status = 'pending'")
                .param(runId)
                .update();
    }

    public void touch(UUID runId) {
        jdbc.sql("UPDATE optimizer.prompt_optimization_runs SET updated_at = now() WHERE run_id = ?")
                .param(runId)
                .update();
    }

    public void advance(UUID runId, int iterationsStarted, int addMetricCalls) {
        jdbc.sql("UPDATE optimizer.prompt_optimization_runs SET iteration = greatest(iteration, ?),"
                        + " metric_calls_spent = metric_calls_spent + ?, updated_at = now() WHERE run_id = ?")
                .params(iterationsStarted, addMetricCalls, runId)
                .update();
    }

    public void complete(
            UUID runId,
            double baseline,
            double optimized,
            Double improvementPercent,
            UUID resultInstruction,
            String stopReason) {
        jdbc.sql("""
                        UPDATE optimizer.prompt_optimization_runs
                           SET status = 'completed', completed_at = greatest(now(), started_at), updated_at = now(),
                               baseline_score = ?,
                               optimized_score = ?, improvement_percent = ?, result_instruction_id = ?, phase = ?
                         WHERE run_id = ?
                        """)
                .params(baseline, optimized, improvementPercent, resultInstruction, stopReason, runId)
                .update();
    }

    /**
     * Ends an unfinished run and cancels its pending requests. {@code now()} is the transaction's start: a cancel
     * whose transaction began before the worker's start committed would otherwise end the run before it started
     * (the check constraint refuses it; seen in a clean-clone CI run), so the end is never before the start. The run row is written first: an answer locks it
     * (it takes the score's position there) before it closes its request, and the same order here keeps a cancel
     * and an answer from waiting for each other.
     */
    public int fail(UUID runId, String reason, String status) {
        int failed = jdbc.sql("""
                        UPDATE optimizer.prompt_optimization_runs
                           SET status = ?::optimizer.optimization_status, error_message = ?,
                               completed_at = greatest(now(), started_at), updated_at = now()
                         WHERE run_id = ? AND status IN ('pending', 'running')
                        """).params(status, reason, runId).update();
        jdbc.sql(
                        "UPDATE optimizer.evaluation_requests SET status = 'cancelled' WHERE run_id = ? AND status = 'pending'")
                .param(runId)
                .update();
        return failed;
    }

    // --- candidates ---------------------------------------------------------------------------------

    public UUID insertCandidate(
            UUID runId,
            int index,
            String text,
            String hash,
            List<UUID> parentIds,
            List<Integer> parentIndices,
            String origin,
            int iteration,
            List<String> minibatch,
            Map<String, String> tools) {
        UUID id = UUID.randomUUID();
        jdbc.sql("""
                        INSERT INTO optimizer.candidates
                               (candidate_id, run_id, candidate_index, instruction_text, instruction_hash, parent_candidate_ids,
                                parent_indices, origin, iteration, minibatch_example_ids, tool_descriptions)
                        VALUES (?, ?, ?, ?, ?, ?::uuid[], ?::int[], ?, ?, ?::text[], ?::jsonb)
                        """)
                .params(
                        id,
                        runId,
                        index,
                        text,
                        hash,
                        array(parentIds),
                        array(parentIndices),
                        origin,
                        iteration,
                        minibatch == null ? null : textArray(minibatch),
                        tools == null || tools.isEmpty() ? null : json.writeValueAsString(new TreeMap<>(tools)))
                .update();
        return id;
    }

    /** A run's candidates, in the columns and order {@link #candidateRow} reads. */
    private static final String SELECT_CANDIDATES = "SELECT candidate_id, candidate_index, instruction_text,"
            + " instruction_hash, parent_candidate_ids, parent_indices, origin, iteration, validation_score, accepted,"
            + " tool_descriptions::text FROM optimizer.candidates WHERE run_id = ?";

    public List<CandidateRow> candidates(UUID runId) {
        return candidatesFrom(runId, 0);
    }

    /**
     * The run's candidates from index {@code from} on, in index order: what a step has not read yet. Candidates are
     * added only under the run's row lock with the next index, so they commit in index order.
     */
    public List<CandidateRow> candidatesFrom(UUID runId, int from) {
        return jdbc.sql(SELECT_CANDIDATES + " AND candidate_index >= ? ORDER BY candidate_index")
                .params(runId, from)
                .query(this::candidateRow)
                .list();
    }

    /** One candidate of a run (a time-out re-sends its request). */
    public Optional<CandidateRow> candidate(UUID runId, UUID candidateId) {
        return jdbc.sql(SELECT_CANDIDATES + " AND candidate_id = ?")
                .params(runId, candidateId)
                .query(this::candidateRow)
                .optional();
    }

    private CandidateRow candidateRow(ResultSet rs, int n) throws SQLException {
        return new CandidateRow(
                rs.getObject(1, UUID.class),
                rs.getInt(2),
                rs.getString(3),
                rs.getString(4),
                uuids(rs.getArray(5)),
                ints(rs.getArray(6)),
                rs.getString(7),
                rs.getInt(8),
                rs.getObject(9) == null ? null : rs.getDouble(9),
                (Boolean) rs.getObject(10),
                rs.getString(11) == null ? Map.of() : json.readValue(rs.getString(11), TOOLS));
    }

    public void markCandidate(UUID candidateId, Double validationScore, boolean accepted) {
        jdbc.sql("UPDATE optimizer.candidates SET validation_score = ?, accepted = ? WHERE candidate_id = ?")
                .params(validationScore, accepted, candidateId)
                .update();
    }

    // --- scores -------------------------------------------------------------------------------------

    public List<ScoreRow> scores(UUID runId) {
        return jdbc.sql(
                        "SELECT candidate_id, example_id, split, score, feedback, output FROM optimizer.candidate_scores WHERE run_id = ?")
                .param(runId)
                .query(RunStore::scoreRow)
                .list();
    }

    /** The scores of one candidate, with feedback and output (for reflecting on it). */
    public List<ScoreRow> scoresOf(UUID candidateId) {
        return jdbc.sql(
                        "SELECT candidate_id, example_id, split, score, feedback, output FROM optimizer.candidate_scores WHERE candidate_id = ?")
                .param(candidateId)
                .query(RunStore::scoreRow)
                .list();
    }

    /**
     * Every score of the run without feedback and output (a replica's first read of a run): only the columns the
     * engine uses, not the texts, which are most of a score's bytes.
     */
    public List<ScoreValue> scoreValues(UUID runId) {
        return jdbc.sql(
                        "SELECT candidate_id, example_id, score, run_seq FROM optimizer.candidate_scores WHERE run_id = ?")
                .param(runId)
                .query(RunStore::scoreValue)
                .list();
    }

    /**
     * The run's scores after position {@code afterSeq} (see {@code last_score_seq}): what a step has not read yet.
     * Read under the run's row lock, they are every score the run has gained since that position.
     */
    public List<ScoreValue> scoreValuesAfter(UUID runId, long afterSeq) {
        return jdbc.sql("SELECT candidate_id, example_id, score, run_seq FROM optimizer.candidate_scores"
                        + " WHERE run_id = ? AND run_seq > ? ORDER BY run_seq")
                .params(runId, afterSeq)
                .query(RunStore::scoreValue)
                .list();
    }

    private static ScoreValue scoreValue(ResultSet rs, int n) throws SQLException {
        return new ScoreValue(rs.getObject(1, UUID.class), rs.getString(2), rs.getDouble(3), rs.getLong(4));
    }

    private static ScoreRow scoreRow(java.sql.ResultSet rs, int n) throws java.sql.SQLException {
        return new ScoreRow(
                rs.getObject(1, UUID.class),
                rs.getString(2),
                rs.getString(3),
                rs.getDouble(4),
                rs.getString(5),
                rs.getString(6));
    }

    /**
     * Stores an answer once; returns false for a duplicate. The score takes the run's next position (a duplicate
     * leaves the position unused), which locks the run row until the transaction ends.
     */
    public boolean insertScore(
            UUID runId,
            UUID candidateId,
            String exampleId,
            String split,
            double score,
            String feedback,
            String output,
            UUID evaluationId) {
        return jdbc.sql("""
                                WITH position AS (
                                    UPDATE optimizer.prompt_optimization_runs SET last_score_seq = last_score_seq + 1
                                     WHERE run_id = ? RETURNING last_score_seq)
                                INSERT INTO optimizer.candidate_scores (run_id, candidate_id, example_id, split, score, feedback, output, evaluation_id, run_seq)
                                SELECT ?, ?, ?, ?, ?, ?, ?, ?, last_score_seq FROM position
                                ON CONFLICT DO NOTHING
                                """)
                        .params(runId, runId, candidateId, exampleId, split, score, feedback, output, evaluationId)
                        .update()
                > 0;
    }

    /**
     * Reuses results already known for the same instruction text (same SHA-256) of the same agent/predictor, in this
     * or an earlier run; returns how many scores were copied (they cost no budget). The copies take the run's next
     * positions; the run row is not written when there is nothing to copy.
     */
    public int reuseKnownScores(
            UUID runId,
            UUID candidateId,
            String hash,
            String agent,
            String predictor,
            List<String> exampleIds,
            String split) {
        return jdbc.sql("""
                        WITH known AS (
                            SELECT DISTINCT ON (s.example_id) s.example_id, s.score, s.feedback, s.output, s.evaluation_id
                              FROM optimizer.candidate_scores s
                              JOIN optimizer.candidates c ON c.candidate_id = s.candidate_id
                              JOIN optimizer.prompt_optimization_runs r ON r.run_id = c.run_id
                             WHERE c.instruction_hash = ? AND r.agent_name = ? AND r.predictor_name IS NOT DISTINCT FROM ?
                               AND s.example_id = ANY(?::text[]) AND s.candidate_id <> ?
                               AND NOT EXISTS (SELECT 1 FROM optimizer.candidate_scores o
                                                WHERE o.candidate_id = ? AND o.example_id = s.example_id)
                             ORDER BY s.example_id, s.recorded_at),
                        numbered AS (SELECT known.*, row_number() OVER (ORDER BY example_id) AS n FROM known),
                        position AS (
                            UPDATE optimizer.prompt_optimization_runs
                               SET last_score_seq = last_score_seq + (SELECT count(*) FROM numbered)
                             WHERE run_id = ? AND EXISTS (SELECT 1 FROM numbered)
                            RETURNING last_score_seq - (SELECT count(*) FROM numbered) AS base)
                        INSERT INTO optimizer.candidate_scores (run_id, candidate_id, example_id, split, score, feedback, output, evaluation_id, run_seq)
                        SELECT ?, ?, k.example_id, ?, k.score, k.feedback, k.output, k.evaluation_id, p.base + k.n
                          FROM numbered k CROSS JOIN position p
                        ON CONFLICT DO NOTHING
                        """)
                .params(
                        hash,
                        agent,
                        predictor,
                        textArray(exampleIds),
                        candidateId,
                        candidateId,
                        runId,
                        runId,
                        candidateId,
                        split)
                .update();
    }

    // --- examples -----------------------------------------------------------------------------------

    public List<ExampleRow> examples(String agent, String predictor) {
        return jdbc.sql("SELECT example_id, input, split FROM optimizer.examples WHERE agent_name = ?"
                        + " AND predictor_name IS NOT DISTINCT FROM ? ORDER BY example_id")
                .params(agent, predictor)
                .query((rs, n) -> new ExampleRow(rs.getString(1), rs.getString(2), rs.getString(3)))
                .list();
    }

    /** Inputs of the given examples of an agent/predictor, by example id. */
    public Map<String, String> inputs(String agent, String predictor, List<String> exampleIds) {
        Map<String, String> inputs = new HashMap<>();
        jdbc.sql("SELECT example_id, input FROM optimizer.examples WHERE agent_name = ?"
                        + " AND predictor_name IS NOT DISTINCT FROM ? AND example_id = ANY(?::text[])")
                .params(agent, predictor, textArray(exampleIds))
                .query((rs, n) -> inputs.put(rs.getString(1), rs.getString(2)))
                .list();
        return inputs;
    }

    /** High-scoring production traces of the agent (for bootstrap few-shot): example id, input, output, score. */
    public List<String[]> traces(String agent, String predictor, List<String> exampleIds) {
        return jdbc.sql("SELECT example_id, input, last_output, last_score, last_feedback FROM optimizer.examples"
                        + " WHERE agent_name = ? AND predictor_name IS NOT DISTINCT FROM ? AND last_output IS NOT NULL"
                        + " AND last_score IS NOT NULL AND example_id = ANY(?::text[]) ORDER BY example_id")
                .params(agent, predictor, textArray(exampleIds))
                .query((rs, n) -> new String[] {
                    rs.getString(1), rs.getString(2), rs.getString(3), String.valueOf(rs.getDouble(4)), rs.getString(5)
                })
                .list();
    }

    // --- requests -----------------------------------------------------------------------------------

    public void insertRequest(
            UUID requestId, UUID runId, UUID candidateId, List<String> exampleIds, String split, Instant deadline) {
        jdbc.sql(
                        "INSERT INTO optimizer.evaluation_requests (request_id, run_id, candidate_id, example_ids, split, deadline)"
                                + " VALUES (?, ?, ?, ?::text[], ?, ?)")
                .params(requestId, runId, candidateId, textArray(exampleIds), split, java.sql.Timestamp.from(deadline))
                .update();
    }

    public List<RequestRow> pendingRequests(UUID runId) {
        return jdbc.sql(REQUEST_SELECT + " WHERE run_id = ? AND status = 'pending'")
                .param(runId)
                .query(RunStore::request)
                .list();
    }

    public Optional<RequestRow> request(UUID requestId) {
        return jdbc.sql(REQUEST_SELECT + " WHERE request_id = ?")
                .param(requestId)
                .query(RunStore::request)
                .optional();
    }

    public void retryRequest(UUID requestId, Instant deadline) {
        jdbc.sql(
                        "UPDATE optimizer.evaluation_requests SET attempt = attempt + 1, deadline = ?, requested_at = now() WHERE request_id = ?")
                .params(java.sql.Timestamp.from(deadline), requestId)
                .update();
    }

    /** Marks the request answered once every example it asked for has a score. */
    public void closeIfAnswered(UUID requestId) {
        jdbc.sql("""
                        UPDATE optimizer.evaluation_requests r SET status = 'answered', answered_at = now()
                         WHERE r.request_id = ? AND r.status = 'pending'
                           AND NOT EXISTS (SELECT 1 FROM unnest(r.example_ids) e(id)
                                            WHERE NOT EXISTS (SELECT 1 FROM optimizer.candidate_scores s
                                                               WHERE s.candidate_id = r.candidate_id AND s.example_id = e.id))
                        """).param(requestId).update();
    }

    // --- stage results and weakness analyses ----------------------------------------------------------

    public void stage(UUID runId, String stage, int iteration, String status, String detailsJson) {
        jdbc.sql("""
                        INSERT INTO optimizer.stage_results (run_id, stage_name, iteration, status, completed_at, details)
                        VALUES (?, ?, ?, ?, CASE WHEN ? IN ('completed', 'failed', 'skipped') THEN now() END, ?::jsonb)
                        ON CONFLICT (run_id, stage_name, iteration) DO UPDATE
                           SET status = EXCLUDED.status, completed_at = EXCLUDED.completed_at, details = EXCLUDED.details
                        """)
                .params(runId, stage, iteration, status, status, detailsJson)
                .update();
    }

    public int failedReflectionsInARow(UUID runId) {
        List<String> statuses = jdbc.sql(
                        "SELECT status FROM optimizer.stage_results WHERE run_id = ? AND stage_name = 'reflection'"
                                + " ORDER BY iteration DESC")
                .param(runId)
                .query(String.class)
                .list();
        int n = 0;
        for (String s : statuses) {
            if (!s.equals("failed")) break;
            n++;
        }
        return n;
    }

    public void weakness(
            UUID runId,
            UUID candidateId,
            int iteration,
            String weaknessesJson,
            String analysis,
            List<String> exampleIds,
            String reflector) {
        jdbc.sql("""
                        INSERT INTO optimizer.weakness_analyses (run_id, candidate_id, iteration, weaknesses, analysis_text, example_ids, reflector)
                        VALUES (?, ?, ?, ?::jsonb, ?, ?::text[], ?)
                        """)
                .params(runId, candidateId, iteration, weaknessesJson, analysis, textArray(exampleIds), reflector)
                .update();
    }

    // --- mapping ------------------------------------------------------------------------------------

    private static final String REQUEST_SELECT =
            "SELECT request_id, run_id, candidate_id, example_ids, split, status, attempt, deadline FROM optimizer.evaluation_requests";

    private static RequestRow request(ResultSet rs, int n) throws SQLException {
        return new RequestRow(
                rs.getObject(1, UUID.class),
                rs.getObject(2, UUID.class),
                rs.getObject(3, UUID.class),
                List.of((String[]) rs.getArray(4).getArray()),
                rs.getString(5),
                rs.getString(6),
                rs.getInt(7),
                rs.getTimestamp(8) == null ? null : rs.getTimestamp(8).toInstant());
    }

    private static RunRow run(ResultSet rs, int n) throws SQLException {
        return new RunRow(
                rs.getObject(1, UUID.class),
                rs.getString(2),
                rs.getString(3),
                rs.getString(4),
                rs.getString(5),
                rs.getInt(6),
                rs.getInt(7),
                rs.getLong(8),
                rs.getString(9),
                rs.getInt(10),
                rs.getInt(11),
                rs.getObject(12, UUID.class),
                rs.getString(13),
                rs.getString(14),
                instant(rs, 15),
                instant(rs, 16),
                instant(rs, 17),
                rs.getObject(18) == null ? null : rs.getDouble(18),
                rs.getObject(19) == null ? null : rs.getDouble(19),
                rs.getObject(20) == null ? null : rs.getDouble(20),
                rs.getObject(21, UUID.class),
                rs.getBoolean(22),
                rs.getString(23),
                rs.getObject(24) == null ? null : rs.getInt(24),
                rs.getObject(25) == null ? null : rs.getDouble(25),
                rs.getLong(26));
    }

    private static Instant instant(ResultSet rs, int i) throws SQLException {
        var ts = rs.getTimestamp(i);
        return ts == null ? null : ts.toInstant();
    }

    private static List<UUID> uuids(Array array) throws SQLException {
        return array == null ? List.of() : List.of((UUID[]) array.getArray());
    }

    private static List<Integer> ints(Array array) throws SQLException {
        return array == null ? List.of() : List.of((Integer[]) array.getArray());
    }

    static String array(List<?> values) {
        if (values == null) return "{}";
        List<String> parts = new ArrayList<>();
        for (Object v : values) parts.add(String.valueOf(v));
        return "{" + String.join(",", parts) + "}";
    }

    static String textArray(List<String> values) {
        List<String> quoted = new ArrayList<>();
        for (String v : values) quoted.add('"' + v.replace("\\", "\\\\").replace("\"", "\\\"") + '"');
        return "{" + String.join(",", quoted) + "}";
    }
}
