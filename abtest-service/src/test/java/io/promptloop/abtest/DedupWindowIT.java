package io.promptloop.abtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.promptloop.avro.observation.ObservationRecorded;
import io.promptloop.testkit.ServiceJvm;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * The de-duplication window of agent re-sends (same event id, same key, a new offset): a re-send whose first copy is
 * among the partition's newest {@code promptloop.abtest.intake.dedup-window.events} counted ids is counted once, also
 * after the service was killed (the window is reloaded from the database); an older re-send is counted again, as
 * documented. Kafka redelivery does not depend on the window: with Kafka's committed offset set back to before
 * everything (as when the service dies between the database commit and the Kafka commit), nothing is counted twice.
 */
class DedupWindowIT extends AbtestTestSupport {

    private static final int WINDOW = 1000;
    private static final String WINDOW_ARGUMENT = "--promptloop.abtest.intake.dedup-window.events=" + WINDOW;

    @Test
    void shouldCountReSendsWithinTheWindowOnceAcrossARestartAndOlderOnesAgain() throws Exception {
        String agent = "dedup-" + UUID.randomUUID();
        RunningTest test = insertRunningTest(agent, "Answer better.", NEVER_CONCLUDES);
        UUID testId = test.testId();
        String salt = test.salt();
        String key = testId.toString();
        var arm = new Arm(0.7, 0.1, 0.95, 250);
        List<ObservationRecorded> early = traffic(testId, salt, 0.5, "e", 300, arm, arm, 21);
        // 1,300 newer ids push the early ones out: the window keeps at most WINDOW + one batch (200) - 1 ids
        List<ObservationRecorded> later = traffic(testId, salt, 0.5, "l", 1300, arm, arm, 22);
        long firstOffset = endOf(key).endOffset();

        ServiceJvm first = startReplica("abtest-dedup-1", WINDOW_ARGUMENT);
        publish(early);
        await().atMost(Duration.ofSeconds(120)).until(() -> counted(testId) == 300);
        publish(early); // the agent re-sent all of them: same event ids, new offsets
        awaitRead(key, Duration.ofSeconds(60));
        assertThat(counted(testId)).as("re-sends within the window").isEqualTo(300);

        first.kill(); // SIGKILL: the next instance knows the window only from the database
        setKafkaOffsetBack(endOf(key).partition(), firstOffset);
        startReplica("abtest-dedup-2", WINDOW_ARGUMENT);
        publish(early.subList(0, 100)); // re-sent once more, after the restart
        ObservationRecorded marker = later.getFirst();
        publish(List.of(marker)); // read after everything before it in the partition
        await().atMost(Duration.ofSeconds(120)).until(() -> counted(testId) == 301);
        awaitRead(key, Duration.ofSeconds(60));
        assertThat(counted(testId))
                .as(
                        "Kafka's committed offset set back to %d: nothing counted twice; re-sends after the restart once",
                        firstOffset)
                .isEqualTo(301);

        publish(later.subList(1, later.size()));
        await().atMost(Duration.ofSeconds(120)).until(() -> counted(testId) == 1600);
        publish(early.subList(0, 10)); // beyond the window now: counted again (documented)
        awaitRead(key, Duration.ofSeconds(60));
        assertThat(counted(testId)).as("re-sends older than the window").isEqualTo(1610);

        double scoreSum = early.stream()
                        .mapToDouble(ObservationRecorded::getScore)
                        .sum()
                + later.stream().mapToDouble(ObservationRecorded::getScore).sum()
                + early.subList(0, 10).stream()
                        .mapToDouble(ObservationRecorded::getScore)
                        .sum();
        assertThat(sql().queryForObject(
                                "SELECT sum(score_sum) FROM abtest.variant_statistics WHERE test_id = ?",
                                Double.class,
                                testId))
                .isCloseTo(scoreSum, org.assertj.core.api.Assertions.within(1e-6));
        // the stored window is pruned with the one in memory: at least WINDOW ids, fewer than WINDOW + 200
        Long stored = sql().queryForObject(
                        "SELECT sum(octet_length(event_ids)) / 16 FROM abtest.observation_event_ids WHERE topic ="
                                + " 'ab-observations' AND partition = ?",
                        Long.class,
                        endOf(key).partition());
        assertThat(stored).isBetween((long) WINDOW, (long) WINDOW + 199);
    }

    /** Kafka's committed offset of the partition set back, as if the database commits had not reached Kafka. */
    private static void setKafkaOffsetBack(int partition, long offset) {
        try (Admin admin =
                Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, INFRA.kafkaBootstrapServers()))) {
            // the killed member leaves the group after its session timeout (10 s); until then the group is not empty
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofSeconds(1))
                    .ignoreExceptions()
                    .untilAsserted(() -> admin.alterConsumerGroupOffsets(
                                    "promptloop-abtest",
                                    Map.of(
                                            new TopicPartition("ab-observations", partition),
                                            new OffsetAndMetadata(offset)))
                            .all()
                            .get(10, TimeUnit.SECONDS));
            var committed = admin.listConsumerGroupOffsets("promptloop-abtest")
                    .partitionsToOffsetAndMetadata()
                    .get(10, TimeUnit.SECONDS)
                    .get(new TopicPartition("ab-observations", partition));
            assertThat(committed.offset()).isEqualTo(offset);
        } catch (Exception e) {
            throw new IllegalStateException("cannot set the committed offset back", e);
        }
    }
}
