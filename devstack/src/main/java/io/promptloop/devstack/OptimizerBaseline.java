package io.promptloop.devstack;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/**
 * Registers the simulated agent's instruction with the optimizer ({@code POST /api/instructions}): the seed
 * candidate of the policy's runs and the baseline of their A/B tests. The optimizer keeps one version per text and
 * activates only a predictor's first, so on a restart this changes nothing — a rolled-out winner stays active.
 */
final class OptimizerBaseline {

    private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    private OptimizerBaseline() {}

    /**
     * @return {@code v<version> (active)} or {@code v<version> (a later version is active)}
     * @throws IllegalStateException if the optimizer does not answer 200 or 201
     */
    static String register(int optimizerPort, String agentName, String instruction, String user, String password) {
        ObjectNode body = JSON.createObjectNode()
                .put("agent", agentName)
                .putNull("predictor")
                .put("text", instruction);
        String url = "http://127.0.0.1:" + optimizerPort + "/api/instructions";
        HttpResponse<String> response;
        try (HttpClient client =
                HttpClient.newBuilder().connectTimeout(HTTP_TIMEOUT).build()) {
            response = client.send(
                    HttpRequest.newBuilder(URI.create(url))
                            .timeout(HTTP_TIMEOUT)
                            .header("Content-Type", "application/json")
                            .header(
                                    "Authorization",
                                    "Basic "
                                            + Base64.getEncoder()
                                                    .encodeToString(
                                                            (user + ":" + password).getBytes(StandardCharsets.UTF_8)))
                            .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot register the baseline instruction at " + url, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while registering the baseline instruction", e);
        }
        if (response.statusCode() != 201 && response.statusCode() != 200) {
            throw new IllegalStateException("the optimizer refused the baseline instruction: POST " + url + " answered "
                    + response.statusCode() + ": " + response.body());
        }
        return describe(response.body());
    }

    /** {@code v<version>} and whether it is active, from the optimizer's answer. */
    static String describe(String answer) {
        JsonNode node;
        try {
            node = JSON.readTree(answer);
        } catch (JsonProcessingException e) {
            return "v? (the optimizer's answer was not JSON)";
        }
        String version = node.path("version").isNumber() ? node.path("version").asText() : "?";
        boolean active = node.path("active").asBoolean(false)
                || node.path("is_active").asBoolean(false)
                || node.path("isActive").asBoolean(false);
        return "v" + version + (active ? " (active)" : " (a later version is active)");
    }
}
