package io.promptloop.support.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import tools.jackson.databind.json.JsonMapper;

/**
 * RFC 9457 problem responses, one shape for every service: {@code type}, {@code title}, {@code status},
 * {@code detail}, {@code instance}, and for a bad request {@code errors}: one entry per offending field, so a
 * client learns what to change without reading logs.
 */
public final class Problems {

    /** The extension member that lists the offending fields. */
    public static final String ERRORS = "errors";

    private final JsonMapper json;

    public Problems(JsonMapper json) {
        this.json = json;
    }

    /** One offending input: a JSON path such as {@code rolloutSteps[1]} or a query parameter name. */
    public record FieldError(String field, String message) {}

    public static ProblemDetail problem(HttpStatus status, String detail, HttpServletRequest request) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        if (request != null) problem.setInstance(URI.create(request.getRequestURI()));
        return problem;
    }

    public static ProblemDetail badRequest(List<FieldError> errors, HttpServletRequest request) {
        String detail = errors.isEmpty()
                ? "the request is invalid"
                : errors.stream()
                        .map(e -> e.field() + ": " + e.message())
                        .reduce((a, b) -> a + "; " + b)
                        .orElseThrow();
        ProblemDetail problem = problem(HttpStatus.BAD_REQUEST, detail, request);
        problem.setProperty(
                ERRORS,
                errors.stream()
                        .map(e -> Map.of("field", e.field(), "message", e.message()))
                        .toList());
        return problem;
    }

    private static final java.util.regex.Pattern LEADING_FIELD = java.util.regex.Pattern.compile(
            "^([A-Za-z_][A-Za-z0-9_.\\[\\]]*) ((?:must|is|are|has|have|was|cannot|should|needs)\\b.*)$",
            java.util.regex.Pattern.DOTALL);

    /**
     * A 400 from a validation message that begins with the field it is about ({@code "size must be within 1..500"},
     * {@code "text is required"}), as the services' own checks write them; the field is named in {@code errors}.
     */
    public static ProblemDetail invalid(String message, HttpServletRequest request) {
        String text = message == null ? "the request is invalid" : message;
        var m = LEADING_FIELD.matcher(text);
        FieldError error = m.matches() ? new FieldError(m.group(1), m.group(2)) : new FieldError("request", text);
        ProblemDetail problem = badRequest(List.of(error), request);
        problem.setDetail(text);
        return problem;
    }

    /** Writes a problem where no MVC handler runs (security entry points, filters). */
    public void write(HttpServletResponse response, HttpStatus status, String detail, HttpServletRequest request)
            throws IOException {
        write(response, problem(status, detail, request));
    }

    public void write(HttpServletResponse response, ProblemDetail problem) throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put(
                "type",
                problem.getType() == null ? "about:blank" : problem.getType().toString());
        body.put("title", problem.getTitle());
        body.put("status", problem.getStatus());
        body.put("detail", problem.getDetail());
        if (problem.getInstance() != null)
            body.put("instance", problem.getInstance().toString());
        if (problem.getProperties() != null) body.putAll(problem.getProperties());
        response.setStatus(problem.getStatus());
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        response.setCharacterEncoding("UTF-8");
        json.writeValue(response.getOutputStream(), body);
    }
}
