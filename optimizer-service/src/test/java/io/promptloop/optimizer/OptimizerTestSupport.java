package io.promptloop.optimizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.promptloop.avro.common.AgentRef;
import io.promptloop.testkit.PromptloopInfrastructure;
import io.promptloop.testkit.PromptloopIntegrationTest;
import io.promptloop.testkit.agent.SimulatedEvaluator;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Shared by optimizer integration tests: the test kit's real Kafka, PostgreSQL and registry, a simulated agent
 * that scores candidates against a hidden rubric, HTTP as an operator, superuser SQL for assertions.
 */
@PromptloopIntegrationTest
public abstract class OptimizerTestSupport {

    public static final PromptloopInfrastructure INFRA = PromptloopInfrastructure.shared();
    public static final String BASELINE =
            "You are an HR assistant for store managers. Answer questions about attendance. "
                    + "Always cite the policy section.";
    protected static final HttpClient HTTP = HttpClient.newHttpClient();

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        serviceProperties().forEach((k, v) -> registry.add(k, () -> v));
    }

    public static Map<String, Object> serviceProperties() {
        Map<String, Object> p = new HashMap<>(INFRA.springProperties("optimizer_app"));
        p.put("promptloop.security.users[0].name", "operator");
        p.put("promptloop.security.users[0].password", "{noop}operator-secret");
        p.put("promptloop.security.users[0].roles", "OPERATOR");
        p.put("promptloop.security.users[1].name", "reader");
        p.put("promptloop.security.users[1].password", "{noop}reader-secret");
        p.put("promptloop.security.users[1].roles", "READER");
        p.put("promptloop.optimizer.worker.poll-interval", "200ms");
        p.put("promptloop.optimizer.evaluation.timeout", "15s");
        // a killed replica leaves the consumer group after this; the default (45 s) would outlast the test's patience
        p.put("spring.kafka.consumer.properties.session.timeout.ms", "10000");
        return p;
    }

    protected static JdbcTemplate sql() {
        var login = INFRA.superuserLogin();
        return new JdbcTemplate(new DriverManagerDataSource(login.jdbcUrl(), login.user(), login.password()));
    }

    protected static SimulatedEvaluator evaluator(String agent, double dropRate) {
        var settings = SimulatedEvaluator.Settings.of(
                        INFRA.kafkaBootstrapServers(), INFRA.registry().apiV3Url())
                .withConsumerGroup("evaluator-" + agent)
                .withAgentName(agent);
        if (dropRate > 0) settings = settings.withDropRate(dropRate, 7);
        return new SimulatedEvaluator(settings).start();
    }

    /** Publishes the agent's production evaluations (training data) and waits until the optimizer has them. */
    protected static void seedExamples(SimulatedEvaluator evaluator, String agent, int count) {
        evaluator.publish(evaluator.baselineEvaluations(new AgentRef(agent, "answer"), BASELINE, count));
        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> assertThat(sql().queryForObject(
                                        "SELECT count(*) FROM optimizer.examples WHERE agent_name = ?",
                                        Integer.class,
                                        agent))
                        .isEqualTo(count));
    }

    protected static HttpResponse<String> call(int port, String method, String path, String json, String user) {
        try {
            var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .method(
                            method,
                            json == null
                                    ? HttpRequest.BodyPublishers.noBody()
                                    : HttpRequest.BodyPublishers.ofString(json))
                    .header("Content-Type", "application/json");
            if (user != null) {
                request.header(
                        "Authorization",
                        "Basic "
                                + Base64.getEncoder()
                                        .encodeToString(
                                                (user + ":" + user + "-secret").getBytes(StandardCharsets.UTF_8)));
            }
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    protected static void registerBaseline(int port, String agent) {
        var response = call(
                port,
                "POST",
                "/api/instructions",
                "{\"agent\":\"" + agent + "\",\"predictor\":\"answer\",\"text\":\"" + BASELINE + "\"}",
                "operator");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    }

    protected static UUID startRun(int port, String body) {
        var response = call(port, "POST", "/api/runs", body, "operator");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        String id = response.body().replaceAll(".*\"runId\":\"([0-9a-f-]{36})\".*", "$1");
        return UUID.fromString(id);
    }

    /** Publishes one Avro record as an agent (or the A/B service) would, and waits for the broker's ack. */
    protected static void publish(String topic, String key, SpecificRecord value) {
        var config = SimulatedEvaluator.producerConfig(
                INFRA.kafkaBootstrapServers(), INFRA.registry().apiV3Url());
        try (var producer = new KafkaProducer<String, SpecificRecord>(config)) {
            producer.send(new ProducerRecord<>(topic, key, value)).get();
        } catch (Exception e) {
            throw new IllegalStateException("could not publish to " + topic, e);
        }
    }

    /** Registers the baseline as the agent's active instruction and returns its id. */
    protected static UUID registerBaselineId(int port, String agent) {
        var response = call(
                port,
                "POST",
                "/api/instructions",
                "{\"agent\":\"" + agent + "\",\"predictor\":\"answer\",\"text\":\"" + BASELINE + "\"}",
                "operator");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        return UUID.fromString(response.body().replaceAll(".*\"id\":\"([0-9a-f-]{36})\".*", "$1"));
    }

    protected static Map<String, Object> awaitRun(UUID runId, Duration timeout) {
        await().atMost(timeout)
                .pollInterval(Duration.ofMillis(500))
                .until(() -> !sql().queryForObject(
                                "SELECT status::text FROM optimizer.prompt_optimization_runs WHERE run_id = ?",
                                String.class,
                                runId)
                        .matches("pending|running"));
        return sql().queryForMap("SELECT * FROM optimizer.prompt_optimization_runs WHERE run_id = ?", runId);
    }
}
