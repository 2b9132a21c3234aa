package io.promptloop.optimizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.promptloop.support.web.Endpoints;
import io.promptloop.testkit.OpenApiContract;
import io.promptloop.testkit.PoisonRecords;
import io.promptloop.testkit.PoisonRecords.LogVerdict;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/** The optimizer's HTTP surface and its handling of poison records, as every service shares them. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext
@ExtendWith(OutputCaptureExtension.class)
class OptimizerApiIT extends OptimizerTestSupport {

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    @Autowired
    MeterRegistry meters;

    @Autowired
    @Qualifier("requestMappingHandlerMapping")
    RequestMappingHandlerMapping mappings;

    @Test
    void shouldAnswerEveryBadRequestWithAProblemNamingTheField() {
        // table: method, path, body → status, words the problem must contain
        record Bad(String method, String path, String body, int status, String says) {}
        String agent = "api-" + UUID.randomUUID();
        List<Bad> bad = List.of(
                new Bad("POST", "/api/runs", "{\"agent\":", 400, "is not valid JSON"),
                new Bad(
                        "POST",
                        "/api/runs",
                        "{\"agent\":\"" + agent + "\",\"maxMetricCalls\":\"lots\"}",
                        400,
                        "\"field\":\"maxMetricCalls\""),
                new Bad(
                        "POST",
                        "/api/runs",
                        "{\"agent\":\"" + agent + "\",\"budget\":\"enormous\"}",
                        400,
                        "\"field\":\"budget\""),
                new Bad("POST", "/api/instructions", "{\"agent\":\"" + agent + "\"}", 400, "\"field\":\"text\""),
                new Bad(
                        "POST",
                        "/api/instructions",
                        "{\"agent\":\"" + agent + "\",\"text\":[1,2]}",
                        400,
                        "\"field\":\"text\""),
                new Bad(
                        "POST",
                        "/api/instructions",
                        "{\"agent\":\"" + agent + "\",\"text\":\"" + "x".repeat(10_000_000) + "\"}",
                        413,
                        "max-request-size"),
                new Bad(
                        "POST",
                        "/api/tools",
                        "{\"agent\":\"" + agent + "\",\"tool\":\"search\"}",
                        400,
                        "\"field\":\"description\""),
                new Bad("GET", "/api/runs/not-a-uuid", null, 400, "\"field\":\"id\""));
        for (Bad b : bad) {
            var response = call(port, b.method(), b.path(), b.body(), "operator");
            String shown = b.body() == null
                    ? b.path()
                    : b.body().substring(0, Math.min(80, b.body().length()));
            assertThat(response.statusCode())
                    .as(shown + " → " + response.body())
                    .isEqualTo(b.status());
            assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
            assertThat(response.body()).as(shown).contains(b.says());
        }
    }

    @Test
    void shouldServeMetricsWithoutCredentialsOnlyOnTheManagementPort() {
        assertThat(call(port, "GET", "/api/runs", null, null).statusCode()).isEqualTo(401);
        assertThat(call(port, "POST", "/api/runs", "{}", "reader").statusCode()).isEqualTo(403);
        var scrape = call(managementPort, "GET", "/actuator/prometheus", null, null);
        assertThat(scrape.statusCode()).isEqualTo(200);
        assertThat(scrape.body()).contains("jvm_memory_used_bytes");
        assertThat(call(managementPort, "GET", "/actuator/health/readiness", null, null)
                        .body())
                .contains("\"db\"", "\"kafka\"", "UP");
    }

    @Test
    void shouldServeAnOpenApiDescriptionThatShowsEveryEndpoint() {
        var docs = call(port, "GET", "/v3/api-docs", null, "reader");
        assertThat(docs.statusCode()).isEqualTo(200);
        var endpoints = Endpoints.of(mappings);
        assertThat(endpoints).containsKeys("/api/runs", "/api/runs/{id}", "/api/instructions", "/api/tools");
        assertThat(OpenApiContract.problems(docs.body(), endpoints)).isEmpty();
    }

    @Test
    void shouldSkipABurstOfPoisonRecordsWithOneLogLineEach(CapturedOutput output) {
        String key = "burst-" + UUID.randomUUID();
        int burst = 1_000;
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, INFRA.kafkaBootstrapServers());
        try (var raw = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer())) {
            double before = skipped();
            long linesBefore = output.getAll().lines().count();
            for (int i = 0; i < burst; i++) {
                raw.send(new ProducerRecord<>("agent-evaluations", key, PoisonRecords.poison(i)));
            }
            raw.flush();
            await().atMost(Duration.ofMinutes(3)).until(() -> skipped() - before >= burst);
            var log = LogVerdict.of(output.getAll().lines().skip(linesBefore).toList(), "skipped agent-evaluations");
            System.out.println("poison burst of " + burst + " records: " + log);
            assertThat(log.stackTraceLines()).isZero();
            assertThat(log.markedLines()).as("one WARN line per skipped record").isEqualTo(burst);
            // the rest are the Kafka clients' own lifecycle lines (rebalances, config dumps), which do not grow with it
            assertThat(log.lines()).isLessThanOrEqualTo(burst + burst / 4);
        }
    }

    private double skipped() {
        return meters.find("promptloop.optimizer.events.ignored").tag("topic", "agent-evaluations").counters().stream()
                .mapToDouble(c -> c.count())
                .sum();
    }
}
