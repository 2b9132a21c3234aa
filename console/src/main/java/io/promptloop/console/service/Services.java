package io.promptloop.console.service;

import io.promptloop.console.config.ConsoleProperties;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.function.Function;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientResponseException;
import org.springframework.web.util.UriBuilder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The services' HTTP APIs, called with the console's service credential. An error answer becomes a
 * {@link ServiceCallFailed} carrying the API's own text (an RFC 9457 problem's {@code detail}, else the body), so
 * the page can show why.
 */
@Component
public class Services {

    public enum Service {
        INGEST,
        OPTIMIZER,
        ABTEST
    }

    private final ConsoleProperties properties;
    private final RestClient http;
    private final ObjectMapper json;

    Services(ConsoleProperties properties, RestClient.Builder builder, ObjectMapper json) {
        this.properties = properties;
        this.json = json;
        String basic = Base64.getEncoder()
                .encodeToString((properties.serviceUser() + ":" + properties.servicePassword())
                        .getBytes(StandardCharsets.UTF_8));
        this.http = builder.defaultHeader(HttpHeaders.AUTHORIZATION, "Basic " + basic)
                .build();
    }

    public JsonNode get(Service service, Function<UriBuilder, URI> uri) {
        return get(service, uri, JsonNode.class);
    }

    public <T> T get(Service service, Function<UriBuilder, URI> uri, Class<T> type) {
        return call(() -> http.get()
                .uri(base(service), b -> uri.apply(b))
                .accept(MediaType.APPLICATION_JSON)
                .retrieve()
                .body(type));
    }

    public JsonNode post(Service service, String path, Object body) {
        return call(() -> http.post()
                .uri(base(service) + path)
                .contentType(MediaType.APPLICATION_JSON)
                .accept(MediaType.APPLICATION_JSON)
                .body(body == null ? java.util.Map.of() : body)
                .retrieve()
                .body(JsonNode.class));
    }

    /** Streams a GET's body (e.g. a CSV export) to {@code out}, without holding it in memory. */
    public void copy(Service service, Function<UriBuilder, URI> uri, OutputStream out) {
        call(() -> http.get().uri(base(service), b -> uri.apply(b)).exchange((request, response) -> {
            if (response.getStatusCode().isError()) {
                throw new ServiceCallFailed(
                        response.getStatusCode().value(),
                        text(new String(response.getBody().readAllBytes(), StandardCharsets.UTF_8)));
            }
            response.getBody().transferTo(out);
            return null;
        }));
    }

    private <T> T call(java.util.function.Supplier<T> call) {
        try {
            return call.get();
        } catch (RestClientResponseException e) {
            throw new ServiceCallFailed(e.getStatusCode().value(), text(e.getResponseBodyAsString()));
        } catch (ResourceAccessException e) {
            throw new ServiceCallFailed(0, "the service cannot be reached: " + e.getMessage());
        }
    }

    /** The problem's detail if the body is an RFC 9457 problem, else the body itself. */
    private String text(String body) {
        try {
            JsonNode node = json.readTree(body);
            if (node.hasNonNull("detail")) return node.get("detail").asString();
        } catch (RuntimeException notJson) {
            // not JSON: show the body as it is
        }
        return body.isBlank() ? "(no text)" : body;
    }

    private String base(Service service) {
        return switch (service) {
            case INGEST -> properties.ingestUrl().toString();
            case OPTIMIZER -> properties.optimizerUrl().toString();
            case ABTEST -> properties.abtestUrl().toString();
        };
    }
}
