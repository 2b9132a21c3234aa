package io.promptloop.abtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.promptloop.avro.abtest.AbDecisionEvent;
import io.promptloop.avro.abtest.TestConcluded;
import io.promptloop.avro.observation.ObservationRecorded;
import io.promptloop.testkit.ServiceJvm;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * Two replicas at once: they split the observation partitions and race for the same looks; each test is still
 * counted once, concluded once and announced once (row locks, SKIP LOCKED, one outbox relay at a time).
 */
class ReplicasIT extends AbtestTestSupport {

    @Test
    void shouldConcludeEachTestOnceWhileTwoReplicasShareTheWork() throws Exception {
        int tests = 6;
        List<UUID> ids = new ArrayList<>();
        List<ObservationRecorded> stream = new ArrayList<>();
        for (int i = 0; i < tests; i++) {
            String agent = "replicas-" + UUID.randomUUID();
            RunningTest test = insertRunningTest(
                    agent, "Answer well.", Map.of("min_sample_per_variant", 100, "auto_rollout", false));
            ids.add(test.testId());
            stream.addAll(traffic(
                    test.testId(),
                    test.salt(),
                    0.5,
                    "u",
                    1500,
                    new Arm(0.6, 0.15, 0.97, 300),
                    new Arm(0.72, 0.15, 0.97, 300),
                    20 + i));
        }
        List<ServiceJvm> replicas = List.of(startReplica("abtest-replica-1"), startReplica("abtest-replica-2"));
        for (ObservationRecorded o : stream) avro().send(new ProducerRecord<>("ab-observations", o.getTestId(), o));
        avro().flush();

        await().atMost(Duration.ofSeconds(180))
                .untilAsserted(() -> assertThat(sql().queryForObject(
                                        "SELECT count(*) FROM abtest.prompt_ab_tests WHERE test_id = ANY(?::uuid[]) AND status = 'concluded'",
                                        Long.class,
                                        (Object)
                                                ids.stream().map(UUID::toString).toArray(String[]::new)))
                        .isEqualTo(tests));
        await().atMost(Duration.ofSeconds(120))
                .untilAsserted(() -> assertThat(
                                ids.stream().mapToLong(id -> counted(id)).sum())
                        .isEqualTo(stream.size()));
        for (UUID id : ids) {
            assertThat(sql().queryForObject(
                                    "SELECT sum(n) + coalesce((SELECT sum(n) FROM abtest.rollout_statistics"
                                            + " WHERE test_id = ?), 0) FROM abtest.variant_statistics WHERE test_id = ?",
                                    Long.class,
                                    id,
                                    id))
                    .isEqualTo(1500);
            assertThat(sql().queryForList(
                                    "SELECT reason FROM abtest.routing_changes WHERE agent_name = (SELECT agent_name FROM"
                                            + " abtest.prompt_ab_tests WHERE test_id = ?)",
                                    String.class,
                                    id))
                    .containsExactly("test_concluded_treatment_wins");
            assertThat(sql().queryForObject(
                                    "SELECT count(*) FROM abtest.ab_interim_analyses WHERE test_id = ? AND decision <> 'continue'",
                                    Long.class,
                                    id))
                    .isEqualTo(1);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                List<AbDecisionEvent> decisions = valuesWithKey("ab-decisions", id.toString());
                assertThat(decisions).hasSize(1);
                assertThat(((TestConcluded) decisions.getFirst().getPayload()).getOutcome())
                        .isEqualTo("treatment_wins");
            });
        }
        assertThat(replicas).allMatch(ServiceJvm::isAlive);
    }
}
