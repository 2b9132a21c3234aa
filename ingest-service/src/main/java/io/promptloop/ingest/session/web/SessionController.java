package io.promptloop.ingest.session.web;

import io.promptloop.ingest.session.domain.CsvFormat;
import io.promptloop.ingest.session.domain.SessionFilter;
import io.promptloop.ingest.session.persistence.SessionQueries;
import io.promptloop.support.web.InvalidRequestException;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;

/** Tuning sessions for analysts and testers: list, one in full, and the seed-003 CSV export. */
@RestController
@RequestMapping("/api/sessions")
class SessionController {

    static final int MAX_PAGE_SIZE = 500;
    static final List<String> CSV_HEADER = List.of(
            "session_id",
            "tester_email",
            "turn_number",
            "user_message",
            "agent_response",
            "improvement_note",
            "category",
            "timestamp");

    private final SessionQueries queries;
    private final TransactionTemplate readOnly;

    SessionController(SessionQueries queries, TransactionTemplate transaction) {
        this.queries = queries;
        this.readOnly = new TransactionTemplate(transaction.getTransactionManager());
        this.readOnly.setReadOnly(true);
    }

    @GetMapping
    SessionQueries.Page<SessionQueries.SessionRow> list(
            @RequestParam(required = false) String tester,
            @RequestParam(required = false) String agent,
            @RequestParam(required = false) String status,
            @RequestParam(required = false) String from,
            @RequestParam(required = false) String to,
            @RequestParam(defaultValue = "0") int page,
            @RequestParam(defaultValue = "50") int size) {
        if (page < 0) throw new InvalidRequestException("page must be >= 0, was " + page);
        if (size < 1 || size > MAX_PAGE_SIZE) {
            throw new InvalidRequestException("size must be within 1.." + MAX_PAGE_SIZE + ", was " + size);
        }
        if ((long) page * size > Integer.MAX_VALUE) throw new InvalidRequestException("page is too large");
        return queries.list(filter(tester, agent, status, from, to), page, size);
    }

    @GetMapping("/{id}")
    ResponseEntity<?> one(@PathVariable UUID id) {
        return queries.find(id).<ResponseEntity<?>>map(ResponseEntity::ok).orElseGet(() -> notFound(id));
    }

    @GetMapping(value = "/{id}/export.csv", produces = "text/csv")
    ResponseEntity<StreamingResponseBody> exportOne(@PathVariable UUID id) {
        if (!queries.exists(id)) {
            throw new ErrorResponseException(
                    HttpStatus.NOT_FOUND,
                    ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, "no session " + id),
                    null);
        }
        return csv("session-" + id + ".csv", null, id);
    }

    @GetMapping(value = "/export.csv", produces = "text/csv")
    ResponseEntity<StreamingResponseBody> exportMany(
            @RequestParam(required = false) String tester,
            @RequestParam(required = false) String agent,
            @RequestParam(required = false) String status,
            @RequestParam(required = false) String from,
            @RequestParam(required = false) String to) {
        return csv("sessions.csv", filter(tester, agent, status, from, to), null);
    }

    private ResponseEntity<StreamingResponseBody> csv(String fileName, SessionFilter filter, UUID sessionId) {
        StreamingResponseBody body = out -> {
            Writer writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 64 * 1024);
            writer.write(CsvFormat.row(CSV_HEADER));
            readOnly.executeWithoutResult(status -> queries.exportRows(filter, sessionId, row -> {
                try {
                    writer.write(CsvFormat.row(Arrays.asList(
                            row.sessionId(),
                            row.testerEmail(),
                            row.turnNumber(),
                            row.userMessage(),
                            row.agentResponse(),
                            row.improvementNote(),
                            row.category(),
                            row.noteTimestamp())));
                } catch (IOException e) {
                    throw new UncheckedIOException(e); // the client went away: stop the query
                }
            }));
            writer.flush();
        };
        return ResponseEntity.ok()
                .header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"" + fileName + "\"")
                .contentType(new MediaType("text", "csv", StandardCharsets.UTF_8))
                .body(body);
    }

    private static SessionFilter filter(String tester, String agent, String status, String from, String to) {
        SessionFilter.Status parsedStatus = null;
        if (status != null) {
            try {
                parsedStatus = SessionFilter.Status.valueOf(status.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new InvalidRequestException("status must be 'active' or 'ended', was '" + status + "'");
            }
        }
        return new SessionFilter(
                blankToNull(tester), blankToNull(agent), parsedStatus, instant("from", from), instant("to", to));
    }

    private static Instant instant(String name, String value) {
        if (value == null || value.isBlank()) return null;
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw new InvalidRequestException(
                    name + " must be an ISO-8601 instant such as 2025-10-24T10:00:00Z, was '" + value + "'");
        }
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }

    private static ResponseEntity<?> notFound(UUID id) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, "no session " + id);
        return ResponseEntity.status(HttpStatus.NOT_FOUND).body(problem);
    }
}
