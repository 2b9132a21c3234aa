package io.promptloop.optimizer.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.promptloop.optimizer.OptimizerTestSupport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * An OpenAI-compatible reflector that answers garbage: every reflection is recorded as failed, and after the
 * configured number in a row the run fails with the reason — it never hangs.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext
class ReflectorFailureIT extends OptimizerTestSupport {

    static final AtomicInteger CALLS = new AtomicInteger();
    static final HttpServer CHAT = chatServerAnsweringGarbage();

    @DynamicPropertySource
    static void openAiReflector(DynamicPropertyRegistry registry) {
        registry.add("promptloop.optimizer.reflection.type", () -> "openai");
        registry.add(
                "promptloop.optimizer.reflection.openai.base-url",
                () -> "http://127.0.0.1:" + CHAT.getAddress().getPort() + "/v1");
        registry.add("promptloop.optimizer.reflection.openai.max-retries", () -> "0");
        registry.add("promptloop.optimizer.reflection.openai.timeout", () -> "2s");
        registry.add("promptloop.optimizer.reflection.max-failures-in-a-row", () -> "2");
    }

    @AfterAll
    static void stopChat() {
        CHAT.stop(0);
    }

    @LocalServerPort
    int port;

    @Test
    void shouldFailTheRunWithTheReflectorsErrorInsteadOfHanging() {
        String agent = "garbage-" + UUID.randomUUID().toString().substring(0, 8);
        try (var evaluator = evaluator(agent, 0)) {
            seedExamples(evaluator, agent, 30);
            registerBaseline(port, agent);
            UUID run = startRun(
                    port,
                    "{\"agent\":\"" + agent
                            + "\",\"predictor\":\"answer\",\"budget\":\"custom\",\"maxMetricCalls\":100,\"seed\":2}");

            Map<String, Object> done = awaitRun(run, Duration.ofMinutes(3));

            assertThat(done.get("status")).isEqualTo("failed");
            assertThat((String) done.get("error_message")).startsWith("reflection failed 2 times in a row");
            assertThat(CALLS.get()).isEqualTo(2);
            assertThat(sql().queryForObject(
                                    "SELECT count(*) FROM optimizer.stage_results WHERE run_id = ? AND stage_name = 'reflection' AND status = 'failed'",
                                    Integer.class,
                                    run))
                    .isEqualTo(2);
        }
    }

    private static HttpServer chatServerAnsweringGarbage() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/v1/chat/completions", exchange -> {
                CALLS.incrementAndGet();
                byte[] body = "<html>this is not a chat completion</html>".getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            server.start();
            return server;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
