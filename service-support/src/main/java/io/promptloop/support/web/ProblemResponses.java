package io.promptloop.support.web;

import io.promptloop.support.web.Problems.FieldError;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.ConstraintViolationException;
import java.sql.SQLTransientConnectionException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.TransientDataAccessResourceException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.lang.Nullable;
import org.springframework.validation.method.ParameterValidationResult;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.ServletWebRequest;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.DatabindException;
import tools.jackson.databind.exc.InvalidFormatException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;

/**
 * Every bad request of every service answered as an RFC 9457 problem that names the offending field (a JSON path
 * or a query parameter), a body over the limit as 413, and a database that cannot be reached as 503 with
 * {@code Retry-After} instead of a hung request or a bare 500. Handlers of a controller's own exceptions (409 for a
 * state conflict, 404 for an unknown id) take precedence over these.
 */
@RestControllerAdvice
@Order(Ordered.LOWEST_PRECEDENCE)
public class ProblemResponses extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemResponses.class);

    /** Seconds a client should wait before trying again while the database is unreachable. */
    static final String RETRY_AFTER_SECONDS = "5";

    @Override
    protected ResponseEntity<Object> handleMethodArgumentNotValid(
            MethodArgumentNotValidException ex, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        List<FieldError> errors = new ArrayList<>();
        ex.getBindingResult()
                .getFieldErrors()
                .forEach(e -> errors.add(new FieldError(e.getField(), String.valueOf(e.getDefaultMessage()))));
        ex.getBindingResult()
                .getGlobalErrors()
                .forEach(e -> errors.add(new FieldError(e.getObjectName(), String.valueOf(e.getDefaultMessage()))));
        return badRequest(errors, request);
    }

    @Override
    protected ResponseEntity<Object> handleHandlerMethodValidationException(
            HandlerMethodValidationException ex, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        List<FieldError> errors = new ArrayList<>();
        for (ParameterValidationResult result : ex.getParameterValidationResults()) {
            String name = result.getMethodParameter().getParameterName();
            result.getResolvableErrors()
                    .forEach(e ->
                            errors.add(new FieldError(String.valueOf(name), String.valueOf(e.getDefaultMessage()))));
        }
        return badRequest(errors, request);
    }

    @Override
    protected ResponseEntity<Object> handleMissingServletRequestParameter(
            MissingServletRequestParameterException ex,
            HttpHeaders headers,
            HttpStatusCode status,
            WebRequest request) {
        return badRequest(List.of(new FieldError(ex.getParameterName(), "is required")), request);
    }

    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(
            HttpMessageNotReadableException ex, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        for (Throwable t = ex; t != null; t = t.getCause()) {
            if (t instanceof RequestTooLargeException tooLarge) return tooLarge(tooLarge, request);
        }
        return badRequest(List.of(describe(ex)), request);
    }

    @Override
    protected ResponseEntity<Object> handleHttpMediaTypeNotSupported(
            HttpMediaTypeNotSupportedException ex, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        ProblemDetail problem = Problems.problem(
                HttpStatus.UNSUPPORTED_MEDIA_TYPE,
                "Content-Type " + ex.getContentType() + " is not supported; send application/json",
                servletRequest(request));
        return ResponseEntity.status(HttpStatus.UNSUPPORTED_MEDIA_TYPE).body(problem);
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ResponseEntity<Object> typeMismatch(MethodArgumentTypeMismatchException ex, WebRequest request) {
        String expected = ex.getRequiredType() == null
                ? "a valid value"
                : "a valid " + ex.getRequiredType().getSimpleName();
        return badRequest(List.of(new FieldError(ex.getName(), "'" + ex.getValue() + "' is not " + expected)), request);
    }

    @ExceptionHandler(ConstraintViolationException.class)
    ResponseEntity<Object> constraintViolation(ConstraintViolationException ex, WebRequest request) {
        List<FieldError> errors = ex.getConstraintViolations().stream()
                .map(v -> new FieldError(lastNode(v.getPropertyPath().toString()), v.getMessage()))
                .toList();
        return badRequest(errors, request);
    }

    @ExceptionHandler(InvalidRequestException.class)
    ResponseEntity<Object> invalid(InvalidRequestException ex, WebRequest request) {
        return ResponseEntity.badRequest().body(Problems.invalid(ex.getMessage(), servletRequest(request)));
    }

    @ExceptionHandler(RequestTooLargeException.class)
    ResponseEntity<Object> tooLarge(RequestTooLargeException ex, WebRequest request) {
        return ResponseEntity.status(HttpStatus.CONTENT_TOO_LARGE)
                .body(Problems.problem(HttpStatus.CONTENT_TOO_LARGE, ex.getMessage(), servletRequest(request)));
    }

    /** The database cannot be reached (down, or no connection within the pool's bounded wait). */
    @ExceptionHandler({
        CannotGetJdbcConnectionException.class,
        DataAccessResourceFailureException.class,
        TransientDataAccessResourceException.class,
        SQLTransientConnectionException.class
    })
    ResponseEntity<Object> databaseUnavailable(Exception ex, WebRequest request) {
        log.warn("answered 503: the database is unreachable ({})", ex.toString());
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
                .header(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS)
                .body(Problems.problem(
                        HttpStatus.SERVICE_UNAVAILABLE,
                        "the database cannot be reached; try again in " + RETRY_AFTER_SECONDS + " s",
                        servletRequest(request)));
    }

    /** Names the field a body could not be read at, and why. */
    static FieldError describe(HttpMessageNotReadableException ex) {
        for (Throwable t = ex.getCause(); t != null; t = t.getCause()) {
            if (t instanceof UnrecognizedPropertyException unknown) {
                return new FieldError(path(unknown), "is not a known field");
            }
            if (t instanceof InvalidFormatException invalid) {
                String type = invalid.getTargetType() == null
                        ? "value"
                        : invalid.getTargetType().getSimpleName();
                return new FieldError(path(invalid), "'" + invalid.getValue() + "' is not a valid " + type);
            }
            if (t instanceof DatabindException bind && !bind.getPath().isEmpty()) {
                return new FieldError(path(bind), firstLine(bind.getOriginalMessage()));
            }
            if (t instanceof StreamReadException read) {
                var location = read.getLocation();
                String where = location == null
                        ? ""
                        : " at line " + location.getLineNr() + ", column " + location.getColumnNr();
                return new FieldError(
                        "body", "is not valid JSON" + where + ": " + firstLine(read.getOriginalMessage()));
            }
        }
        String message = ex.getMessage() == null ? "" : ex.getMessage();
        if (message.startsWith("Required request body is missing")) return new FieldError("body", "is required");
        return new FieldError("body", "cannot be read: " + firstLine(message));
    }

    private static String path(DatabindException e) {
        StringBuilder path = new StringBuilder();
        for (JacksonException.Reference ref : e.getPath()) {
            if (ref.getPropertyName() != null) {
                if (!path.isEmpty()) path.append('.');
                path.append(ref.getPropertyName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.isEmpty() ? "body" : path.toString();
    }

    private static String lastNode(String propertyPath) {
        int dot = propertyPath.lastIndexOf('.');
        return dot < 0 ? propertyPath : propertyPath.substring(dot + 1);
    }

    private static String firstLine(@Nullable String message) {
        if (message == null) return "";
        int newline = message.indexOf('\n');
        String line = newline < 0 ? message : message.substring(0, newline);
        return line.length() > 300 ? line.substring(0, 300) + "..." : line;
    }

    private static ResponseEntity<Object> badRequest(List<FieldError> errors, WebRequest request) {
        return ResponseEntity.badRequest().body(Problems.badRequest(errors, servletRequest(request)));
    }

    private static HttpServletRequest servletRequest(WebRequest request) {
        return request instanceof ServletWebRequest servlet ? servlet.getRequest() : null;
    }
}
