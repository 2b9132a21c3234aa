package io.promptloop.testkit;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The few schema-registry calls the testkit makes, over the Confluent-compatible (ccompat) API so that they
 * work against any such registry, plus Apicurio's v3 admin API for its global rule. JDK HTTP client and a
 * hand-rolled minimum of JSON: the answers read here are flat, and a JSON library would leak to every
 * consumer's test classpath.
 */
final class RegistryClient {

    static final String SCHEMA_REGISTRY_JSON = "application/vnd.schemaregistry.v1+json";
    private static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*(\\d+)");
    private static final Pattern COMPATIBILITY = Pattern.compile("\"compatibility(?:Level)?\"\\s*:\\s*\"(\\w+)\"");
    private static final Pattern STRING = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"");

    private final ManagedRegistry registry;
    private final HttpClient http;

    RegistryClient(ManagedRegistry registry) {
        this.registry = registry;
        this.http = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(5))
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    /** A registry answer: status code and body. */
    record Response(int status, String body) {

        boolean ok() {
            return status / 100 == 2;
        }
    }

    /**
     * Registers {@code schemaJson} under {@code subject}, or finds it if already there; returns the id that
     * the Confluent wire format carries.
     */
    int register(String subject, String schemaJson) {
        Response response = send(
                "POST",
                registry.ccompatUrl() + "/subjects/" + encode(subject) + "/versions",
                "{\"schemaType\":\"AVRO\",\"schema\":" + quote(schemaJson) + "}");
        if (!response.ok()) {
            throw new IllegalStateException("registering subject " + subject + " at " + registry.ccompatUrl()
                    + " failed with HTTP " + response.status() + ": " + response.body());
        }
        return id(response.body());
    }

    /** Registers without checking the answer: for tests of incompatible changes. */
    Response tryRegister(String subject, String schemaJson) {
        return send(
                "POST",
                registry.ccompatUrl() + "/subjects/" + encode(subject) + "/versions",
                "{\"schemaType\":\"AVRO\",\"schema\":" + quote(schemaJson) + "}");
    }

    List<String> subjects() {
        Response response = get(registry.ccompatUrl() + "/subjects");
        List<String> subjects = new ArrayList<>();
        Matcher matcher = STRING.matcher(response.body());
        while (matcher.find()) {
            subjects.add(matcher.group(1));
        }
        return subjects;
    }

    /** The id of the latest version under {@code subject}. */
    int latestId(String subject) {
        return id(get(registry.ccompatUrl() + "/subjects/" + encode(subject) + "/versions/latest")
                .body());
    }

    /** The global compatibility level, as the ccompat API reports it. */
    String globalCompatibility() {
        Matcher matcher =
                COMPATIBILITY.matcher(get(registry.ccompatUrl() + "/config").body());
        return matcher.find() ? matcher.group(1) : "";
    }

    /** Sets the global compatibility level through the ccompat API (any Confluent-compatible registry). */
    void setGlobalCompatibilityCcompat(String level) {
        Response response = send("PUT", registry.ccompatUrl() + "/config", "{\"compatibility\":\"" + level + "\"}");
        if (!response.ok()) {
            throw new IllegalStateException("setting global compatibility " + level + " at " + registry.ccompatUrl()
                    + " failed with HTTP " + response.status() + ": " + response.body());
        }
        verifyGlobalCompatibility(level);
    }

    /** Sets Apicurio's global COMPATIBILITY rule through its v3 admin API: create it, or update it. */
    void setGlobalCompatibilityApicurio(String level) {
        String rule = "{\"ruleType\":\"COMPATIBILITY\",\"config\":\"" + level + "\"}";
        Response created = send("POST", registry.apiV3Url() + "/admin/rules", rule);
        if (created.status() == 409) {
            Response updated = send("PUT", registry.apiV3Url() + "/admin/rules/COMPATIBILITY", rule);
            if (!updated.ok()) {
                throw new IllegalStateException("updating the global compatibility rule failed with HTTP "
                        + updated.status() + ": " + updated.body());
            }
        } else if (!created.ok()) {
            throw new IllegalStateException("creating the global compatibility rule failed with HTTP "
                    + created.status() + ": " + created.body());
        }
        verifyGlobalCompatibility(level);
    }

    private void verifyGlobalCompatibility(String level) {
        String actual = globalCompatibility();
        if (!level.equals(actual)) {
            throw new IllegalStateException(
                    "global compatibility at " + registry.url() + " is '" + actual + "' after setting it to " + level);
        }
    }

    /** GET that must succeed. */
    Response get(String url) {
        Response response = send("GET", url, null);
        if (!response.ok()) {
            throw new IllegalStateException(
                    "GET " + url + " failed with HTTP " + response.status() + ": " + response.body());
        }
        return response;
    }

    /** GET that may fail: the answer, or empty if nothing listens. */
    Optional<Response> probe(String url) {
        try {
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(URI.create(url))
                            .timeout(Duration.ofSeconds(2))
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            return Optional.of(new Response(response.statusCode(), response.body()));
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    Response send(String method, String url, String json) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(30))
                .header("Accept", "application/json");
        if (json == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            // the ccompat API wants Confluent's media type, Apicurio's own API plain JSON
            request.header("Content-Type", url.contains("/apis/ccompat/") ? SCHEMA_REGISTRY_JSON : "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8));
        }
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(response.statusCode(), response.body());
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + url + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + method + " " + url, e);
        }
    }

    private static int id(String body) {
        Matcher matcher = ID.matcher(body);
        if (!matcher.find()) {
            throw new IllegalStateException("no schema id in registry answer: " + body);
        }
        return Integer.parseInt(matcher.group(1));
    }

    private static String encode(String pathSegment) {
        return URLEncoder.encode(pathSegment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** A JSON string literal. */
    static String quote(String value) {
        StringBuilder json = new StringBuilder(value.length() + 16).append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                default -> {
                    if (c < 0x20) {
                        json.append(String.format("\\u%04x", (int) c));
                    } else {
                        json.append(c);
                    }
                }
            }
        }
        return json.append('"').toString();
    }
}
