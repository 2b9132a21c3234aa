package io.promptloop.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.promptloop.avro.session.SessionEvent;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;

/**
 * A batch is first planned as if its turns were new (no lookup); PostgreSQL's constraints check that. Its own
 * context, so that the service has met no stored turn before and takes that path for the batch under test.
 */
// closed after the class: a cached context would keep consuming as a second replica (CrashRedeliveryIT)
@DirtiesContext
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class TurnReplanIT extends IngestTestSupport {

    @Autowired
    MeterRegistry meters;

    @Test
    void shouldDeadLetterATurnNumberThatAStoredTurnHoldsAfterTheAssumptionFails() {
        String session = UUID.randomUUID().toString();
        SessionEvent first = turn(session, 1);
        sendSession(first);
        SessionIngestIT.awaitSession(session, 1, 0);
        assertThat(replans()).isZero();

        // a new event id for a turn number already taken: the COPY meets unique (session_id, turn_number), nothing
        // of the batch is written, and the batch is planned again with its turns looked up
        sendSession(turn(session, 1));
        sendSession(turn(session, 2));

        SessionIngestIT.awaitSession(session, 2, 0);
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(recordsWithKey("agent-sessions-dlt", session))
                        .singleElement()
                        .satisfies(dead -> {
                            assertThat(header(dead, "promptloop-dlt-reason")).isEqualTo("duplicate_turn_number");
                            assertThat(header(dead, "kafka_dlt-exception-message"))
                                    .contains("already held by event " + first.getEventId());
                        }));
        assertThat(sql().queryForObject(
                                "SELECT id::text FROM conversation.tuning_conversation_turns"
                                        + " WHERE session_id = ?::uuid AND turn_number = 1",
                                String.class,
                                session))
                .isEqualTo(first.getEventId().toString());
        assertThat(replans()).isEqualTo(1);
    }

    private double replans() {
        var counter = meters.find("promptloop.ingest.replans").counter();
        return counter == null ? 0 : counter.count();
    }
}
