package io.promptloop.ingest.ingestion.persistence;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.promptloop.ingest.ingestion.domain.EvaluationRecorded;
import io.promptloop.ingest.ingestion.domain.ImprovementNoted;
import io.promptloop.ingest.ingestion.domain.IngestEvent;
import io.promptloop.ingest.ingestion.domain.ObservationRecorded;
import io.promptloop.ingest.ingestion.domain.SessionPatch;
import io.promptloop.ingest.ingestion.domain.TurnRecorded;
import io.promptloop.ingest.ingestion.domain.TurnRef;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/**
 * Writes decoded events to the {@code conversation} schema with one set-based statement per table and
 * batch ({@code INSERT ... SELECT FROM unnest(arrays) ON CONFLICT DO NOTHING}). Every row's primary key
 * is its event id, so a redelivered or re-sent event is stored once; counters move only by the rows
 * that {@code RETURNING} reports as inserted. Must run inside the caller's transaction.
 */
@Repository
public class EventWriter {

    private static final Logger log = LoggerFactory.getLogger(EventWriter.class);

    private static final String FIND_TURNS = """
            SELECT t.session_id, t.turn_number, t.id
              FROM conversation.tuning_conversation_turns t
              JOIN unnest(?::uuid[], ?::int[]) AS r(session_id, turn_number)
                USING (session_id, turn_number)
            """;

    private static final String UPSERT_SESSIONS = """
            INSERT INTO conversation.prompt_tuning_sessions AS s
                   (id, agent_name, predictor_name, session_start, master_prompt_version, branch_name,
                    tester_id, tester_email, tester_name, metadata, started_explicitly, session_end, end_reason,
                    total_turns)
            SELECT p.id, p.agent_name, p.predictor_name, to_timestamp(p.start_ms / 1000.0), p.master_prompt_version,
                   p.branch_name, p.tester_id, p.tester_email, p.tester_name, p.metadata::jsonb, p.started_explicitly,
                   to_timestamp(p.end_ms / 1000.0), p.end_reason, p.turns
              FROM unnest(?::uuid[], ?::text[], ?::text[], ?::bigint[], ?::text[], ?::text[], ?::text[], ?::text[],
                          ?::text[], ?::text[], ?::boolean[], ?::bigint[], ?::text[], ?::int[])
                AS p(id, agent_name, predictor_name, start_ms, master_prompt_version, branch_name, tester_id,
                     tester_email, tester_name, metadata, started_explicitly, end_ms, end_reason, turns)
            ON CONFLICT (id) DO UPDATE SET
                   session_start = LEAST(s.session_start, EXCLUDED.session_start),
                   agent_name = CASE WHEN EXCLUDED.started_explicitly THEN EXCLUDED.agent_name ELSE s.agent_name END,
                   predictor_name = CASE WHEN EXCLUDED.started_explicitly THEN EXCLUDED.predictor_name
                                         ELSE s.predictor_name END,
                   master_prompt_version = COALESCE(EXCLUDED.master_prompt_version, s.master_prompt_version),
                   branch_name = COALESCE(EXCLUDED.branch_name, s.branch_name),
                   tester_id = COALESCE(EXCLUDED.tester_id, s.tester_id),
                   tester_email = COALESCE(EXCLUDED.tester_email, s.tester_email),
                   tester_name = COALESCE(EXCLUDED.tester_name, s.tester_name),
                   metadata = s.metadata || EXCLUDED.metadata,
                   started_explicitly = s.started_explicitly OR EXCLUDED.started_explicitly,
                   session_end = GREATEST(s.session_end, EXCLUDED.session_end),
                   end_reason = CASE WHEN EXCLUDED.session_end IS NOT NULL
                                      AND (s.session_end IS NULL OR EXCLUDED.session_end >= s.session_end)
                                     THEN EXCLUDED.end_reason ELSE s.end_reason END,
                   total_turns = s.total_turns + EXCLUDED.total_turns,
                   updated_at = now()
             WHERE EXCLUDED.started_explicitly
                OR EXCLUDED.session_end IS NOT NULL
                OR EXCLUDED.session_start < s.session_start
                OR EXCLUDED.total_turns > 0
            """;

    private static final String INSERT_TURNS = """
            INSERT INTO conversation.tuning_conversation_turns
                   (id, session_id, turn_number, user_message, agent_response, occurred_at, processing_time_ms,
                    search_results, avg_similarity, total_chunks, confidence_score, template_used, instruction_id,
                    metadata)
            SELECT t.id, t.session_id, t.turn_number, t.user_message, t.agent_response,
                   to_timestamp(t.occurred_ms / 1000.0), t.processing_time_ms, t.search_results::jsonb,
                   t.avg_similarity, t.total_chunks, t.confidence_score, t.template_used, t.instruction_id,
                   t.metadata::jsonb
              FROM unnest(?::uuid[], ?::uuid[], ?::int[], ?::text[], ?::text[], ?::bigint[], ?::int[], ?::text[],
                          ?::float8[], ?::int[], ?::float8[], ?::text[], ?::uuid[], ?::text[])
                AS t(id, session_id, turn_number, user_message, agent_response, occurred_ms, processing_time_ms,
                     search_results, avg_similarity, total_chunks, confidence_score, template_used, instruction_id,
                     metadata)
            ON CONFLICT DO NOTHING
            RETURNING session_id
            """;

    private static final String COPY_TURNS =
            "COPY conversation.tuning_conversation_turns (" + CopyBinary.TURN_COLUMNS + ") FROM STDIN (FORMAT binary)";

    private static final String INSERT_NOTES = """
            INSERT INTO conversation.tuning_improvements
                   (id, turn_id, session_id, improvement_note, category, occurred_at, metadata)
            SELECT n.id, n.turn_id, n.session_id, n.note, n.category, to_timestamp(n.occurred_ms / 1000.0),
                   n.metadata::jsonb
              FROM unnest(?::uuid[], ?::uuid[], ?::uuid[], ?::text[], ?::text[], ?::bigint[], ?::text[])
                AS n(id, turn_id, session_id, note, category, occurred_ms, metadata)
            ON CONFLICT (id) DO NOTHING
            RETURNING session_id
            """;

    private static final String ADD_TO_COUNTERS = """
            UPDATE conversation.prompt_tuning_sessions s
               SET total_turns = s.total_turns + d.turns,
                   total_improvements = s.total_improvements + d.improvements,
                   updated_at = now()
              FROM unnest(?::uuid[], ?::int[], ?::int[]) AS d(id, turns, improvements)
             WHERE s.id = d.id
            """;

    private static final String UPSERT_TEST_CASES = """
            INSERT INTO conversation.test_cases AS c
                   (agent_name, predictor_name, example_id, input, expected_behavior, category, first_seen_at,
                    last_seen_at)
            SELECT x.agent_name, x.predictor_name, x.example_id, x.input, x.expected_behavior, x.category,
                   to_timestamp(x.seen_ms / 1000.0), to_timestamp(x.seen_ms / 1000.0)
              FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::bigint[])
                AS x(agent_name, predictor_name, example_id, input, expected_behavior, category, seen_ms)
            ON CONFLICT ON CONSTRAINT test_cases_example_key DO UPDATE SET
                   last_seen_at = GREATEST(c.last_seen_at, EXCLUDED.last_seen_at),
                   expected_behavior = COALESCE(EXCLUDED.expected_behavior, c.expected_behavior),
                   category = COALESCE(EXCLUDED.category, c.category)
            RETURNING id, agent_name, predictor_name, example_id
            """;

    private static final String INSERT_EVALUATIONS = """
            INSERT INTO conversation.evaluations
                   (id, test_case_id, agent_name, predictor_name, example_id, input, model_response, functionality,
                    safety, consistency, edge_case_handling, faithfulness, answer_relevancy, context_precision,
                    context_recall, ragas_aggregate, causal_validity, actionability, rubric_aggregate, overall_score,
                    reasoning, feedback, evaluator, session_id, turn_number, run_id, candidate_id, request_id,
                    occurred_at)
            SELECT e.id, e.test_case_id, e.agent_name, e.predictor_name, e.example_id, e.input, e.output,
                   e.functionality, e.safety, e.consistency, e.edge_case_handling, e.faithfulness, e.answer_relevancy,
                   e.context_precision, e.context_recall, e.ragas_aggregate, e.causal_validity, e.actionability,
                   e.rubric_aggregate, e.overall_score, e.reasoning, e.feedback, e.evaluator, e.session_id,
                   e.turn_number, e.run_id, e.candidate_id, e.request_id, to_timestamp(e.occurred_ms / 1000.0)
              FROM unnest(?::uuid[], ?::uuid[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::float8[],
                          ?::float8[], ?::float8[], ?::float8[], ?::float8[], ?::float8[], ?::float8[], ?::float8[],
                          ?::float8[], ?::float8[], ?::float8[], ?::float8[], ?::float8[], ?::text[], ?::text[],
                          ?::text[], ?::uuid[], ?::int[], ?::uuid[], ?::uuid[], ?::uuid[], ?::bigint[])
                AS e(id, test_case_id, agent_name, predictor_name, example_id, input, output, functionality, safety,
                     consistency, edge_case_handling, faithfulness, answer_relevancy, context_precision,
                     context_recall, ragas_aggregate, causal_validity, actionability, rubric_aggregate, overall_score,
                     reasoning, feedback, evaluator, session_id, turn_number, run_id, candidate_id, request_id,
                     occurred_ms)
            ON CONFLICT (id) DO NOTHING
            RETURNING id
            """;

    private static final String INSERT_OBSERVATIONS = """
            INSERT INTO conversation.prompt_ab_test_observations
                   (id, test_id, agent_name, predictor_name, variant, unit_id, score, latency_ms, success,
                    instruction_id, occurred_at)
            SELECT o.id, o.test_id, o.agent_name, o.predictor_name, o.variant, o.unit_id, o.score, o.latency_ms,
                   o.success, o.instruction_id, to_timestamp(o.occurred_ms / 1000.0)
              FROM unnest(?::uuid[], ?::uuid[], ?::text[], ?::text[], ?::text[], ?::text[], ?::float8[], ?::bigint[],
                          ?::boolean[], ?::uuid[], ?::bigint[])
                AS o(id, test_id, agent_name, predictor_name, variant, unit_id, score, latency_ms, success,
                     instruction_id, occurred_ms)
            ON CONFLICT (id) DO NOTHING
            RETURNING id
            """;

    /** Metric of the batches whose COPY PostgreSQL refused (written by INSERT instead: work done twice). */
    public static final String COPY_REFUSED = "promptloop.ingest.copy.refused";

    private final JdbcTemplate jdbc;
    private final Counter copyRefused;

    public EventWriter(JdbcTemplate jdbc, MeterRegistry meters) {
        this.jdbc = jdbc;
        this.copyRefused = Counter.builder(COPY_REFUSED)
                .description("Batches whose turns' COPY PostgreSQL refused (a turn already stored, or anything else);"
                        + " each was then written by INSERT .. ON CONFLICT")
                .register(meters);
    }

    /**
     * This transaction commits without waiting for its WAL flush ({@code SET LOCAL synchronous_commit = off}):
     * visible at once, durable within the server's {@code wal_writer_delay}, lost if the server crashes before.
     */
    public void commitAsynchronously() {
        jdbc.execute("SET LOCAL synchronous_commit = off");
    }

    /** Ids of the referenced turns that are already stored. */
    public Map<TurnRef, UUID> findStoredTurns(Collection<TurnRef> refs) {
        if (refs.isEmpty()) return Map.of();
        return jdbc.execute((ConnectionCallback<Map<TurnRef, UUID>>) con -> {
            try (PreparedStatement ps = con.prepareStatement(FIND_TURNS)) {
                ps.setArray(1, array(con, "uuid", refs, TurnRef::sessionId));
                ps.setArray(2, array(con, "int4", refs, TurnRef::turnNumber));
                Map<TurnRef, UUID> found = new HashMap<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        found.put(new TurnRef(rs.getObject(1, UUID.class), rs.getInt(2)), rs.getObject(3, UUID.class));
                    }
                }
                return found;
            }
        });
    }

    /**
     * Stores the events (which must all pass validation and planning) and returns how many rows were new.
     *
     * <p>Turns take a fast path when they can: the turns the batch plan did not find stored are COPied straight
     * into the table, and each session's counter moves by its COPied turns in the same upsert that creates or
     * patches the session row (one statement for all sessions of the batch). COPY has no {@code ON CONFLICT},
     * so this runs under a savepoint: if PostgreSQL refuses anything (an event id already used by another
     * turn, a turn stored concurrently by another consumer after the plan read, a value the table refuses),
     * the savepoint is rolled back and the batch is written by the general path ({@code INSERT ... ON CONFLICT
     * DO NOTHING RETURNING}, counters by the rows returned), which stores it or raises the row's error.
     *
     * @param turnIdsOfNotes the turn each improvement note attaches to, by the note's event id
     * @param storedTurns the referenced turns the plan found stored (see {@link #findStoredTurns})
     */
    public WriteResult write(List<IngestEvent> events, Map<UUID, UUID> turnIdsOfNotes, Map<TurnRef, UUID> storedTurns) {
        return write(events, turnIdsOfNotes, storedTurns, true);
    }

    /**
     * Stores a batch that was planned without looking its own turns up, on the assumption that none of them is
     * stored yet (the common case: each turn arrives once). The turns are COPied as in {@link #write}; if
     * PostgreSQL refuses the COPY (a turn's event id or turn number is already stored, or anything else), nothing
     * has been written and the result is empty: the caller must look the turns up, plan again and call
     * {@link #write}. When the COPY is taken, no turn of the batch was stored, so the plan was the one a lookup
     * would have given.
     *
     * @param storedNoteTurns the turns the notes refer to that no earlier turn of the batch carries, as stored
     */
    public Optional<WriteResult> writeAssumingNewTurns(
            List<IngestEvent> events, Map<UUID, UUID> turnIdsOfNotes, Map<TurnRef, UUID> storedNoteTurns) {
        return Optional.ofNullable(write(events, turnIdsOfNotes, storedNoteTurns, false));
    }

    /** @return the result, or null when the COPY was refused and {@code insertWhenCopyRefused} is false */
    private WriteResult write(
            List<IngestEvent> events,
            Map<UUID, UUID> turnIdsOfNotes,
            Map<TurnRef, UUID> storedTurns,
            boolean insertWhenCopyRefused) {
        List<TurnRecorded> turns = new ArrayList<>();
        List<ImprovementNoted> notes = new ArrayList<>();
        List<EvaluationRecorded> evaluations = new ArrayList<>();
        List<ObservationRecorded> observations = new ArrayList<>();
        for (IngestEvent event : events) {
            switch (event) {
                case TurnRecorded t -> turns.add(t);
                case ImprovementNoted n -> notes.add(n);
                case EvaluationRecorded e -> evaluations.add(e);
                case ObservationRecorded o -> observations.add(o);
                default -> {} // session start/end only patch the session row
            }
        }
        return jdbc.execute((ConnectionCallback<WriteResult>) con -> {
            List<SessionPatch> patches = SessionPatch.of(events);
            Map<UUID, int[]> deltas = new LinkedHashMap<>();
            int newTurns;
            List<TurnRecorded> unseen = unseenTurns(turns, storedTurns);
            // the COPY is the batch's first write: when it is refused, nothing of the batch has been written
            Integer copied = unseen.isEmpty() ? null : copyTurns(con, patches, unseen);
            if (copied == null && !unseen.isEmpty() && !insertWhenCopyRefused) return null;
            if (copied != null) {
                newTurns = copied;
            } else {
                upsertSessions(con, patches, Map.of());
                newTurns = countBySession(insertTurns(con, turns), deltas, 0);
            }
            int newNotes = countBySession(insertNotes(con, notes, turnIdsOfNotes), deltas, 1);
            addToCounters(con, deltas);
            int newEvaluations = insertEvaluations(con, evaluations);
            int newObservations = insertObservations(con, observations);
            int stored = patchesStored(events) + newTurns + newNotes + newEvaluations + newObservations;
            return new WriteResult(stored, events.size() - stored);
        });
    }

    /** The turns not found stored by the plan, each event id once (a batch may carry a redelivered turn twice). */
    private static List<TurnRecorded> unseenTurns(List<TurnRecorded> turns, Map<TurnRef, UUID> storedTurns) {
        List<TurnRecorded> unseen = new ArrayList<>(turns.size());
        Set<UUID> ids = new HashSet<>();
        for (TurnRecorded t : turns) {
            if (t.eventId().equals(storedTurns.get(t.ref()))) continue;
            if (ids.add(t.eventId())) unseen.add(t);
        }
        return unseen;
    }

    /**
     * The fast path: under a savepoint, upserts the sessions with their new turn counts and COPies the turns.
     * Returns the number of turns stored, or null when PostgreSQL refused something and the savepoint was rolled
     * back (nothing of this call remains; the caller then takes the general path).
     */
    private Integer copyTurns(Connection con, List<SessionPatch> patches, List<TurnRecorded> unseen)
            throws SQLException {
        Map<UUID, Integer> turnsBySession = new HashMap<>();
        for (TurnRecorded t : unseen) turnsBySession.merge(t.sessionId(), 1, Integer::sum);
        Savepoint savepoint = con.setSavepoint();
        try {
            upsertSessions(con, patches, turnsBySession);
            long copied = CopyBinary.copyTurns(con.unwrap(PGConnection.class), COPY_TURNS, unseen);
            if (copied != unseen.size()) {
                throw new IllegalStateException("COPY stored " + copied + " of " + unseen.size() + " turns");
            }
        } catch (SQLException e) {
            con.rollback(savepoint);
            copyRefused.increment();
            log.debug(
                    "COPY of {} turns refused ({}); writing the batch with INSERT .. ON CONFLICT",
                    unseen.size(),
                    e.getMessage());
            return null;
        }
        con.releaseSavepoint(savepoint);
        return unseen.size();
    }

    /** Session start/end events are idempotent merges; they count as stored. */
    private static int patchesStored(List<IngestEvent> events) {
        int n = 0;
        for (IngestEvent e : events) {
            if (e instanceof io.promptloop.ingest.ingestion.domain.SessionStarted
                    || e instanceof io.promptloop.ingest.ingestion.domain.SessionEnded) n++;
        }
        return n;
    }

    /** One upsert for all sessions of the batch; each session's total_turns moves by its entry in newTurns. */
    private static void upsertSessions(Connection con, List<SessionPatch> patches, Map<UUID, Integer> newTurns)
            throws SQLException {
        if (patches.isEmpty()) return;
        try (PreparedStatement ps = con.prepareStatement(UPSERT_SESSIONS)) {
            int i = 1;
            ps.setArray(i++, array(con, "uuid", patches, SessionPatch::sessionId));
            ps.setArray(i++, array(con, "text", patches, p -> p.agent().agentName()));
            ps.setArray(i++, array(con, "text", patches, p -> p.agent().predictorName()));
            ps.setArray(i++, array(con, "int8", patches, p -> millis(p.earliestEvent())));
            ps.setArray(
                    i++,
                    array(
                            con,
                            "text",
                            patches,
                            p -> p.started() == null ? null : p.started().masterPromptVersion()));
            ps.setArray(
                    i++,
                    array(
                            con,
                            "text",
                            patches,
                            p -> p.started() == null ? null : p.started().branchName()));
            ps.setArray(
                    i++,
                    array(
                            con,
                            "text",
                            patches,
                            p -> p.started() == null ? null : p.started().testerId()));
            ps.setArray(
                    i++,
                    array(
                            con,
                            "text",
                            patches,
                            p -> p.started() == null ? null : p.started().testerEmail()));
            ps.setArray(
                    i++,
                    array(
                            con,
                            "text",
                            patches,
                            p -> p.started() == null ? null : p.started().testerName()));
            ps.setArray(
                    i++,
                    array(
                            con,
                            "text",
                            patches,
                            p -> Json.object(
                                    p.started() == null ? null : p.started().metadata())));
            ps.setArray(i++, array(con, "bool", patches, p -> p.started() != null));
            ps.setArray(i++, array(con, "int8", patches, p -> p.endedAt() == null ? null : millis(p.endedAt())));
            ps.setArray(i++, array(con, "text", patches, SessionPatch::endReason));
            ps.setArray(i, array(con, "int4", patches, p -> newTurns.getOrDefault(p.sessionId(), 0)));
            ps.executeUpdate();
        }
    }

    private static List<UUID> insertTurns(Connection con, List<TurnRecorded> turns) throws SQLException {
        if (turns.isEmpty()) return List.of();
        try (PreparedStatement ps = con.prepareStatement(INSERT_TURNS)) {
            int i = 1;
            ps.setArray(i++, array(con, "uuid", turns, TurnRecorded::eventId));
            ps.setArray(i++, array(con, "uuid", turns, TurnRecorded::sessionId));
            ps.setArray(i++, array(con, "int4", turns, TurnRecorded::turnNumber));
            ps.setArray(i++, array(con, "text", turns, TurnRecorded::userMessage));
            ps.setArray(i++, array(con, "text", turns, TurnRecorded::agentResponse));
            ps.setArray(i++, array(con, "int8", turns, t -> millis(t.occurredAt())));
            ps.setArray(i++, array(con, "int4", turns, TurnRecorded::processingTimeMs));
            ps.setArray(i++, array(con, "text", turns, t -> Json.searchResults(t.searchResults())));
            ps.setArray(i++, array(con, "float8", turns, TurnRecorded::avgSimilarity));
            ps.setArray(i++, array(con, "int4", turns, TurnRecorded::totalChunks));
            ps.setArray(i++, array(con, "float8", turns, TurnRecorded::confidenceScore));
            ps.setArray(i++, array(con, "text", turns, TurnRecorded::templateUsed));
            ps.setArray(i++, array(con, "uuid", turns, TurnRecorded::instructionId));
            ps.setArray(i, array(con, "text", turns, t -> Json.object(t.metadata())));
            return returnedUuids(ps);
        }
    }

    private static List<UUID> insertNotes(Connection con, List<ImprovementNoted> notes, Map<UUID, UUID> turnIds)
            throws SQLException {
        if (notes.isEmpty()) return List.of();
        try (PreparedStatement ps = con.prepareStatement(INSERT_NOTES)) {
            int i = 1;
            ps.setArray(i++, array(con, "uuid", notes, ImprovementNoted::eventId));
            ps.setArray(i++, array(con, "uuid", notes, n -> turnIds.get(n.eventId())));
            ps.setArray(i++, array(con, "uuid", notes, ImprovementNoted::sessionId));
            ps.setArray(i++, array(con, "text", notes, ImprovementNoted::note));
            ps.setArray(i++, array(con, "text", notes, ImprovementNoted::category));
            ps.setArray(i++, array(con, "int8", notes, n -> millis(n.occurredAt())));
            ps.setArray(i, array(con, "text", notes, n -> Json.object(n.metadata())));
            return returnedUuids(ps);
        }
    }

    private static int countBySession(List<UUID> sessionIds, Map<UUID, int[]> deltas, int slot) {
        for (UUID id : sessionIds) deltas.computeIfAbsent(id, k -> new int[2])[slot]++;
        return sessionIds.size();
    }

    private static void addToCounters(Connection con, Map<UUID, int[]> deltas) throws SQLException {
        if (deltas.isEmpty()) return;
        List<Map.Entry<UUID, int[]>> rows = List.copyOf(deltas.entrySet());
        try (PreparedStatement ps = con.prepareStatement(ADD_TO_COUNTERS)) {
            ps.setArray(1, array(con, "uuid", rows, Map.Entry::getKey));
            ps.setArray(2, array(con, "int4", rows, e -> e.getValue()[0]));
            ps.setArray(3, array(con, "int4", rows, e -> e.getValue()[1]));
            ps.executeUpdate();
        }
    }

    private static int insertEvaluations(Connection con, List<EvaluationRecorded> evaluations) throws SQLException {
        if (evaluations.isEmpty()) return 0;
        Map<TestCaseKey, EvaluationRecorded> latestPerCase = new LinkedHashMap<>();
        for (EvaluationRecorded e : evaluations) latestPerCase.put(TestCaseKey.of(e), e);
        List<EvaluationRecorded> cases = List.copyOf(latestPerCase.values());
        Map<TestCaseKey, UUID> caseIds = new HashMap<>();
        try (PreparedStatement ps = con.prepareStatement(UPSERT_TEST_CASES)) {
            int i = 1;
            ps.setArray(i++, array(con, "text", cases, e -> e.agent().agentName()));
            ps.setArray(i++, array(con, "text", cases, e -> e.agent().predictorName()));
            ps.setArray(i++, array(con, "text", cases, EvaluationRecorded::exampleId));
            ps.setArray(i++, array(con, "text", cases, EvaluationRecorded::input));
            ps.setArray(i++, array(con, "text", cases, EvaluationRecorded::expectedBehavior));
            ps.setArray(i++, array(con, "text", cases, EvaluationRecorded::category));
            ps.setArray(i, array(con, "int8", cases, e -> millis(e.occurredAt())));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    caseIds.put(
                            new TestCaseKey(rs.getString(2), rs.getString(3), rs.getString(4)),
                            rs.getObject(1, UUID.class));
                }
            }
        }
        try (PreparedStatement ps = con.prepareStatement(INSERT_EVALUATIONS)) {
            var l = evaluations;
            int i = 1;
            ps.setArray(i++, array(con, "uuid", l, EvaluationRecorded::eventId));
            ps.setArray(i++, array(con, "uuid", l, e -> caseIds.get(TestCaseKey.of(e))));
            ps.setArray(i++, array(con, "text", l, e -> e.agent().agentName()));
            ps.setArray(i++, array(con, "text", l, e -> e.agent().predictorName()));
            ps.setArray(i++, array(con, "text", l, EvaluationRecorded::exampleId));
            ps.setArray(i++, array(con, "text", l, EvaluationRecorded::input));
            ps.setArray(i++, array(con, "text", l, EvaluationRecorded::output));
            ps.setArray(i++, array(con, "float8", l, e -> e.scores().functionality()));
            ps.setArray(i++, array(con, "float8", l, e -> e.scores().safety()));
            ps.setArray(i++, array(con, "float8", l, e -> e.scores().consistency()));
            ps.setArray(i++, array(con, "float8", l, e -> e.scores().edgeCaseHandling()));
            ps.setArray(i++, array(con, "float8", l, e -> e.scores().faithfulness()));
            ps.setArray(i++, array(con, "float8", l, e -> e.scores().answerRelevancy()));
            ps.setArray(i++, array(con, "float8", l, e -> e.scores().contextPrecision()));
            ps.setArray(i++, array(con, "float8", l, e -> e.scores().contextRecall()));
            ps.setArray(i++, array(con, "float8", l, e -> e.scores().ragasAggregate()));
            ps.setArray(i++, array(con, "float8", l, e -> e.scores().causalValidity()));
            ps.setArray(i++, array(con, "float8", l, e -> e.scores().actionability()));
            ps.setArray(i++, array(con, "float8", l, e -> e.scores().rubricAggregate()));
            ps.setArray(i++, array(con, "float8", l, EvaluationRecorded::overallScore));
            ps.setArray(i++, array(con, "text", l, EvaluationRecorded::reasoning));
            ps.setArray(i++, array(con, "text", l, EvaluationRecorded::feedback));
            ps.setArray(i++, array(con, "text", l, EvaluationRecorded::evaluator));
            ps.setArray(i++, array(con, "uuid", l, EvaluationRecorded::sessionId));
            ps.setArray(i++, array(con, "int4", l, EvaluationRecorded::turnNumber));
            ps.setArray(i++, array(con, "uuid", l, EvaluationRecorded::runId));
            ps.setArray(i++, array(con, "uuid", l, EvaluationRecorded::candidateId));
            ps.setArray(i++, array(con, "uuid", l, EvaluationRecorded::requestId));
            ps.setArray(i, array(con, "int8", l, e -> millis(e.occurredAt())));
            return returnedUuids(ps).size();
        }
    }

    private static int insertObservations(Connection con, List<ObservationRecorded> observations) throws SQLException {
        if (observations.isEmpty()) return 0;
        try (PreparedStatement ps = con.prepareStatement(INSERT_OBSERVATIONS)) {
            var l = observations;
            int i = 1;
            ps.setArray(i++, array(con, "uuid", l, ObservationRecorded::eventId));
            ps.setArray(i++, array(con, "uuid", l, ObservationRecorded::testId));
            ps.setArray(i++, array(con, "text", l, o -> o.agent().agentName()));
            ps.setArray(i++, array(con, "text", l, o -> o.agent().predictorName()));
            ps.setArray(i++, array(con, "text", l, ObservationRecorded::variant));
            ps.setArray(i++, array(con, "text", l, ObservationRecorded::unitId));
            ps.setArray(i++, array(con, "float8", l, ObservationRecorded::score));
            ps.setArray(i++, array(con, "int8", l, ObservationRecorded::latencyMs));
            ps.setArray(i++, array(con, "bool", l, ObservationRecorded::success));
            ps.setArray(i++, array(con, "uuid", l, ObservationRecorded::instructionId));
            ps.setArray(i, array(con, "int8", l, o -> millis(o.occurredAt())));
            return returnedUuids(ps).size();
        }
    }

    private static List<UUID> returnedUuids(PreparedStatement ps) throws SQLException {
        List<UUID> ids = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) ids.add(rs.getObject(1, UUID.class));
        }
        return ids;
    }

    private static <T> Array array(Connection con, String type, Collection<T> rows, Function<T, ?> column)
            throws SQLException {
        Object[] values = new Object[rows.size()];
        int i = 0;
        for (T row : rows) values[i++] = column.apply(row);
        return con.createArrayOf(type, values);
    }

    private static Long millis(Instant instant) {
        return instant.toEpochMilli();
    }

    private record TestCaseKey(String agentName, String predictorName, String exampleId) {
        static TestCaseKey of(EvaluationRecorded e) {
            return new TestCaseKey(e.agent().agentName(), e.agent().predictorName(), e.exampleId());
        }
    }

    /**
     * @param stored events that changed the database (new rows, and session start/end merges)
     * @param duplicates events already stored before (redelivery or re-send)
     */
    public record WriteResult(int stored, int duplicates) {
        public static final WriteResult NONE = new WriteResult(0, 0);

        public WriteResult plus(WriteResult other) {
            return new WriteResult(stored + other.stored, duplicates + other.duplicates);
        }
    }
}
