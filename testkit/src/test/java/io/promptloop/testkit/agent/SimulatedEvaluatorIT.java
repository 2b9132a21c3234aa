package io.promptloop.testkit.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.promptloop.avro.common.AgentRef;
import io.promptloop.avro.evaluation.EvaluationRecorded;
import io.promptloop.avro.evaluation.EvaluatorKind;
import io.promptloop.avro.optimizer.EvaluationRequested;
import io.promptloop.avro.optimizer.ExampleToEvaluate;
import io.promptloop.schemas.Topics;
import io.promptloop.testkit.PromptloopInfrastructure;
import io.promptloop.testkit.PromptloopIntegrationTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * The simulated agent against the real broker and registry: it reads an {@code EvaluationRequested} in the
 * Confluent wire format and answers each example on {@code agent-evaluations} with the rubric's grade; it answers
 * a repeated request again, and a dropped request not at all. Each test uses an agent name of its own, so that
 * the evaluators and the topics shared by the JVM's tests do not see each other's requests.
 */
@PromptloopIntegrationTest
class SimulatedEvaluatorIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String INSTRUCTION = "You are an HR assistant. Acknowledge the manager's frustration,"
            + " ask for documentation of prior warnings, cite the policy section, recommend talking to HR before"
            + " acting, give a concrete next step and mention local labor law may differ.";

    private final PromptloopInfrastructure infrastructure;
    private final String agentName = "it-agent-" + UUID.randomUUID();

    SimulatedEvaluatorIT(PromptloopInfrastructure infrastructure) {
        this.infrastructure = infrastructure;
    }

    @Test
    void shouldAnswerEveryExampleOfARequestWithTheRubricScoresAndTheRequestsIds() throws Exception {
        List<String> versionsBefore = valueSchemaVersions();
        try (SimulatedEvaluator evaluator = new SimulatedEvaluator(settings().withRubricSeed(5)).start()) {
            EvaluationRequested request = request("hr-001", "hr-002", "hr-003");

            send(request);
            await().atMost(TIMEOUT).until(() -> evaluator.stats().requestsAnswered() == 1);

            List<ConsumerRecord<String, EvaluationRecorded>> answers = answersTo(request.getRequestId());
            Rubric rubric = Rubric.forExamples(List.of("hr-001", "hr-002", "hr-003"), 5);
            assertThat(answers)
                    .extracting(a -> a.value().getExampleId())
                    .containsExactlyInAnyOrder("hr-001", "hr-002", "hr-003");
            assertThat(answers).extracting(a -> a.value().getEventId()).doesNotHaveDuplicates();
            assertThat(answers).allSatisfy(answer -> {
                EvaluationRecorded e = answer.value();
                Rubric.Grade grade = rubric.grade(e.getExampleId(), INSTRUCTION);
                assertThat(answer.key()).isEqualTo(agentName + "/answer");
                assertThat(e.getRunId()).isEqualTo(request.getRunId());
                assertThat(e.getCandidateId()).isEqualTo(request.getCandidateId());
                assertThat(e.getRequestId()).isEqualTo(request.getRequestId());
                assertThat(e.getAgent()).isEqualTo(request.getAgent());
                assertThat(e.getInput()).isEqualTo("input of " + e.getExampleId());
                assertThat(e.getOverallScore()).isEqualTo(grade.score());
                assertThat(e.getScores().getFunctionality()).isEqualTo(grade.score());
                assertThat(e.getFeedback()).isEqualTo(grade.feedback());
                assertThat(e.getEvaluator()).isEqualTo(EvaluatorKind.AGENT);
            });
            assertThat(evaluator.stats()).isEqualTo(new SimulatedEvaluator.Stats(1, 0, 3, 0));
        }
        // the serializer found the schema registered under the subject instead of adding a version
        assertThat(valueSchemaVersions()).isEqualTo(versionsBefore);
    }

    @Test
    void shouldAnswerARepeatedRequestAgainWithNewEventIdsAfterTheDelay() throws Exception {
        try (SimulatedEvaluator evaluator = new SimulatedEvaluator(
                        settings().withAnswerDelay(Duration.ofMillis(200)).withFixedScore(0.5))
                .start()) {
            EvaluationRequested request = request("hr-004", "hr-005");

            send(request);
            send(request);
            await().atMost(TIMEOUT).until(() -> evaluator.stats().requestsAnswered() == 2);

            List<ConsumerRecord<String, EvaluationRecorded>> answers = answersTo(request.getRequestId());
            assertThat(answers).hasSize(4);
            assertThat(answers).extracting(a -> a.value().getEventId()).doesNotHaveDuplicates();
            assertThat(answers)
                    .allSatisfy(a -> assertThat(a.value().getOverallScore()).isEqualTo(0.5));
        }
    }

    @Test
    void shouldNotAnswerADroppedRequest() throws Exception {
        try (SimulatedEvaluator evaluator = new SimulatedEvaluator(settings().withDropRate(1.0, 1)).start()) {
            EvaluationRequested request = request("hr-001", "hr-002", "hr-003");

            send(request);
            await().atMost(TIMEOUT).until(() -> evaluator.stats().requestsIgnored() == 1);

            // the evaluator decided and never sends for an ignored request: what is on the topic now is final
            assertThat(answersTo(request.getRequestId())).isEmpty();
            assertThat(evaluator.stats().requestsAnswered()).isZero();
        }
    }

    private SimulatedEvaluator.Settings settings() {
        return SimulatedEvaluator.Settings.of(
                        infrastructure.kafkaBootstrapServers(),
                        infrastructure.registry().apiV3Url())
                .withConsumerGroup("it-evaluator-" + UUID.randomUUID())
                .withAgentName(agentName);
    }

    private EvaluationRequested request(String... exampleIds) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        return EvaluationRequested.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setOccurredAt(now)
                .setAgent(new AgentRef(agentName, "answer"))
                .setRequestId(UUID.randomUUID().toString())
                .setRunId(UUID.randomUUID().toString())
                .setCandidateId(UUID.randomUUID().toString())
                .setInstructionText(INSTRUCTION)
                .setToolDescriptions(Map.of())
                .setExamples(Arrays.stream(exampleIds)
                        .map(id -> new ExampleToEvaluate(id, "input of " + id))
                        .toList())
                .setDeadline(now.plus(Duration.ofMinutes(5)))
                .build();
    }

    private void send(EvaluationRequested request) throws Exception {
        try (KafkaProducer<String, EvaluationRequested> producer =
                new KafkaProducer<>(SimulatedEvaluator.producerConfig(
                        infrastructure.kafkaBootstrapServers(),
                        infrastructure.registry().apiV3Url()))) {
            producer.send(new ProducerRecord<>(
                            Topics.OPTIMIZER_EVALUATION_REQUESTS.name(),
                            request.getAgent().getAgentName(),
                            request))
                    .get(30, TimeUnit.SECONDS);
        }
    }

    /** Every evaluation on {@code agent-evaluations} up to its current end that answers {@code requestId}. */
    private List<ConsumerRecord<String, EvaluationRecorded>> answersTo(String requestId) {
        Map<String, Object> config = new java.util.HashMap<>(SimulatedEvaluator.consumerConfig(
                infrastructure.kafkaBootstrapServers(),
                infrastructure.registry().apiV3Url(),
                "unused"));
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<ConsumerRecord<String, EvaluationRecorded>> answers = new ArrayList<>();
        try (KafkaConsumer<String, EvaluationRecorded> consumer = new KafkaConsumer<>(config)) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.AGENT_EVALUATIONS.name()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            await().atMost(TIMEOUT).until(() -> {
                for (ConsumerRecord<String, EvaluationRecorded> record : consumer.poll(Duration.ofMillis(200))) {
                    if (requestId.equals(record.value().getRequestId())) {
                        answers.add(record);
                    }
                }
                return partitions.stream().allMatch(p -> consumer.position(p) >= end.get(p));
            });
        }
        return answers;
    }

    /** The versions of {@code agent-evaluations-value}, through the Confluent-compatible API. */
    private List<String> valueSchemaVersions() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(
                                        URI.create(infrastructure.registry().ccompatUrl() + "/subjects/"
                                                + Topics.AGENT_EVALUATIONS.valueSubject() + "/versions"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return List.of(response.body().replaceAll("[\\[\\]\\s]", "").split(","));
    }
}
