package io.promptloop.optimizer.reflection.openai;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * Where and how to reach an OpenAI-compatible chat endpoint ({@code POST {baseUrl}/chat/completions}).
 *
 * @param baseUrl e.g. {@code https://api.openai.com/v1} or {@code http://localhost:11434/v1}
 * @param model the model name the endpoint expects
 * @param apiKey bearer token, or null (or blank) for endpoints without authentication; never printed
 * @param timeout per attempt: connecting and receiving the whole answer
 * @param maxRetries extra attempts after a timeout, an I/O error, HTTP 429 or 5xx (0..10)
 * @param maxTokens most tokens the model may answer with (1..32,000)
 */
public record OpenAiSettings(
        URI baseUrl, String model, String apiKey, Duration timeout, int maxRetries, int maxTokens) {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(120);
    public static final int DEFAULT_MAX_RETRIES = 3;
    public static final int DEFAULT_MAX_TOKENS = 4_000;

    public OpenAiSettings {
        Objects.requireNonNull(baseUrl, "baseUrl");
        String scheme = baseUrl.getScheme() == null ? "" : baseUrl.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https"))
            throw new IllegalArgumentException("baseUrl must be an http or https URL, was " + redacted(baseUrl));
        if (baseUrl.getHost() == null) throw new IllegalArgumentException("baseUrl has no host: " + redacted(baseUrl));
        if (baseUrl.getRawUserInfo() != null)
            throw new IllegalArgumentException("baseUrl must not carry credentials; set apiKey instead");
        if (baseUrl.getRawQuery() != null || baseUrl.getRawFragment() != null)
            throw new IllegalArgumentException("baseUrl must not have a query or fragment: " + redacted(baseUrl));
        if (model == null || model.isBlank()) throw new IllegalArgumentException("model must not be blank");
        model = model.strip();
        apiKey = apiKey == null || apiKey.isBlank() ? null : apiKey.strip();
        Objects.requireNonNull(timeout, "timeout");
        if (!timeout.isPositive()) throw new IllegalArgumentException("timeout must be positive, was " + timeout);
        if (maxRetries < 0 || maxRetries > 10)
            throw new IllegalArgumentException("maxRetries must be within 0..10, was " + maxRetries);
        if (maxTokens < 1 || maxTokens > 32_000)
            throw new IllegalArgumentException("maxTokens must be within 1..32000, was " + maxTokens);
    }

    /** Settings with the default timeout, retries and answer length. */
    public static OpenAiSettings of(URI baseUrl, String model, String apiKey) {
        return new OpenAiSettings(baseUrl, model, apiKey, DEFAULT_TIMEOUT, DEFAULT_MAX_RETRIES, DEFAULT_MAX_TOKENS);
    }

    /** {@code {baseUrl}/chat/completions}, with or without a trailing slash on the base. */
    public URI chatCompletions() {
        String base = baseUrl.toString();
        while (base.endsWith("/")) base = base.substring(0, base.length() - 1);
        return URI.create(base + "/chat/completions");
    }

    @Override
    public String toString() {
        return "OpenAiSettings[baseUrl=" + baseUrl + ", model=" + model + ", apiKey="
                + (apiKey == null ? "<none>" : "<hidden>") + ", timeout=" + timeout + ", maxRetries=" + maxRetries
                + ", maxTokens=" + maxTokens + "]";
    }

    private static String redacted(URI uri) {
        return uri.getRawUserInfo() == null ? uri.toString() : uri.getScheme() + "://<credentials>@" + uri.getHost();
    }
}
