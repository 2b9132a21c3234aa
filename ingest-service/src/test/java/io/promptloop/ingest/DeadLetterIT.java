package io.promptloop.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.promptloop.avro.evaluation.EvaluationRecorded;
import io.promptloop.avro.evaluation.EvaluationScores;
import io.promptloop.avro.evaluation.EvaluatorKind;
import io.promptloop.avro.observation.ObservationRecorded;
import io.promptloop.avro.session.SessionEvent;
import io.promptloop.avro.session.TurnRecorded;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;

/** Each kind of bad input lands in {@code <topic>-dlt} with its reason and origin, and the partition moves on. */
// closed after the class: a cached context would keep consuming as a second replica (CrashRedeliveryIT)
@DirtiesContext
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class DeadLetterIT extends IngestTestSupport {

    @Autowired
    MeterRegistry meters;

    @Test
    void shouldDeadLetterUndecodableBytesAndKeepThemVerbatim() {
        String session = UUID.randomUUID().toString();
        byte[] garbage = "this is not avro at all".getBytes();
        sendRaw("agent-sessions", session, garbage);
        sendSession(turn(session, 1)); // the partition moves on

        SessionIngestIT.awaitSession(session, 1, 0);
        ConsumerRecord<String, byte[]> dead = awaitDeadLetter("agent-sessions-dlt", session);
        assertThat(dead.value()).isEqualTo(garbage);
        assertThat(header(dead, "promptloop-dlt-reason")).isEqualTo("undecodable");
        assertOrigin(dead, "agent-sessions");
    }

    @Test
    void shouldDeadLetterARecordWhoseSchemaIdIsUnknown() {
        String session = UUID.randomUUID().toString();
        byte[] unknownId = ByteBuffer.allocate(9)
                .put((byte) 0)
                .putInt(987_654)
                .put(new byte[] {2, 4, 6, 8})
                .array();
        sendRaw("agent-sessions", session, unknownId);
        sendSession(turn(session, 1));

        SessionIngestIT.awaitSession(session, 1, 0);
        ConsumerRecord<String, byte[]> dead = awaitDeadLetter("agent-sessions-dlt", session);
        assertThat(header(dead, "promptloop-dlt-reason")).isEqualTo("unknown_schema");
        assertThat(dead.value()).isEqualTo(unknownId);
    }

    @Test
    void shouldDeadLetterTrailingBytesAndRecordsOfAnotherTypeOnEveryAgentTopic() {
        String session = UUID.randomUUID().toString();
        String example = "ex-" + UUID.randomUUID();
        String test = UUID.randomUUID().toString();
        // each row: topic, key, the bytes sent (a valid record of the topic with bytes after it, or a valid record
        // of another topic's type), and the reason its dead letter must carry
        record Case(String topic, String key, byte[] bytes, String reason, String message) {}
        byte[] turnBytes = wire("agent-sessions", turn(session, 1));
        byte[] evaluationBytes = wire("agent-evaluations", evaluation(example, 0.5));
        byte[] observationBytes = wire("ab-observations", observation(test, "baseline", 0.5, 10L));
        List<Case> cases = List.of(
                new Case("agent-sessions", session, concat(turnBytes, (byte) 0), "undecodable", "bytes after the end"),
                new Case("agent-sessions", session, evaluationBytes, "wrong_type", "the topic carries SessionEvent"),
                new Case(
                        "agent-evaluations",
                        example,
                        concat(evaluationBytes, (byte) 7, (byte) 7),
                        "undecodable",
                        "bytes after the end"),
                new Case("agent-evaluations", example, turnBytes, "wrong_type", "the topic carries EvaluationRecorded"),
                new Case(
                        "ab-observations",
                        test,
                        concat(observationBytes, "x".getBytes()),
                        "undecodable",
                        "bytes after"),
                new Case(
                        "ab-observations",
                        test,
                        evaluationBytes,
                        "wrong_type",
                        "the topic carries ObservationRecorded"));
        for (Case c : cases) sendRaw(c.topic(), c.key(), c.bytes());

        for (Case c : cases) {
            String dlt = c.topic() + "-dlt";
            await(c.topic() + " " + c.reason())
                    .atMost(Duration.ofSeconds(60))
                    .untilAsserted(() -> assertThat(recordsWithKey(dlt, c.key()))
                            .anySatisfy(r -> {
                                assertThat(r.value()).isEqualTo(c.bytes());
                                assertThat(header(r, "promptloop-dlt-reason")).isEqualTo(c.reason());
                                assertThat(header(r, "promptloop-dlt-service")).isEqualTo("ingest-service");
                                assertThat(header(r, "kafka_dlt-exception-message"))
                                        .contains(c.message());
                                assertOrigin(r, c.topic());
                            }));
        }
        assertThat(sql().queryForObject(
                                "SELECT count(*) FROM conversation.tuning_conversation_turns WHERE session_id = ?::uuid",
                                Long.class,
                                session))
                .as("nothing of a partial record is stored")
                .isZero();
    }

    @Test
    void shouldDeadLetterSessionEventsWithValuesOutOfRange() {
        String session = UUID.randomUUID().toString();
        // each row: a bad event and the reason its dead letter must carry
        record Case(SessionEvent event, String reason, String message) {}
        List<Case> cases = List.of(
                // negative turn number
                new Case(turn(session, -3), "invalid_value", "turn_number must be > 0"),
                // empty required text
                new Case(turn(session, 5, ""), "invalid_value", "user_message is required"),
                // oversized text (the test limit is 2,000 characters)
                new Case(turn(session, 6, "x".repeat(2_001)), "oversized", "user_message has 2001 characters"),
                // similarity out of range
                new Case(
                        withSimilarity(turn(session, 7), 1.7), "invalid_value", "avg_similarity must be within [0, 1]"),
                // a note for a turn that was never sent
                new Case(note(session, 42, "nothing to see"), "unknown_reference", "turn 42"),
                // a session id that is not a UUID
                new Case(envelopeWithSession("not-a-uuid"), "invalid_value", "session_id is not a UUID"));
        for (Case c : cases) sendSession(c.event());
        sendSession(turn(session, 1));

        SessionIngestIT.awaitSession(session, 1, 0);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            var dead = recordsWithKey("agent-sessions-dlt", session);
            dead.addAll(recordsWithKey("agent-sessions-dlt", "not-a-uuid"));
            assertThat(dead).hasSize(cases.size());
        });
        var dead = recordsWithKey("agent-sessions-dlt", session);
        dead.addAll(recordsWithKey("agent-sessions-dlt", "not-a-uuid"));
        for (Case c : cases) {
            assertThat(dead).as(c.message()).anySatisfy(r -> {
                assertThat(header(r, "promptloop-dlt-reason")).isEqualTo(c.reason());
                assertThat(header(r, "kafka_dlt-exception-message")).contains(c.message());
                assertOrigin(r, "agent-sessions");
            });
        }
        assertThat(meters.find("promptloop.dead.letters")
                        .tag("reason", "unknown_reference")
                        .counter())
                .isNotNull()
                .satisfies(counter -> assertThat(counter.count()).isGreaterThanOrEqualTo(1));
    }

    @Test
    void shouldDeadLetterEvaluationsWithScoresOutOfRange() {
        String exampleId = "ex-" + UUID.randomUUID();
        send("agent-evaluations", exampleId, evaluation(exampleId, 1.5));
        String goodExample = "ex-" + UUID.randomUUID();
        send("agent-evaluations", goodExample, evaluation(goodExample, 0.75));

        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> assertThat(sql().queryForObject(
                                        "SELECT count(*) FROM conversation.evaluations WHERE example_id = ?",
                                        Long.class,
                                        goodExample))
                        .isEqualTo(1));
        ConsumerRecord<String, byte[]> dead = awaitDeadLetter("agent-evaluations-dlt", exampleId);
        assertThat(header(dead, "promptloop-dlt-reason")).isEqualTo("invalid_value");
        assertThat(header(dead, "kafka_dlt-exception-message"))
                .contains("overall_score must be within [0, 1], was 1.5");
        assertOrigin(dead, "agent-evaluations");
        assertThat(sql().queryForObject(
                                "SELECT count(*) FROM conversation.test_cases WHERE example_id = ?",
                                Long.class,
                                goodExample))
                .isEqualTo(1);
    }

    @Test
    void shouldDeadLetterObservationsWithNaNScoresOrNegativeLatency() {
        String test = UUID.randomUUID().toString();
        send("ab-observations", test, observation(test, "baseline", Double.NaN, 100L));
        send("ab-observations", test, observation(test, "treatment", 0.4, -5L));
        send("ab-observations", test, observation(test, "variant-z", 0.4, 5L));
        send("ab-observations", test, observation(test, "treatment", 0.9, 120L));

        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> assertThat(sql().queryForObject(
                                        "SELECT count(*) FROM conversation.prompt_ab_test_observations WHERE test_id = ?::uuid",
                                        Long.class,
                                        test))
                        .isEqualTo(1));
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() ->
                        assertThat(recordsWithKey("ab-observations-dlt", test)).hasSize(3));
        assertThat(recordsWithKey("ab-observations-dlt", test))
                .extracting(r -> header(r, "kafka_dlt-exception-message"))
                .anySatisfy(m -> assertThat(m).contains("score must be within [0, 1], was NaN"))
                .anySatisfy(m -> assertThat(m).contains("latency_ms must be >= 0"))
                .anySatisfy(m -> assertThat(m).contains("variant must be one of"));
    }

    private static ConsumerRecord<String, byte[]> awaitDeadLetter(String topic, String key) {
        return await().atMost(Duration.ofSeconds(30))
                .until(() -> recordsWithKey(topic, key), list -> !list.isEmpty())
                .getFirst();
    }

    private static void assertOrigin(ConsumerRecord<String, byte[]> dead, String topic) {
        assertThat(header(dead, "kafka_dlt-original-topic")).isEqualTo(topic);
        assertThat(dead.headers().lastHeader("kafka_dlt-original-partition")).isNotNull();
        assertThat(dead.headers().lastHeader("kafka_dlt-original-offset")).isNotNull();
        assertThat(header(dead, "kafka_dlt-exception-fqcn")).isNotBlank();
    }

    private static SessionEvent withSimilarity(SessionEvent event, double similarity) {
        TurnRecorded t = (TurnRecorded) event.getPayload();
        t = TurnRecorded.newBuilder(t).setAvgSimilarity(similarity).build();
        return new SessionEvent(event.getEventId(), event.getOccurredAt(), event.getAgent(), event.getSessionId(), t);
    }

    private static SessionEvent envelopeWithSession(String sessionId) {
        SessionEvent e = turn(UUID.randomUUID().toString(), 1);
        return new SessionEvent(e.getEventId(), e.getOccurredAt(), e.getAgent(), sessionId, e.getPayload());
    }

    static EvaluationRecorded evaluation(String exampleId, double overall) {
        return EvaluationRecorded.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setOccurredAt(NOW)
                .setAgent(AGENT)
                .setExampleId(exampleId)
                .setInput("Can I fire someone for one no-show?")
                .setOutput("It depends on your attendance policy...")
                .setScores(EvaluationScores.newBuilder()
                        .setFunctionality(0.8)
                        .setSafety(1.0)
                        .setConsistency(0.7)
                        .setEdgeCaseHandling(0.5)
                        .build())
                .setOverallScore(overall)
                .setReasoning("covers the policy, misses the documentation step")
                .setFeedback("missing: ask for documentation of prior warnings")
                .setEvaluator(EvaluatorKind.LLM_JUDGE)
                .build();
    }

    static ObservationRecorded observation(String test, String variant, double score, long latency) {
        return ObservationRecorded.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setOccurredAt(NOW)
                .setAgent(AGENT)
                .setTestId(test)
                .setVariant(variant)
                .setUnitId("user-" + UUID.randomUUID())
                .setScore(score)
                .setLatencyMs(latency)
                .setSuccess(true)
                .build();
    }
}
