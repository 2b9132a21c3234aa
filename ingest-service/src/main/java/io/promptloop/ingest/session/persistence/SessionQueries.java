package io.promptloop.ingest.session.persistence;

import io.promptloop.ingest.session.domain.SessionFilter;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Isolation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Read side of the conversation schema: session listing, one session in full, and the CSV export rows. A read
 * that takes more than one statement runs in one read-only REPEATABLE READ transaction, so all its statements
 * see one snapshot: a session's counters always agree with the turns and notes listed beside them, although
 * ingest commits batches in between.
 */
@Repository
public class SessionQueries {

    private static final String SESSION_COLUMNS = """
            s.id, s.agent_name, s.predictor_name, s.session_start, s.session_end, s.master_prompt_version,
            s.branch_name, s.total_turns, s.total_improvements, s.tester_id, s.tester_email, s.tester_name,
            s.started_explicitly, s.end_reason
            """;

    private final JdbcClient jdbc;
    private final JdbcTemplate template;

    public SessionQueries(JdbcClient jdbc, JdbcTemplate template) {
        this.jdbc = jdbc;
        this.template = template;
    }

    @Transactional(readOnly = true, isolation = Isolation.REPEATABLE_READ)
    public Page<SessionRow> list(SessionFilter filter, int page, int size) {
        Where where = where(filter);
        long total = jdbc.sql("SELECT count(*) FROM conversation.prompt_tuning_sessions s" + where.sql)
                .params(where.params)
                .query(Long.class)
                .single();
        List<Object> params = new ArrayList<>(where.params);
        params.add(size);
        params.add((long) page * size);
        List<SessionRow> rows = jdbc.sql("SELECT " + SESSION_COLUMNS + " FROM conversation.prompt_tuning_sessions s"
                        + where.sql + " ORDER BY s.session_start DESC, s.id LIMIT ? OFFSET ?")
                .params(params)
                .query(SessionQueries::session)
                .list();
        return new Page<>(rows, page, size, total);
    }

    public boolean exists(UUID id) {
        return jdbc.sql("SELECT EXISTS (SELECT 1 FROM conversation.prompt_tuning_sessions WHERE id = ?)")
                .param(id)
                .query(Boolean.class)
                .single();
    }

    @Transactional(readOnly = true, isolation = Isolation.REPEATABLE_READ)
    public Optional<SessionDetail> find(UUID id) {
        Optional<SessionRow> session = jdbc.sql(
                        "SELECT " + SESSION_COLUMNS + " FROM conversation.prompt_tuning_sessions s WHERE s.id = ?")
                .param(id)
                .query(SessionQueries::session)
                .optional();
        if (session.isEmpty()) return Optional.empty();
        Map<UUID, List<NoteRow>> notes = new LinkedHashMap<>();
        jdbc.sql("""
                        SELECT id, turn_id, improvement_note, category, occurred_at
                          FROM conversation.tuning_improvements WHERE session_id = ? ORDER BY occurred_at, id
                        """)
                .param(id)
                .query((rs, n) -> new NoteRow(
                        rs.getObject(1, UUID.class),
                        rs.getObject(2, UUID.class),
                        rs.getString(3),
                        rs.getString(4),
                        instant(rs, 5)))
                .list()
                .forEach(note -> notes.computeIfAbsent(note.turnId(), k -> new ArrayList<>())
                        .add(note));
        List<TurnRow> turns = jdbc.sql("""
                        SELECT id, turn_number, user_message, agent_response, occurred_at, processing_time_ms,
                               avg_similarity, total_chunks, confidence_score, template_used, search_results::text
                          FROM conversation.tuning_conversation_turns WHERE session_id = ? ORDER BY turn_number
                        """)
                .param(id)
                .query((rs, n) -> {
                    UUID turnId = rs.getObject(1, UUID.class);
                    return new TurnRow(
                            turnId,
                            rs.getInt(2),
                            rs.getString(3),
                            rs.getString(4),
                            instant(rs, 5),
                            (Integer) rs.getObject(6),
                            (Double) rs.getObject(7),
                            (Integer) rs.getObject(8),
                            (Double) rs.getObject(9),
                            rs.getString(10),
                            rs.getString(11),
                            notes.getOrDefault(turnId, List.of()));
                })
                .list();
        return Optional.of(new SessionDetail(session.get(), turns));
    }

    /**
     * Streams the seed-003 export rows (one per turn and note; a turn without notes gives one row) of the
     * matching sessions, in session, turn and note order, without holding them in memory.
     */
    public void exportRows(SessionFilter filter, UUID sessionId, Consumer<ExportRow> sink) {
        Where where = sessionId == null ? where(filter) : new Where(" WHERE s.id = ?", List.of(sessionId));
        String sql =
                """
                SELECT s.id, s.tester_email, t.turn_number, t.user_message, t.agent_response, i.improvement_note,
                       i.category, i.occurred_at
                  FROM conversation.prompt_tuning_sessions s
                  JOIN conversation.tuning_conversation_turns t ON t.session_id = s.id
                  LEFT JOIN conversation.tuning_improvements i ON i.turn_id = t.id
                """ + where.sql + " ORDER BY s.session_start, s.id, t.turn_number, i.occurred_at NULLS FIRST, i.id";
        template.query(
                con -> {
                    var ps = con.prepareStatement(sql);
                    ps.setFetchSize(500); // a cursor: PostgreSQL streams only inside a transaction
                    for (int i = 0; i < where.params.size(); i++) ps.setObject(i + 1, where.params.get(i));
                    return ps;
                },
                rs -> {
                    sink.accept(new ExportRow(
                            rs.getObject(1, UUID.class),
                            rs.getString(2),
                            rs.getInt(3),
                            rs.getString(4),
                            rs.getString(5),
                            rs.getString(6),
                            rs.getString(7),
                            instant(rs, 8)));
                });
    }

    private static Where where(SessionFilter f) {
        List<String> clauses = new ArrayList<>();
        List<Object> params = new ArrayList<>();
        if (f.tester() != null) {
            clauses.add("(s.tester_id = ? OR s.tester_email = ?)");
            params.add(f.tester());
            params.add(f.tester());
        }
        if (f.agent() != null) {
            clauses.add("s.agent_name = ?");
            params.add(f.agent());
        }
        if (f.status() == SessionFilter.Status.ACTIVE) clauses.add("s.session_end IS NULL");
        if (f.status() == SessionFilter.Status.ENDED) clauses.add("s.session_end IS NOT NULL");
        if (f.from() != null) {
            clauses.add("s.session_start >= ?");
            params.add(Timestamp.from(f.from()));
        }
        if (f.to() != null) {
            clauses.add("s.session_start < ?");
            params.add(Timestamp.from(f.to()));
        }
        return new Where(clauses.isEmpty() ? "" : " WHERE " + String.join(" AND ", clauses), params);
    }

    private static SessionRow session(ResultSet rs, int n) throws SQLException {
        return new SessionRow(
                rs.getObject(1, UUID.class),
                rs.getString(2),
                rs.getString(3),
                instant(rs, 4),
                instant(rs, 5),
                rs.getString(6),
                rs.getString(7),
                rs.getInt(8),
                rs.getInt(9),
                rs.getString(10),
                rs.getString(11),
                rs.getString(12),
                rs.getBoolean(13),
                rs.getString(14));
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        Timestamp ts = rs.getTimestamp(column);
        return ts == null ? null : ts.toInstant();
    }

    private record Where(String sql, List<Object> params) {}

    public record Page<T>(List<T> items, int page, int size, long total) {}

    public record SessionRow(
            UUID id,
            String agentName,
            String predictorName,
            Instant sessionStart,
            Instant sessionEnd,
            String masterPromptVersion,
            String branchName,
            int totalTurns,
            int totalImprovements,
            String testerId,
            String testerEmail,
            String testerName,
            boolean startedExplicitly,
            String endReason) {}

    public record SessionDetail(SessionRow session, List<TurnRow> turns) {}

    public record TurnRow(
            UUID id,
            int turnNumber,
            String userMessage,
            String agentResponse,
            Instant occurredAt,
            Integer processingTimeMs,
            Double avgSimilarity,
            Integer totalChunks,
            Double confidenceScore,
            String templateUsed,
            String searchResultsJson,
            List<NoteRow> improvements) {}

    public record NoteRow(UUID id, UUID turnId, String note, String category, Instant occurredAt) {}

    public record ExportRow(
            UUID sessionId,
            String testerEmail,
            int turnNumber,
            String userMessage,
            String agentResponse,
            String improvementNote,
            String category,
            Instant noteTimestamp) {}
}
