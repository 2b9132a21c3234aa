package io.promptloop.optimizer.reflection.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.promptloop.optimizer.reflection.domain.Proposal;
import io.promptloop.optimizer.reflection.domain.ReflectionExample;
import io.promptloop.optimizer.reflection.domain.ReflectionException;
import io.promptloop.optimizer.reflection.domain.ReflectionRequest;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class OpenAiChatReflectorTest {

    private static final String KEY = "sk-test-0123456789abcdef";
    private static final String CURRENT = "You answer managers' HR policy questions.";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** What the fake endpoint answers next; {@code hang} blocks until the test ends (a slow model). */
    private record Reply(int status, String body, Map<String, String> headers, boolean hang) {
        static Reply ok(String body) {
            return new Reply(200, body, Map.of(), false);
        }

        static Reply status(int status, String body) {
            return new Reply(status, body, Map.of(), false);
        }
    }

    private record Received(String method, String path, String authorization, String contentType, String body) {}

    private final Queue<Reply> replies = new ConcurrentLinkedQueue<>();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final List<Duration> sleeps = new CopyOnWriteArrayList<>();
    private final CountDownLatch release = new CountDownLatch(1);
    private ExecutorService executor;
    private HttpServer server;
    private OpenAiChatReflector reflector;

    @BeforeEach
    void startFakeEndpoint() throws IOException {
        executor = Executors.newCachedThreadPool();
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(executor);
        server.createContext("/v1/chat/completions", this::answer);
        server.start();
    }

    @AfterEach
    void stopFakeEndpoint() {
        release.countDown();
        if (reflector != null) reflector.close();
        server.stop(0);
        executor.shutdownNow();
    }

    private void answer(HttpExchange exchange) throws IOException {
        try (exchange) {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            received.add(new Received(
                    exchange.getRequestMethod(),
                    exchange.getRequestURI().getPath(),
                    exchange.getRequestHeaders().getFirst("Authorization"),
                    exchange.getRequestHeaders().getFirst("Content-Type"),
                    body));
            Reply reply = replies.poll();
            if (reply == null) reply = Reply.status(500, "no reply scripted");
            if (reply.hang()) {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return;
            }
            reply.headers()
                    .forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
            byte[] bytes = reply.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(reply.status(), bytes.length == 0 ? -1 : bytes.length);
            exchange.getResponseBody().write(bytes);
        }
    }

    private OpenAiChatReflector reflector(String apiKey, Duration timeout, int maxRetries) {
        URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1/");
        reflector = new OpenAiChatReflector(
                new OpenAiSettings(base, "test-model", apiKey, timeout, maxRetries, 1_000), sleeps::add);
        return reflector;
    }

    private OpenAiChatReflector reflector() {
        return reflector(KEY, Duration.ofSeconds(5), 2);
    }

    @Test
    void shouldSendTheMetaPromptAndTakeTheInstructionFromTheFencedBlock() throws Exception {
        replies.add(Reply.ok(chat("- Does not cite the policy\n- Too formal\n\n```text\n"
                + "You answer managers' HR policy questions. Cite the policy section.\n```\nThat should help.")));

        Proposal proposal = reflector().propose(request());

        assertThat(proposal.instruction())
                .isEqualTo("You answer managers' HR policy questions. Cite the policy section.");
        assertThat(proposal.weaknesses()).containsExactly("Does not cite the policy", "Too formal");
        assertThat(proposal.analysis()).contains("Too formal").contains("That should help.");
        assertThat(proposal.toolDescriptions()).isEqualTo(Map.of("search_policy", "Searches the policies."));

        assertThat(received).hasSize(1);
        Received sent = received.getFirst();
        assertThat(sent.method()).isEqualTo("POST");
        assertThat(sent.path()).isEqualTo("/v1/chat/completions");
        assertThat(sent.authorization()).isEqualTo("Bearer " + KEY);
        assertThat(sent.contentType()).isEqualTo("application/json");
        JsonNode body = JSON.readTree(sent.body());
        assertThat(body.path("model").stringValue()).isEqualTo("test-model");
        assertThat(body.path("max_tokens").intValue()).isEqualTo(1_000);
        assertThat(body.path("temperature").asDouble()).isZero();
        assertThat(body.path("messages").get(0).path("role").stringValue()).isEqualTo("system");
        JsonNode user = body.path("messages").get(1);
        assertThat(user.path("role").stringValue()).isEqualTo("user");
        assertThat(user.path("content").stringValue())
                .contains(CURRENT)
                .contains("May I fire Sam for being late?")
                .contains("Yes, right away.")
                .contains("Missing: HR review before each step; cite the policy section.")
                .contains("0.400")
                .contains("search_policy: Searches the policies.")
                .contains("within ``` blocks");
        assertThat(sleeps).isEmpty();
    }

    @Test
    void shouldSendNoAuthorizationWithoutAKeyAndTakeAnAnswerWithoutFence() throws Exception {
        replies.add(Reply.ok(chat("  Answer HR questions and cite the policy section.  ")));

        Proposal proposal = reflector(null, Duration.ofSeconds(5), 0).propose(request());

        assertThat(proposal.instruction()).isEqualTo("Answer HR questions and cite the policy section.");
        assertThat(proposal.weaknesses()).isEmpty();
        assertThat(received.getFirst().authorization()).isNull();
    }

    @Test
    void shouldRetryServerErrorsWithExponentialBackoff() throws Exception {
        replies.add(Reply.status(500, "{\"error\":{\"message\":\"overloaded\"}}"));
        replies.add(Reply.status(502, "bad gateway"));
        replies.add(Reply.ok(chat("```\nBetter instruction.\n```")));

        Proposal proposal = reflector().propose(request());

        assertThat(proposal.instruction()).isEqualTo("Better instruction.");
        assertThat(received).hasSize(3);
        assertThat(sleeps).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2));
    }

    @Test
    void shouldWaitAsLongAsRetryAfterSaysUpToACap() throws Exception {
        Object[][] cases = {
            // Retry-After value -> wait before the second attempt
            {"7", Duration.ofSeconds(7)},
            {"3600", Duration.ofSeconds(30)}, // capped
            {"0", Duration.ZERO},
            {"Wed, 21 Oct 2015 07:28:00 GMT", Duration.ofSeconds(1)}, // HTTP-date: own backoff instead
        };
        OpenAiChatReflector reflector = reflector();
        for (Object[] c : cases) {
            sleeps.clear();
            replies.add(new Reply(
                    429, "{\"error\":{\"message\":\"rate limited\"}}", Map.of("Retry-After", (String) c[0]), false));
            replies.add(Reply.ok(chat("```\nBetter instruction.\n```")));

            assertThat(reflector.propose(request()).instruction()).isEqualTo("Better instruction.");
            assertThat(sleeps).as("Retry-After: %s", c[0]).containsExactly((Duration) c[1]);
        }
    }

    @Test
    void shouldReportARetryableFailureWhenRetriesRunOut() {
        for (int i = 0; i < 3; i++) replies.add(Reply.status(503, "{\"error\":{\"message\":\"model is loading\"}}"));

        assertThatThrownBy(() -> reflector().propose(request()))
                .isInstanceOfSatisfying(
                        ReflectionException.class,
                        e -> assertThat(e.retryable()).isTrue())
                .hasMessageContaining("HTTP 503")
                .hasMessageContaining("model is loading")
                .hasMessageContaining("gave up after 3 attempts");
        assertThat(received).hasSize(3);
    }

    @Test
    void shouldNotRetryARejectedKeyAndNeverRepeatTheKey() {
        replies.add(Reply.status(
                401,
                "{\"error\":{\"message\":\"Incorrect API key provided: " + KEY + ". Find your key at"
                        + " https://platform.example/account.\"}}"));

        assertThatThrownBy(() -> reflector().propose(request()))
                .isInstanceOfSatisfying(
                        ReflectionException.class,
                        e -> assertThat(e.retryable()).isFalse())
                .hasMessageContaining("HTTP 401")
                .hasMessageContaining("Incorrect API key provided")
                .hasMessageContaining("check the API key")
                .hasMessageNotContaining(KEY);
        assertThat(received).hasSize(1);
        assertThat(sleeps).isEmpty();
    }

    @Test
    void shouldTimeOutASlowEndpointAndReportItRetryableAfterTheRetries() {
        replies.add(new Reply(200, "", Map.of(), true));
        replies.add(new Reply(200, "", Map.of(), true));

        assertThatThrownBy(() -> reflector(KEY, Duration.ofMillis(300), 1).propose(request()))
                .isInstanceOfSatisfying(
                        ReflectionException.class,
                        e -> assertThat(e.retryable()).isTrue())
                .hasMessageContaining("did not answer within 300 ms")
                .hasMessageContaining("gave up after 2 attempts");
        assertThat(sleeps).containsExactly(Duration.ofSeconds(1));
    }

    @Test
    void shouldRejectUnusableAnswersWithoutRetrying() {
        String[][] cases = {
            // body of a 200 answer -> what the message says
            {"<html>Bad gateway</html>", "not JSON"},
            {"[1, 2]", "not an object"},
            {"{}", "has no choices"},
            {"{\"choices\": []}", "has no choices"},
            {"{\"choices\": [{\"message\": {\"role\": \"assistant\"}}]}", "no choices[0].message.content"},
            {chat(""), "empty answer"},
            {chat("  \n\t "), "empty answer"},
            {chat("- weak\n```\n\n```"), "instruction block is empty"},
            {chat("```\n" + CURRENT + "\n```"), "current instruction unchanged"},
            {chat("```\n  You answer managers'\nHR policy questions.  \n```"), "current instruction unchanged"},
            {chat("```\n" + "x".repeat(20_001) + "\n```"), "20001 characters, more than the 20000 allowed"},
            {chat("```\nYou answer managers' questions and", "length"), "cut off at max_tokens=1000"},
            {chat("", "length"), "cut off at max_tokens=1000"},
        };
        OpenAiChatReflector reflector = reflector();
        for (String[] c : cases) {
            received.clear();
            replies.add(Reply.ok(c[0]));
            assertThatThrownBy(() -> reflector.propose(request()))
                    .as(c[1])
                    .isInstanceOfSatisfying(
                            ReflectionException.class,
                            e -> assertThat(e.retryable()).isFalse())
                    .hasMessageContaining(c[1]);
            assertThat(received).as(c[1]).hasSize(1);
        }
        assertThat(sleeps).isEmpty();
    }

    @Test
    void shouldTakeTheFirstFencedBlock() {
        String[][] cases = {
            // answer -> instruction
            {"```\nA.\n```", "A."},
            {"Here:\n```markdown\nA.\nB.\n```\nand ```\nC.\n```", "A.\nB."},
            {"```A single line.```", "A single line."},
            {"```\n  padded  \n```", "padded"},
            {"no fence at all", "no fence at all"},
            {"```text\nnever closed", "never closed"},
        };
        for (String[] c : cases) {
            assertThat(OpenAiChatReflector.extract(c[0]).instruction()).as(c[0]).isEqualTo(c[1]);
        }
    }

    @Test
    void shouldValidateSettingsAndHideTheKey() {
        URI base = URI.create("https://api.example.com/v1");
        Duration t = Duration.ofSeconds(30);
        Runnable[] invalid = {
            () -> new OpenAiSettings(URI.create("ftp://api.example.com/v1"), "m", null, t, 3, 100), // scheme
            () -> new OpenAiSettings(URI.create("/v1"), "m", null, t, 3, 100), // relative
            () -> new OpenAiSettings(URI.create("https://u:p@api.example.com/v1"), "m", null, t, 3, 100), // creds
            () -> new OpenAiSettings(base, " ", null, t, 3, 100), // blank model
            () -> new OpenAiSettings(base, "m", null, Duration.ZERO, 3, 100), // no timeout
            () -> new OpenAiSettings(base, "m", null, t, -1, 100), // retries below 0
            () -> new OpenAiSettings(base, "m", null, t, 11, 100), // retries above 10
            () -> new OpenAiSettings(base, "m", null, t, 3, 0), // no tokens
            () -> new OpenAiSettings(base, "m", null, t, 3, 32_001), // too many tokens
        };
        for (Runnable r : invalid) assertThatThrownBy(r::run).isInstanceOf(IllegalArgumentException.class);

        OpenAiSettings settings = new OpenAiSettings(base, "gpt-test", KEY, t, 10, 32_000);
        assertThat(settings.toString())
                .doesNotContain(KEY)
                .contains("apiKey=<hidden>")
                .contains("gpt-test");
        assertThat(settings.chatCompletions()).isEqualTo(URI.create("https://api.example.com/v1/chat/completions"));
        assertThat(OpenAiSettings.of(URI.create("http://localhost:11434/v1/"), "llama", " ")
                        .apiKey())
                .isNull();
    }

    private static ReflectionRequest request() {
        return new ReflectionRequest(
                "hr-assistant",
                null,
                CURRENT,
                List.of(new ReflectionExample(
                        "e1",
                        "May I fire Sam for being late?",
                        "Yes, right away.",
                        0.4,
                        "Missing: HR review before each step; cite the policy section.")),
                Map.of("search_policy", "Searches the policies."),
                2);
    }

    private static String chat(String content) {
        return chat(content, "stop");
    }

    private static String chat(String content, String finishReason) {
        var root = JSON.createObjectNode();
        root.put("id", "chatcmpl-1").put("object", "chat.completion");
        var choice = root.putArray("choices").addObject();
        choice.put("index", 0).put("finish_reason", finishReason);
        choice.putObject("message").put("role", "assistant").put("content", content);
        return JSON.writeValueAsString(root);
    }
}
