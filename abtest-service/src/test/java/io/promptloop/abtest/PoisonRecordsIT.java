package io.promptloop.abtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.promptloop.avro.common.AgentRef;
import io.promptloop.testkit.PoisonRecords;
import io.promptloop.testkit.PoisonRecords.LogVerdict;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;

/**
 * Records that are not one whole ObservationRecorded are dead-lettered with their own reason, and a burst of them
 * writes one log line each, without stack traces.
 */
@DirtiesContext
@ExtendWith(OutputCaptureExtension.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class PoisonRecordsIT extends AbtestTestSupport {

    static final int BURST = 1_000;

    @LocalServerPort
    int port;

    @Autowired
    MeterRegistry meters;

    private double deadLetters() {
        return meters.find("promptloop.dead.letters").tag("topic", "ab-observations").counters().stream()
                .mapToDouble(c -> c.count())
                .sum();
    }

    @Test
    void shouldDeadLetterTrailingBytesAndRecordsOfAnotherType() {
        String agent = "poison-" + UUID.randomUUID();
        UUID baseline = instruction(agent, "answer", 1, "Answer.", true);
        UUID treatment = instruction(agent, "answer", 2, "Answer better.", false);
        var test = createStarted(port, testBody(agent, baseline, treatment, "\"start\":true"));
        UUID testId = UUID.fromString(test.get("testId").asString());
        byte[] whole = wire("ab-observations", observation(testId, "baseline", "u1", new Draw(0.7, true, 100)));
        byte[] trailing = Arrays.copyOf(whole, whole.length + 3);
        // a valid record of another type, registered under a subject of its own
        byte[] otherType = wire("probe-wrong-type", new AgentRef("agent", "answer"));

        // each row: key, bytes, the reason and words its dead letter must carry
        record Case(String key, byte[] bytes, String reason, String says) {}
        List<Case> cases = List.of(
                new Case("trailing-" + testId, trailing, "undecodable", "bytes after the end"),
                new Case("type-" + testId, otherType, "wrong_type", "the topic carries ObservationRecorded"));
        for (Case c : cases) sendRaw("ab-observations", c.key(), c.bytes());

        for (Case c : cases) {
            await(c.reason()).atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                var dead = recordsWithKey("ab-observations-dlt", c.key());
                assertThat(dead).hasSize(1);
                var d = dead.getFirst();
                assertThat(d.value()).isEqualTo(c.bytes());
                assertThat(header(d, "promptloop-dlt-reason")).isEqualTo(c.reason());
                assertThat(header(d, "promptloop-dlt-service")).isEqualTo("abtest-service");
                assertThat(header(d, "kafka_dlt-exception-message")).contains(c.says());
            });
        }
        assertThat(sql().queryForObject(
                                "SELECT coalesce(sum(n), 0) FROM abtest.variant_statistics WHERE test_id = ?",
                                Long.class,
                                testId))
                .as("a record with trailing bytes is not counted")
                .isZero();
    }

    @Test
    void shouldWriteAtMostOneLogLinePerPoisonRecord(CapturedOutput output) {
        String key = "burst-" + UUID.randomUUID();
        sendRaw("ab-observations", key, "warm-up".getBytes()); // creates the dead-letter producer (it logs its config)
        await().atMost(Duration.ofSeconds(60))
                .until(() -> recordsWithKey("ab-observations-dlt", key).size() == 1);
        long before = output.getAll().lines().count();
        double counted = deadLetters();

        for (int i = 0; i < BURST; i++) {
            raw().send(new ProducerRecord<>("ab-observations", key, PoisonRecords.poison(i)));
        }
        raw().flush();
        // the service's own counter, not a consumer of the dead-letter topic: the test adds no lines of its own
        await().atMost(Duration.ofMinutes(3)).until(() -> deadLetters() - counted >= BURST);

        var log = LogVerdict.of(output.getAll().lines().skip(before).toList(), "dead-lettered ab-observations");
        System.out.println("poison burst of " + BURST + " records: " + log);
        assertThat(log.stackTraceLines()).isZero();
        assertThat(log.markedLines()).as("one WARN line per dead letter").isEqualTo(BURST);
        // the rest are the Kafka clients' own lifecycle lines (rebalances, config dumps), which do not grow with it
        assertThat(log.lines()).as("log lines during the burst").isLessThanOrEqualTo(BURST + BURST / 4);
        assertThat(recordsWithKey("ab-observations-dlt", key)).hasSize(BURST + 1);
    }
}
