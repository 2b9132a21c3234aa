package io.promptloop.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.promptloop.avro.session.SessionEvent;
import io.promptloop.ingest.ingestion.persistence.EventWriter;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;

// closed after the class: a cached context would keep consuming as a second replica (CrashRedeliveryIT)
@DirtiesContext
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class SessionIngestIT extends IngestTestSupport {

    @Autowired
    MeterRegistry meters;

    @Test
    void shouldStoreASessionWithItsTurnsNotesAndCounters() {
        String session = UUID.randomUUID().toString();
        sendSession(started(session, "meg@fc.com"));
        sendSession(turn(session, 1));
        sendSession(turn(session, 2));
        sendSession(note(session, 1, "Should ask clarifying questions first"));
        sendSession(note(session, 1, "Too formal, needs more empathy"));
        sendSession(turn(session, 3));
        sendSession(ended(session));
        sendSession(turn(session, 4)); // a late turn after the end is still stored

        awaitSession(session, 4, 2);
        Map<String, Object> row =
                sql().queryForMap("SELECT * FROM conversation.prompt_tuning_sessions WHERE id = ?::uuid", session);
        assertThat(row)
                .containsEntry("tester_email", "meg@fc.com")
                .containsEntry("tester_name", "Meg")
                .containsEntry("master_prompt_version", "fc26922")
                .containsEntry("started_explicitly", true)
                .containsEntry("end_reason", "tester closed the session");
        assertThat(row.get("session_end")).isNotNull();
        assertThat(sql().queryForObject(
                                "SELECT count(*) FROM conversation.tuning_improvements i JOIN conversation.tuning_conversation_turns t ON t.id = i.turn_id WHERE t.session_id = ?::uuid AND t.turn_number = 1",
                                Long.class,
                                session))
                .isEqualTo(2);
        assertThat(sql().queryForObject(
                                "SELECT search_results->'results'->0->>'document_title' FROM conversation.tuning_conversation_turns WHERE session_id = ?::uuid AND turn_number = 2",
                                String.class,
                                session))
                .isEqualTo("No Show Policy");
    }

    @Test
    void shouldOpenASessionImplicitlyWhenTheAgentSkipsSessionStarted() {
        String session = UUID.randomUUID().toString();
        sendSession(turn(session, 1));
        sendSession(turn(session, 2));

        awaitSession(session, 2, 0);
        Map<String, Object> row = sql().queryForMap(
                        "SELECT started_explicitly, session_end, agent_name, predictor_name FROM conversation.prompt_tuning_sessions WHERE id = ?::uuid",
                        session);
        assertThat(row)
                .containsEntry("started_explicitly", false)
                .containsEntry("agent_name", "era")
                .containsEntry("predictor_name", "answer");
        assertThat(row.get("session_end")).isNull();

        // SessionStarted arriving after the turns fills in the tester without touching the counters
        sendSession(started(session, "late@fc.com"));
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(sql().queryForObject(
                                        "SELECT tester_email FROM conversation.prompt_tuning_sessions WHERE id = ?::uuid",
                                        String.class,
                                        session))
                        .isEqualTo("late@fc.com"));
        awaitSession(session, 2, 0);
    }

    @Test
    void shouldStoreAnEventSentTwiceWithTheSameEventIdOnce() {
        String session = UUID.randomUUID().toString();
        SessionEvent turn = turn(session, 1);
        SessionEvent note = note(session, 1, "Cite the policy section");
        sendSession(turn);
        sendSession(turn); // producer retry: same event_id
        sendSession(note);
        sendSession(note);
        sendSession(turn(session, 2));

        awaitSession(session, 2, 1);
        assertThat(sql().queryForObject(
                                "SELECT count(*) FROM conversation.tuning_conversation_turns WHERE session_id = ?::uuid",
                                Long.class,
                                session))
                .isEqualTo(2);
        assertThat(sql().queryForObject(
                                "SELECT count(*) FROM conversation.tuning_improvements WHERE session_id = ?::uuid",
                                Long.class,
                                session))
                .isEqualTo(1);
        assertThat(recordsWithKey("agent-sessions-dlt", session)).isEmpty();
    }

    @Test
    void shouldStoreEveryColumnOfACopiedTurnAsTheAgentSentIt() {
        // turns are COPied in PostgreSQL's binary format: each column in its type's own encoding
        String session = UUID.randomUUID().toString();
        double refusedBefore = copyRefused();
        sendSession(turn(session, 1));

        awaitSession(session, 1, 0);
        assertThat(copyRefused())
                .as("COPYs refused (the INSERT path would store the turn too)")
                .isEqualTo(refusedBefore);
        Map<String, Object> row = sql().queryForMap(
                        "SELECT turn_number, user_message, agent_response, extract(epoch FROM occurred_at) * 1000 AS occurred_ms,"
                                + " processing_time_ms, search_results::text AS search_results, avg_similarity, total_chunks,"
                                + " confidence_score, template_used, instruction_id, metadata::text AS metadata"
                                + " FROM conversation.tuning_conversation_turns WHERE session_id = ?::uuid",
                        session);
        assertThat(row)
                .containsEntry("turn_number", 1)
                .containsEntry("user_message", "My employee didn't show up (1)")
                .containsEntry("agent_response", "Got it - that's definitely frustrating. Per the No Show Policy...")
                .containsEntry("processing_time_ms", 850)
                .containsEntry(
                        "search_results",
                        "{\"results\": [{\"chunk_id\": \"chunk-789\", \"chunk_text\": \"Employees who fail to show"
                                + " up...\", \"similarity\": 0.89, \"document_title\": \"No Show Policy\"}]}")
                .containsEntry("avg_similarity", 0.85)
                .containsEntry("total_chunks", 1)
                .containsEntry("confidence_score", 0.72)
                .containsEntry("template_used", null)
                .containsEntry("instruction_id", null)
                .containsEntry("metadata", "{}");
        // the envelope's occurred_at (NOW + 1 s, milliseconds), to the millisecond
        assertThat(((Number) row.get("occurred_ms")).longValue())
                .isEqualTo(NOW.plusSeconds(1).toEpochMilli());
    }

    @Test
    void shouldStoreTextWithTabsNewlinesAndBackslashesVerbatim() {
        // characters that are escapes in COPY's text format (which the service used before its binary format)
        String session = UUID.randomUUID().toString();
        String message = "col\tumn\nline two\r\nC:\\temp\\N \\. \"quoted\" \u00e9\u4e2d\ud83d\ude00";
        sendSession(turn(session, 1, message));
        sendSession(turn(session, 2, "\\N"));

        awaitSession(session, 2, 0);
        assertThat(sql().queryForList(
                                "SELECT user_message FROM conversation.tuning_conversation_turns WHERE session_id = ?::uuid"
                                        + " ORDER BY turn_number",
                                String.class,
                                session))
                .containsExactly(message, "\\N");
    }

    @Test
    void shouldCountATurnWhoseEventIdIsAlreadyStoredAsADuplicate() {
        // The same event id on another turn number: the COPY path meets the primary key, rolls back to its
        // savepoint, and the batch is written by INSERT .. ON CONFLICT DO NOTHING, as an event sent twice.
        String session = UUID.randomUUID().toString();
        SessionEvent first = turn(session, 1);
        sendSession(first);
        awaitSession(session, 1, 0);
        double refusedBefore = copyRefused();
        SessionEvent sameId = SessionEvent.newBuilder(turn(session, 2))
                .setEventId(first.getEventId())
                .build();
        sendSession(sameId);
        sendSession(turn(session, 3));

        awaitSession(session, 2, 0);
        assertThat(sql().queryForList(
                                "SELECT turn_number FROM conversation.tuning_conversation_turns WHERE session_id = ?::uuid"
                                        + " ORDER BY turn_number",
                                Integer.class,
                                session))
                .containsExactly(1, 3);
        assertThat(recordsWithKey("agent-sessions-dlt", session)).isEmpty();
        assertThat(copyRefused()).isGreaterThan(refusedBefore);
    }

    private double copyRefused() {
        return meters.get(EventWriter.COPY_REFUSED).counter().count();
    }

    static void awaitSession(String session, int turns, int improvements) {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            var counters = sql().queryForList(
                            "SELECT total_turns, total_improvements FROM conversation.prompt_tuning_sessions WHERE id = ?::uuid",
                            session);
            assertThat(counters).singleElement().satisfies(c -> {
                assertThat(c.get("total_turns")).isEqualTo(turns);
                assertThat(c.get("total_improvements")).isEqualTo(improvements);
            });
            // counters agree with the rows
            assertThat(sql().queryForObject(
                                    "SELECT count(*) FROM conversation.tuning_conversation_turns WHERE session_id = ?::uuid",
                                    Integer.class,
                                    session))
                    .isEqualTo(turns);
            assertThat(sql().queryForObject(
                                    "SELECT count(*) FROM conversation.tuning_improvements WHERE session_id = ?::uuid",
                                    Integer.class,
                                    session))
                    .isEqualTo(improvements);
        });
    }
}
