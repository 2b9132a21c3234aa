package io.promptloop.abtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.promptloop.avro.observation.ObservationRecorded;
import io.promptloop.testkit.ServiceJvm;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * The service is killed (SIGKILL) while it counts a stream of observations; a second instance takes over from
 * the last committed offsets, so some batches arrive twice. Afterwards every observation is counted once.
 */
class CrashRecountIT extends AbtestTestSupport {

    @Test
    void shouldCountEveryObservationOnceAfterTheServiceIsKilledMidStream() throws Exception {
        String agent = "crash-" + UUID.randomUUID();
        RunningTest test = insertRunningTest(agent, "Answer better.", NEVER_CONCLUDES);
        UUID testId = test.testId();
        String salt = test.salt();
        int total = 20_000;
        var arm = new Arm(0.7, 0.1, 0.95, 250);
        List<ObservationRecorded> stream = traffic(testId, salt, 0.5, "u", total, arm, arm, 9);
        for (ObservationRecorded o : stream) avro().send(new ProducerRecord<>("ab-observations", o.getTestId(), o));
        avro().flush();

        ServiceJvm first = startReplica("abtest-crash-1");
        await().atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> counted(testId) > 0);
        first.kill();
        long countedAtCrash = counted(testId);

        startReplica("abtest-crash-2");
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
