package io.promptloop.abtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.promptloop.avro.observation.ObservationRecorded;
import io.promptloop.testkit.ServiceJvm;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The service is killed (SIGKILL) while it counts a stream of observations; a second instance takes over from
 * the last committed offsets, so some batches arrive twice. Afterwards every observation is counted once.
 */
class CrashRecountIT extends AbtestTestSupport {

    private final List<ServiceJvm> started = new ArrayList<>();

    @AfterEach
    void stopServices() {
        started.forEach(ServiceJvm::close);
    }

    @Test
    void shouldCountEveryObservationOnceAfterTheServiceIsKilledMidStream() throws Exception {
        String agent = "crash-" + UUID.randomUUID();
        UUID baseline = instruction(agent, "answer", 1, "Answer.", true);
        UUID treatment = instruction(agent, "answer", 2, "Answer better.", false);
        UUID testId = sql().queryForObject("""
                INSERT INTO abtest.prompt_ab_tests (agent_name, predictor_name, baseline_instruction_id,
                    treatment_instruction_id, status, started_at, min_sample_per_variant, max_sample_per_variant)
                VALUES (?, 'answer', ?, ?, 'running', now(), 1000000, 2000000) RETURNING test_id
                """, UUID.class, agent, baseline, treatment);
        String salt =
                sql().queryForObject("SELECT salt FROM abtest.prompt_ab_tests WHERE test_id = ?", String.class, testId);
        int total = 20_000;
        var arm = new Arm(0.7, 0.1, 0.95, 250);
        List<ObservationRecorded> stream = traffic(testId, salt, 0.5, "u", total, arm, arm, 9);
        for (ObservationRecorded o : stream) avro().send(new ProducerRecord<>("ab-observations", o.getTestId(), o));
        avro().flush();

        ServiceJvm first = startService("abtest-crash-1", started);
        await().atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> counted(testId) > 0);
        first.kill();
        long countedAtCrash = counted(testId);

        startService("abtest-crash-2", started);
        await().atMost(Duration.ofSeconds(180)).until(() -> counted(testId) == total);
        awaitRead(testId.toString(), Duration.ofSeconds(60)); // and every record read: nothing counted later
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(sql().queryForObject(
                                        "SELECT sum(n) FROM abtest.variant_statistics WHERE test_id = ?",
                                        Long.class,
                                        testId))
                        .isEqualTo(total));
        System.out.printf(
                "killed after %d of %d observations were counted; all counted once after the restart%n",
                countedAtCrash, total);
        assertThat(countedAtCrash).isLessThan(total);
        double scoreSum =
                stream.stream().mapToDouble(ObservationRecorded::getScore).sum();
        assertThat(sql().queryForObject(
                                "SELECT sum(score_sum) FROM abtest.variant_statistics WHERE test_id = ?",
                                Double.class,
                                testId))
                .isCloseTo(scoreSum, org.assertj.core.api.Assertions.within(1e-6));
        assertThat(sql().queryForObject(
                                "SELECT sum(successes) FROM abtest.variant_statistics WHERE test_id = ?",
                                Long.class,
                                testId))
                .isEqualTo(
                        stream.stream().filter(ObservationRecorded::getSuccess).count());
    }
}
