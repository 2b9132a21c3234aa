package io.promptloop.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Holds a service's served OpenAPI description to its controllers: every {@code /api} endpoint the application
 * maps must be described, with each of its HTTP methods, and the description must describe nothing else under
 * {@code /api}. The description is generated from the controllers (springdoc); this check keeps it from silently
 * losing an endpoint (a hidden controller, a filtered package, a path prefix that changed).
 */
public final class OpenApiContract {

    private OpenApiContract() {}

    /**
     * @param apiDocs the JSON served at {@code /v3/api-docs}
     * @param endpoints the application's mappings: path pattern → HTTP methods
     * @return what is wrong; empty when the description is true
     */
    public static List<String> problems(String apiDocs, Map<String, Set<String>> endpoints) {
        JsonNode paths = JsonMapper.builder().build().readTree(apiDocs).path("paths");
        List<String> problems = new ArrayList<>();
        if (!apiDocs.contains("\"openapi\"")) problems.add("not an OpenAPI document");
        endpoints.forEach((path, methods) -> {
            if (!path.startsWith("/api")) return;
            JsonNode described = paths.path(path);
            if (described.isMissingNode()) {
                problems.add(path + " is not described");
                return;
            }
            for (String method : methods) {
                if (described.path(method.toLowerCase(Locale.ROOT)).isMissingNode()) {
                    problems.add(method + " " + path + " is not described");
                }
            }
        });
        for (String path : paths.propertyNames()) {
            if (path.startsWith("/api") && !endpoints.containsKey(path)) {
                problems.add(path + " is described but not served");
            }
        }
        return problems;
    }
}
