package io.promptloop.abtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.promptloop.avro.observation.ObservationRecorded;
import io.promptloop.avro.optimizer.OptimizerEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;

/**
 * What comes in: observations counted once however often they arrive, bad ones dead-lettered with their
 * reason, and completed runs turned into tests.
 */
@DirtiesContext
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ObservationIntakeIT extends AbtestTestSupport {

    @LocalServerPort
    int port;

    @org.springframework.beans.factory.annotation.Autowired
    io.micrometer.core.instrument.MeterRegistry meters;

    @Test
    void shouldCountEveryObservationOnceAcrossProducerResends() {
        String agent = "dup-" + UUID.randomUUID();
        var test = startedOpenTest(port, agent);
        UUID testId = UUID.fromString(test.get("testId").asString());
        var same = new Arm(0.7, 0.1, 0.9, 200);
        List<ObservationRecorded> batch = traffic(testId, test.get("salt").asString(), 0.5, "u", 400, same, same, 3);

        publish(batch);
        publish(batch); // the agent's producer re-sent everything (same event ids)
        publish(batch.subList(100, 200)); // and part of it once more

        awaitRead(testId.toString(), Duration.ofSeconds(30)); // every copy read, the re-sends counted nothing
        assertThat(sql().queryForObject(
                                "SELECT sum(n) FROM abtest.variant_statistics WHERE test_id = ?", Long.class, testId))
                .isEqualTo(400);
        // the event ids counted are kept (the de-duplication window), 16 bytes each in the batch's row
        var first = batch.getFirst();
        assertThat(sql().queryForObject(
                                "SELECT count(*) FROM abtest.observation_event_ids WHERE topic = 'ab-observations' AND"
                                        + " partition = ? AND position(decode(replace(?, '-', ''), 'hex') IN event_ids) > 0",
                                Long.class,
                                endOf(testId.toString()).partition(),
                                first.getEventId()))
                .isEqualTo(1);
        long treated =
                batch.stream().filter(o -> o.getVariant().equals("treatment")).count();
        double scoreSum = batch.stream()
                .filter(o -> o.getVariant().equals("treatment"))
                .mapToDouble(ObservationRecorded::getScore)
                .sum();
        var row = sql().queryForMap(
                        "SELECT n, score_n, score_sum, successes, latency_n FROM abtest.variant_statistics WHERE test_id = ?"
                                + " AND variant = 'treatment'",
                        testId);
        assertThat(((Number) row.get("n")).longValue()).isEqualTo(treated);
        assertThat(((Number) row.get("score_n")).longValue()).isEqualTo(treated);
        assertThat(((Number) row.get("score_sum")).doubleValue())
                .isCloseTo(scoreSum, org.assertj.core.api.Assertions.within(1e-6));
        assertThat(((Number) row.get("successes")).longValue())
                .isEqualTo(batch.stream()
                        .filter(o -> o.getVariant().equals("treatment") && o.getSuccess())
                        .count());
    }

    @Test
    void shouldDeadLetterEveryObservationItCannotCountWithItsReason() {
        String agent = "bad-" + UUID.randomUUID();
        UUID baseline = instruction(agent, "answer", 1, "Answer.", true);
        UUID treatment = instruction(agent, "answer", 2, "Answer better.", false);
        var test = createStarted(port, testBody(agent, baseline, treatment, "\"start\":true"));
        UUID testId = UUID.fromString(test.get("testId").asString());
        UUID draft = UUID.fromString(json(call(
                        port,
                        "POST",
                        "/api/tests",
                        testBody(agent, baseline, instruction(agent, "answer", 3, "Draft.", false), ""),
                        "operator"))
                .get("testId")
                .asString());
        var ok = new Draw(0.7, true, 100);

        // table: the observation → the reason it must be dead-lettered with
        record Bad(ObservationRecorded observation, String reason, String says) {}
        List<Bad> bad = List.of(
                new Bad(observation(UUID.randomUUID(), "baseline", "u1", ok), "unknown_test", "no test"),
                new Bad(observation(testId, "gepa", "u2", ok), "unknown_variant", "not gepa"),
                new Bad(observation(draft, "baseline", "u3", ok), "test_not_started", "never started"),
                new Bad(
                        observation(testId, "baseline", "u4", new Draw(Double.NaN, true, 100)),
                        "invalid_value",
                        "score"),
                new Bad(observation(testId, "baseline", "u5", new Draw(1.5, true, 100)), "invalid_value", "score"),
                new Bad(observation(testId, "baseline", "u6", new Draw(0.5, true, -3)), "invalid_value", "latency_ms"),
                new Bad(observation(testId, "treatment", "", ok), "invalid_value", "unit_id"));
        // keys are the observations' test ids; each bad one gets a key of its own so we can find it
        for (Bad b : bad) {
            send("ab-observations", "bad-" + b.observation().getEventId(), b.observation());
        }
        sendRaw("ab-observations", "garbage-" + testId, "not avro".getBytes());
        var good = observation(testId, "baseline", "u-good", ok);
        publish(List.of(good)); // the partition moves on

        await().atMost(Duration.ofSeconds(30)).until(() -> counted(testId) == 1);
        for (Bad b : bad) {
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                List<ConsumerRecord<String, byte[]>> dead = recordsWithKey(
                        "ab-observations-dlt", "bad-" + b.observation().getEventId());
                assertThat(dead).as(b.reason()).hasSize(1);
                var d = dead.getFirst();
                assertThat(header(d, "promptloop-dlt-reason")).isEqualTo(b.reason());
                assertThat(header(d, "promptloop-dlt-service")).isEqualTo("abtest-service");
                assertThat(header(d, "kafka_dlt-exception-message")).contains(b.says());
                assertThat(header(d, "kafka_dlt-original-topic")).isEqualTo("ab-observations");
                assertThat(d.headers().lastHeader("kafka_dlt-original-offset")).isNotNull();
                assertThat(d.value()[0]).as("Confluent magic byte kept").isEqualTo((byte) 0);
            });
        }
        var garbage = recordsWithKey("ab-observations-dlt", "garbage-" + testId);
        assertThat(garbage).hasSize(1);
        assertThat(header(garbage.getFirst(), "promptloop-dlt-reason")).isEqualTo("undecodable");
        assertThat(new String(garbage.getFirst().value())).isEqualTo("not avro");
        assertThat(sql().queryForObject(
                                "SELECT sum(n) FROM abtest.variant_statistics WHERE test_id = ?", Long.class, testId))
                .isEqualTo(1);
    }

    @Test
    void shouldStartATestForARunThatImprovedEnoughOncePerRun() {
        String agent = "auto-" + UUID.randomUUID();
        UUID baseline = instruction(agent, "answer", 1, "Answer.", true);
        UUID optimized = instruction(agent, "answer", 2, "Answer with the policy section.", false);
        UUID weak = instruction(agent, "answer", 3, "Answer with feeling.", false);
        UUID run = UUID.randomUUID();
        UUID weakRun = UUID.randomUUID();
        double skippedBefore = meters.counter("promptloop.abtest.runs.skipped", "reason", "below_threshold")
                .count();

        UUID oldRun = UUID.randomUUID();
        double staleBefore = meters.counter("promptloop.abtest.runs.skipped", "reason", "stale")
                .count();
        var old = OptimizerEvent.newBuilder(completed(agent, oldRun, baseline, weak, 40.0))
                .setOccurredAt(Instant.now().minus(java.time.Duration.ofDays(3))) // replayed from long ago
                .build();
        send("optimizer-events", oldRun.toString(), old);
        send("optimizer-events", weakRun.toString(), completed(agent, weakRun, baseline, weak, 1.0));
        send("optimizer-events", run.toString(), completed(agent, run, baseline, optimized, 25.0));
        send("optimizer-events", run.toString(), completed(agent, run, baseline, optimized, 25.0)); // redelivered

        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(sql().queryForList(
                                        "SELECT status::text FROM abtest.prompt_ab_tests WHERE source_run_id = ?",
                                        String.class,
                                        run))
                        .containsExactly("running"));
        var test = sql().queryForMap(
                        "SELECT baseline_instruction_id, treatment_instruction_id FROM abtest.prompt_ab_tests WHERE source_run_id = ?",
                        run);
        assertThat(test.get("baseline_instruction_id")).isEqualTo(baseline);
        assertThat(test.get("treatment_instruction_id")).isEqualTo(optimized);
        // the weak run was read and skipped, not tested
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(
                        () -> assertThat(meters.counter("promptloop.abtest.runs.skipped", "reason", "below_threshold")
                                        .count())
                                .isGreaterThanOrEqualTo(skippedBefore + 1));
        assertThat(sql().queryForObject(
                                "SELECT count(*) FROM abtest.prompt_ab_tests WHERE source_run_id = ?",
                                Long.class,
                                weakRun))
                .isZero();
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(meters.counter("promptloop.abtest.runs.skipped", "reason", "stale")
                                .count())
                        .isGreaterThanOrEqualTo(staleBefore + 1));
        assertThat(sql().queryForObject(
                                "SELECT count(*) FROM abtest.prompt_ab_tests WHERE source_run_id = ?",
                                Long.class,
                                oldRun))
                .isZero();
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(valuesWithKey("instruction-routing", agent + "/answer"))
                        .hasSize(1));
    }
}
