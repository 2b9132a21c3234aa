package io.promptloop.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.promptloop.testkit.PoisonRecords;
import io.promptloop.testkit.PoisonRecords.LogVerdict;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
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

    /**
     * ingest dead-letters one record per poll (the error handler seeks after each, about 0.4 s a record on this
     * machine kind), so its burst is 200 records; abtest and the optimizer take bursts of 1,000.
     */
    static final int BURST = 200;

    @Autowired
    MeterRegistry meters;

    private double deadLetters() {
        return meters.find("promptloop.dead.letters").tag("topic", "agent-sessions").counters().stream()
                .mapToDouble(c -> c.count())
                .sum();
    }

    @Test
    void shouldWriteAtMostOneLogLinePerPoisonRecord(CapturedOutput output) {
        String session = UUID.randomUUID().toString();
        // warm up: the first dead letter creates the dead-letter producer, which logs its configuration once
        sendRaw("agent-sessions", session, "warm-up".getBytes());
        await().atMost(Duration.ofSeconds(60))
                .until(() -> recordsWithKey("agent-sessions-dlt", session).size() == 1);
        long before = output.getAll().lines().count();
        double counted = deadLetters();

        byte[] trailing = concat(wire("agent-sessions", turn(session, 1)), (byte) 1, (byte) 2);
        for (int i = 0; i < BURST; i++) {
            byte[] value = i % 3 == 2 ? trailing : PoisonRecords.poison(i);
            raw().send(new org.apache.kafka.clients.producer.ProducerRecord<>("agent-sessions", session, value));
        }
        raw().flush();
        // the service's own counter, not a consumer of the dead-letter topic: the test adds no lines of its own
        await().atMost(Duration.ofMinutes(4)).until(() -> deadLetters() - counted >= BURST);

        var log = LogVerdict.of(output.getAll().lines().skip(before).toList(), "dead-lettered agent-sessions");
        System.out.println("poison burst of " + BURST + " records: " + log);
        assertThat(log.stackTraceLines()).isZero();
        assertThat(log.markedLines()).as("one WARN line per dead letter").isEqualTo(BURST);
        // the rest are the Kafka clients' own lifecycle lines (rebalances, config dumps), which do not grow with it
        assertThat(log.lines()).as("log lines during the burst").isLessThanOrEqualTo(BURST + 150);

        sendSession(turn(session, 1)); // the partition moves on after the burst
        SessionIngestIT.awaitSession(session, 1, 0);
        assertThat(recordsWithKey("agent-sessions-dlt", session)).hasSize(BURST + 1);
    }
}
