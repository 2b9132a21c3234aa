package io.promptloop.optimizer.reflection.openai;

import io.promptloop.optimizer.reflection.domain.Proposal;
import io.promptloop.optimizer.reflection.domain.ReflectionExample;
import io.promptloop.optimizer.reflection.domain.ReflectionException;
import io.promptloop.optimizer.reflection.domain.ReflectionRequest;
import io.promptloop.optimizer.reflection.domain.Reflector;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A reflector backed by any OpenAI-compatible chat endpoint (OpenAI, Azure-style gateways, vLLM, Ollama,
 * llama.cpp, LiteLLM): it sends GEPA's reflection meta-prompt and takes the new instruction from the first
 * {@code ```} block of the answer.
 *
 * <p>Timeouts, I/O errors, HTTP 429 and 5xx are retried with exponential backoff (doubling from 1 s, at most
 * 30 s, or the server's {@code Retry-After} seconds, capped at 30 s) and end, when retries run out, in a
 * retryable {@link ReflectionException}; any other 4xx and every unusable answer end at once in a
 * non-retryable one. The API key goes into the {@code Authorization} header only: never into a log line or
 * an exception message. Meta-prompt source: Agrawal et al., "GEPA: Reflective Prompt Evolution Can Outperform
 * Reinforcement Learning" (2025), Appendix, and the reference implementation's
 * {@code InstructionProposalSignature} (gepa-ai/gepa).
 */
public final class OpenAiChatReflector implements Reflector, AutoCloseable {

    /** A longer proposal is runaway generation, not an instruction. */
    static final int MAX_INSTRUCTION_CHARS = 20_000;
    /** Inputs, outputs and feedback are cut to this many characters each in the prompt. */
    static final int MAX_FIELD_CHARS = 8_000;

    static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private static final int EXCERPT_CHARS = 200;
    private static final int MAX_WEAKNESSES = 10;
    private static final int MAX_ANALYSIS_CHARS = 4_000;
    private static final Pattern BULLET = Pattern.compile("^\\s*(?:[-*•]|\\d{1,2}[.)])\\s+(.+)$");
    private static final Pattern RETRY_AFTER_SECONDS = Pattern.compile("\\s*(\\d{1,9})\\s*");

    static final String SYSTEM_PROMPT = "You are an expert prompt engineer. You improve the instructions of an"
            + " AI assistant from evidence of how it performed.";

    private static final Logger log = LoggerFactory.getLogger(OpenAiChatReflector.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** Waits between attempts; tests replace it so that they need not wait. */
    @FunctionalInterface
    interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    private final OpenAiSettings settings;
    private final HttpClient http;
    private final Sleeper sleeper;

    public OpenAiChatReflector(OpenAiSettings settings) {
        this(settings, Thread::sleep);
    }

    OpenAiChatReflector(OpenAiSettings settings, Sleeper sleeper) {
        this.settings = settings;
        this.sleeper = sleeper;
        this.http = HttpClient.newBuilder()
                .connectTimeout(settings.timeout())
                // HTTP/1.1: several local inference servers mishandle the h2c upgrade of plain-http requests
                .version(HttpClient.Version.HTTP_1_1)
                // a redirect could carry the bearer token to another host
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    @Override
    public String name() {
        return "openai";
    }

    @Override
    public Proposal propose(ReflectionRequest request) throws ReflectionException {
        if (request.examples().isEmpty()) {
            throw new ReflectionException("no examples to reflect on: the minibatch is empty", false);
        }
        String body = complete(requestBody(request));
        return parse(request, body);
    }

    @Override
    public void close() {
        http.close();
    }

    // --- request ---

    String requestBody(ReflectionRequest request) {
        ObjectNode root = JSON.createObjectNode();
        root.put("model", settings.model());
        ArrayNode messages = root.putArray("messages");
        messages.addObject().put("role", "system").put("content", SYSTEM_PROMPT);
        messages.addObject().put("role", "user").put("content", prompt(request));
        root.put("max_tokens", settings.maxTokens());
        root.put("temperature", 0);
        return JSON.writeValueAsString(root);
    }

    /** GEPA's reflection meta-prompt, with the scores shown and a request to list the weaknesses first. */
    static String prompt(ReflectionRequest request) {
        StringBuilder p = new StringBuilder();
        p.append("I provided an assistant with the following instructions to perform a task for me:\n```\n")
                .append(request.currentInstruction().strip())
                .append("\n```\n\n")
                .append("The following are examples of different task inputs provided to the assistant along with"
                        + " the assistant's response for each of them, the score it received (0 is worst, 1 is"
                        + " best), and some feedback on how the assistant's response could be better:\n```\n");
        List<ReflectionExample> examples = request.examples();
        for (int i = 0; i < examples.size(); i++) {
            ReflectionExample e = examples.get(i);
            p.append("# Example ").append(i + 1).append('\n');
            p.append("## Inputs\n").append(cut(e.input())).append("\n\n");
            p.append("## Generated Outputs\n").append(cut(e.output())).append("\n\n");
            p.append("## Score\n")
                    .append(String.format(Locale.ROOT, "%.3f", e.score()))
                    .append("\n\n");
            p.append("## Feedback\n").append(cut(e.feedback())).append("\n\n");
        }
        p.setLength(p.length() - 1);
        p.append("```\n\n");
        if (!request.toolDescriptions().isEmpty()) {
            p.append("The assistant can call these tools:\n```\n");
            request.toolDescriptions()
                    .forEach((tool, description) -> p.append("- ")
                            .append(tool)
                            .append(": ")
                            .append(cut(description))
                            .append('\n'));
            p.append("```\n\n");
        }
        p.append("Your task is to write a new instruction for the assistant.\n\n")
                .append("Read the inputs carefully and identify the input format and infer detailed task"
                        + " description about the task I wish to solve with the assistant.\n\n")
                .append("Read all the assistant responses and the corresponding feedback. Identify all niche and"
                        + " domain specific factual information about the task and include it in the instruction,"
                        + " as a lot of it may not be available to the assistant in the future. The assistant may"
                        + " have utilized a generalizable strategy to solve the task, if so, include that in the"
                        + " instruction as well.\n\n")
                .append("First list the main weaknesses of the current instructions, one per line starting with"
                        + " \"- \". Then provide the new instructions within ``` blocks.");
        return p.toString();
    }

    private static String cut(String s) {
        String text = s.strip();
        return text.length() <= MAX_FIELD_CHARS ? text : text.substring(0, MAX_FIELD_CHARS) + "\n[… truncated]";
    }

    // --- transport ---

    /** The body of the first 2xx answer, retrying what may pass on a later attempt. */
    private String complete(String body) throws ReflectionException {
        HttpRequest.Builder builder = HttpRequest.newBuilder(settings.chatCompletions())
                .timeout(settings.timeout())
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (settings.apiKey() != null) builder.header("Authorization", "Bearer " + settings.apiKey());
        HttpRequest request = builder.build();

        int attempts = settings.maxRetries() + 1;
        ReflectionException last = null;
        for (int attempt = 1; ; attempt++) {
            Duration delay = backoff(attempt);
            try {
                HttpResponse<String> response = send(request);
                int status = response.statusCode();
                if (status >= 200 && status < 300) return response.body();
                String detail = "the chat endpoint answered HTTP " + status + ": " + excerpt(response.body());
                if (status != 429 && status < 500) {
                    throw new ReflectionException(detail + hint(status), false);
                }
                last = new ReflectionException(detail, true);
                delay = retryAfter(response).orElse(delay);
            } catch (IOException e) {
                last = new ReflectionException(describe(e), true, e);
            }
            if (attempt >= attempts) break;
            log.warn(
                    "Reflection call {}/{} to {} failed ({}); retrying in {} ms",
                    attempt,
                    attempts,
                    settings.chatCompletions(),
                    last.getMessage(),
                    delay.toMillis());
            pause(delay);
        }
        throw new ReflectionException(
                last.getMessage() + " (gave up after " + attempts + (attempts == 1 ? " attempt)" : " attempts)"),
                true,
                last.getCause());
    }

    /** One attempt; the whole answer, headers and body, must arrive within the timeout. */
    private HttpResponse<String> send(HttpRequest request) throws IOException, ReflectionException {
        CompletableFuture<HttpResponse<String>> future =
                http.sendAsync(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        try {
            return future.get(settings.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new HttpTimeoutException("request timed out");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) throw io;
            throw new IOException(e.getCause());
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new ReflectionException("interrupted while waiting for the chat endpoint", true, e);
        }
    }

    private void pause(Duration delay) throws ReflectionException {
        try {
            sleeper.sleep(delay);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ReflectionException("interrupted while waiting to retry the chat endpoint", true, e);
        }
    }

    /** Exponential backoff before the attempt after {@code attempt}: 1 s, 2 s, 4 s, … at most 30 s. */
    static Duration backoff(int attempt) {
        long millis = FIRST_BACKOFF.toMillis() << Math.min(attempt - 1, 20);
        return Duration.ofMillis(Math.min(millis, MAX_BACKOFF.toMillis()));
    }

    /** The server's {@code Retry-After} in seconds (the HTTP-date form is ignored), capped at 30 s. */
    static Optional<Duration> retryAfter(HttpResponse<?> response) {
        return response.headers()
                .firstValue("Retry-After")
                .map(RETRY_AFTER_SECONDS::matcher)
                .filter(Matcher::matches)
                .map(m -> Duration.ofSeconds(Math.min(Long.parseLong(m.group(1)), MAX_BACKOFF.toSeconds())));
    }

    private String describe(IOException e) {
        if (e instanceof HttpTimeoutException) {
            return "the chat endpoint at " + settings.chatCompletions() + " did not answer within "
                    + settings.timeout().toMillis() + " ms";
        }
        if (e instanceof ConnectException) {
            return "cannot connect to the chat endpoint at " + settings.chatCompletions();
        }
        return "I/O error talking to the chat endpoint at " + settings.chatCompletions() + ": "
                + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + scrub(e.getMessage()));
    }

    private static String hint(int status) {
        return switch (status) {
            case 401, 403 -> " (check the API key)";
            case 404 -> " (check the base URL and the model name)";
            case 400, 413, 422 -> " (the endpoint rejected the request; check the model and max tokens)";
            default -> "";
        };
    }

    /** A short, single-line, key-free excerpt of an answer: its error message if it is an OpenAI error body. */
    private String excerpt(String body) {
        if (body == null || body.isBlank()) return "(empty body)";
        String text = body;
        try {
            JsonNode error = JSON.readTree(body).path("error");
            JsonNode message = error.isString() ? error : error.path("message");
            if (message.isString() && !message.stringValue().isBlank()) text = message.stringValue();
        } catch (JacksonException notJson) {
            // keep the raw body
        }
        text = scrub(text).replaceAll("\\s+", " ").strip();
        return text.length() <= EXCERPT_CHARS ? text : text.substring(0, EXCERPT_CHARS) + "…";
    }

    /** Servers sometimes echo the credentials they were sent. */
    private String scrub(String text) {
        String key = settings.apiKey();
        return key == null ? text : text.replace(key, "<hidden>");
    }

    // --- answer ---

    private Proposal parse(ReflectionRequest request, String body) throws ReflectionException {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JacksonException e) {
            throw new ReflectionException(
                    "the chat endpoint answered with a body that is not JSON: " + excerpt(body), false);
        }
        if (root == null || !root.isObject()) {
            throw new ReflectionException(
                    "the chat endpoint answered with JSON that is not an object: " + excerpt(body), false);
        }
        JsonNode choices = root.path("choices");
        if (!choices.isArray() || choices.isEmpty()) {
            throw new ReflectionException("the chat endpoint's answer has no choices: " + excerpt(body), false);
        }
        JsonNode choice = choices.get(0);
        String finishReason = text(choice.path("finish_reason"));
        String content = content(choice.path("message").path("content"));
        if (content == null) {
            throw new ReflectionException(
                    "the chat endpoint's answer has no choices[0].message.content: " + excerpt(body), false);
        }
        if (content.isBlank()) {
            throw new ReflectionException(
                    "the model returned an empty answer" + (finishReason.equals("length") ? truncated() : ""), false);
        }
        Extraction extraction = extract(content);
        if (extraction.unclosed() && finishReason.equals("length")) {
            throw new ReflectionException("the model's answer ended inside the instruction block" + truncated(), false);
        }
        String instruction = extraction.instruction();
        if (instruction.isEmpty()) {
            throw new ReflectionException("the model's instruction block is empty", false);
        }
        if (instruction.length() > MAX_INSTRUCTION_CHARS) {
            throw new ReflectionException(
                    "the proposed instruction has " + instruction.length() + " characters, more than the "
                            + MAX_INSTRUCTION_CHARS + " allowed",
                    false);
        }
        if (sameText(instruction, request.currentInstruction())) {
            throw new ReflectionException("the model proposed the current instruction unchanged", false);
        }
        String analysis = extraction.outside().strip();
        if (analysis.length() > MAX_ANALYSIS_CHARS) analysis = analysis.substring(0, MAX_ANALYSIS_CHARS) + "…";
        return new Proposal(instruction, request.toolDescriptions(), analysis, weaknesses(extraction.outside()));
    }

    private String truncated() {
        return " (cut off at max_tokens=" + settings.maxTokens() + "; raise maxTokens)";
    }

    /** The message content: a string, or the text parts of a content array. */
    private static String content(JsonNode node) {
        if (node.isString()) return node.stringValue();
        if (!node.isArray()) return null;
        StringBuilder s = new StringBuilder();
        for (JsonNode part : node) s.append(text(part.path("text")));
        return s.toString();
    }

    private static String text(JsonNode node) {
        return node.isString() ? node.stringValue() : "";
    }

    private static boolean sameText(String a, String b) {
        return a.replaceAll("\\s+", " ")
                .strip()
                .equals(b.replaceAll("\\s+", " ").strip());
    }

    /**
     * @param instruction the text of the first fenced block (or of the whole answer when it has none), trimmed
     * @param outside the rest of the answer
     * @param unclosed whether the block was opened but never closed
     */
    record Extraction(String instruction, String outside, boolean unclosed) {}

    /**
     * The text inside the first {@code ```} block, without an info string such as {@code text} on the opening
     * line; the whole answer when there is no block; the rest of the answer when the block is never closed.
     */
    static Extraction extract(String content) {
        int open = content.indexOf("```");
        if (open < 0) return new Extraction(content.strip(), "", false);
        int start = open + 3;
        int close = content.indexOf("```", start);
        int lineEnd = content.indexOf('\n', start);
        if (lineEnd >= 0
                && (close < 0 || lineEnd < close)
                && !content.substring(start, lineEnd).strip().contains(" ")) {
            start = lineEnd + 1;
        }
        if (close < 0) return new Extraction(content.substring(start).strip(), content.substring(0, open), true);
        return new Extraction(
                content.substring(start, close).strip(),
                content.substring(0, open) + content.substring(close + 3),
                false);
    }

    /** The bullet lines of the text around the instruction block, as the prompt asked for them. */
    static List<String> weaknesses(String outside) {
        List<String> weaknesses = new ArrayList<>();
        for (String line : outside.split("\n")) {
            Matcher m = BULLET.matcher(line);
            if (!m.matches()) continue;
            String weakness = m.group(1).strip();
            if (weakness.length() > EXCERPT_CHARS) weakness = weakness.substring(0, EXCERPT_CHARS) + "…";
            if (!weakness.isEmpty() && !weaknesses.contains(weakness)) weaknesses.add(weakness);
            if (weaknesses.size() == MAX_WEAKNESSES) break;
        }
        return weaknesses;
    }
}
