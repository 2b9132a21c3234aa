package io.promptloop.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.promptloop.ingest.retention.RetentionJob;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;

// closed after the class: a cached context would keep consuming as a second replica (CrashRedeliveryIT)
@DirtiesContext
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.NONE,
        properties = {"promptloop.ingest.retention.max-age=400d", "promptloop.ingest.retention.mode=archive"})
class RetentionIT extends IngestTestSupport {

    @Autowired
    RetentionJob retention;

    @Test
    void shouldArchiveAndRemoveSessionsOlderThanTheRetentionAge() {
        String old = UUID.randomUUID().toString();
        String recent = UUID.randomUUID().toString();
        Instant twoYearsAgo = NOW.minus(Duration.ofDays(730));
        sendSession(envelope(old, twoYearsAgo, started(old, "old@fc.com").getPayload()));
        sendSession(envelope(old, twoYearsAgo.plusSeconds(5), turn(old, 1).getPayload()));
        sendSession(envelope(
                old, twoYearsAgo.plusSeconds(9), note(old, 1, "old note").getPayload()));
        sendSession(turn(recent, 1));
        SessionIngestIT.awaitSession(old, 1, 1);
        SessionIngestIT.awaitSession(recent, 1, 0);

        int removed = retention.run();

        assertThat(removed).isGreaterThanOrEqualTo(1);
        assertThat(count("conversation.prompt_tuning_sessions", "id", old)).isZero();
        assertThat(count("conversation.tuning_conversation_turns", "session_id", old))
                .isZero();
        assertThat(count("conversation.prompt_tuning_sessions_archive", "id", old))
                .isEqualTo(1);
        assertThat(count("conversation.tuning_conversation_turns_archive", "session_id", old))
                .isEqualTo(1);
        assertThat(count("conversation.tuning_improvements_archive", "session_id", old))
                .isEqualTo(1);
        assertThat(count("conversation.prompt_tuning_sessions", "id", recent)).isEqualTo(1);
    }

    private static long count(String table, String column, String id) {
        return sql().queryForObject(
                        "SELECT count(*) FROM " + table + " WHERE " + column + " = ?::uuid", Long.class, id);
    }
}
