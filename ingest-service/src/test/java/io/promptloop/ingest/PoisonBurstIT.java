package io.promptloop.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.annotation.DirtiesContext;

/**
 * A burst of poison records (garbage, unknown schema ids, trailing bytes) is dead-lettered with one log line per
 * record and no stack trace: a poison burst cannot flood the log.
 */
@DirtiesContext
@ExtendWith(OutputCaptureExtension.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class PoisonBurstIT extends IngestTestSupport {

    static final int BURST = 1_000;

    @Test
    void shouldWriteAtMostOneLogLinePerPoisonRecord(CapturedOutput output) {
        String session = UUID.randomUUID().toString();
        // warm up: the first dead letter creates the dead-letter producer, which logs its configuration once
        sendRaw("agent-sessions", session, "warm-up".getBytes());
        await().atMost(Duration.ofSeconds(60))
                .until(() -> recordsWithKey("agent-sessions-dlt", session).size() == 1);
        long before = output.getAll().lines().count();

        byte[] trailing = concat(wire("agent-sessions", turn(session, 1)), (byte) 1, (byte) 2);
        for (int i = 0; i < BURST; i++) {
            byte[] value = switch (i % 3) {
                case 0 -> ("garbage " + i).getBytes();
                case 1 ->
                    ByteBuffer.allocate(9)
                            .put((byte) 0)
                            .putInt(900_000 + i)
                            .putInt(i)
                            .array();
                default -> trailing;
            };
            raw().send(new org.apache.kafka.clients.producer.ProducerRecord<>("agent-sessions", session, value));
        }
        raw().flush();
        sendSession(turn(session, 1)); // the partition moves on after the burst
        SessionIngestIT.awaitSession(session, 1, 0);
        await().atMost(Duration.ofMinutes(3))
                .until(() -> recordsWithKey("agent-sessions-dlt", session).size() == BURST + 1);

        var lines = output.getAll().lines().skip(before).toList();
        long stackLines = lines.stream()
                .filter(l -> l.startsWith("\tat ") || l.startsWith("Caused by:"))
                .count();
        long deadLetterLines = lines.stream()
                .filter(l -> l.contains("dead-lettered agent-sessions"))
                .count();
        System.out.printf(
                "poison burst: %d records, %d log lines in all, %d dead-letter lines, %d stack-trace lines%n",
                BURST, lines.size(), deadLetterLines, stackLines);
        assertThat(stackLines).as("stack-trace lines").isZero();
        assertThat(deadLetterLines).as("one WARN line per dead letter").isEqualTo(BURST);
        assertThat(lines.size()).as("log lines during the burst").isLessThanOrEqualTo(BURST + 100);
    }
}
