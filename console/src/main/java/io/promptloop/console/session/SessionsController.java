package io.promptloop.console.session;

import io.promptloop.console.config.ConsoleProperties;
import io.promptloop.console.service.ServiceCallFailed;
import io.promptloop.console.service.Services;
import io.promptloop.console.service.Services.Service;
import io.promptloop.console.web.Paging;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.UUID;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.util.UriBuilder;

/**
 * Page 2: tuning sessions, filtered and paged, one session's turns with their improvement notes, and the CSV
 * export. Reads through ingest-service's session API (it owns the listing, its filters and the export), so the
 * console does not repeat them.
 */
@Controller
class SessionsController {

    /** The filter form; times are the browser's {@code datetime-local} values, read as UTC. */
    public record SessionFilter(String tester, String agent, String status, String from, String to) {

        UriBuilder apply(UriBuilder b) {
            if (present(tester)) b.queryParam("tester", tester);
            if (present(agent)) b.queryParam("agent", agent);
            if (present(status)) b.queryParam("status", status);
            if (present(from)) b.queryParam("from", instant("from", from));
            if (present(to)) b.queryParam("to", instant("to", to));
            return b;
        }

        /** The same filter as the query string of a console URL (for the pager and the export link). */
        public String query() {
            StringBuilder q = new StringBuilder();
            append(q, "tester", tester);
            append(q, "agent", agent);
            append(q, "status", status);
            append(q, "from", from);
            append(q, "to", to);
            return q.toString();
        }

        private static void append(StringBuilder q, String name, String value) {
            if (present(value)) {
                q.append('&')
                        .append(name)
                        .append('=')
                        .append(java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8));
            }
        }

        private static boolean present(String value) {
            return value != null && !value.isBlank();
        }

        private static String instant(String name, String value) {
            try {
                return LocalDateTime.parse(value).toInstant(ZoneOffset.UTC).toString();
            } catch (DateTimeParseException e) {
                throw new ServiceCallFailed(
                        400, name + " must be a date and time such as 2026-12-06T10:00, was '" + value + "'");
            }
        }
    }

    /** ingest-service's session API, as far as the pages show it. */
    public record Page(List<Session> items, int page, int size, long total) {}

    public record Session(
            UUID id,
            String agentName,
            String predictorName,
            Instant sessionStart,
            Instant sessionEnd,
            int totalTurns,
            int totalImprovements,
            String testerId,
            String testerEmail,
            String testerName,
            String endReason) {

        public String tester() {
            return testerEmail != null ? testerEmail : testerId;
        }
    }

    public record Detail(Session session, List<Turn> turns) {}

    public record Turn(
            int turnNumber,
            String userMessage,
            String agentResponse,
            Instant occurredAt,
            Integer processingTimeMs,
            Double confidenceScore,
            List<Note> improvements) {}

    public record Note(String note, String category, Instant occurredAt) {}

    private final Services services;
    private final ConsoleProperties properties;

    SessionsController(Services services, ConsoleProperties properties) {
        this.services = services;
        this.properties = properties;
    }

    @GetMapping("/sessions")
    String list(
            @ModelAttribute("filter") SessionFilter filter, @RequestParam(required = false) Integer page, Model model) {
        Paging paging = Paging.of(page, properties.pageSize());
        model.addAttribute("paging", paging);
        try {
            Page result = services.get(
                    Service.INGEST,
                    b -> filter.apply(b.path("/api/sessions"))
                            .queryParam("page", paging.page())
                            .queryParam("size", paging.size())
                            .build(),
                    Page.class);
            model.addAttribute("sessions", result.items());
            long total = result.total();
            model.addAttribute("total", total);
            model.addAttribute("hasNext", (long) (paging.page() + 1) * paging.size() < total);
        } catch (ServiceCallFailed e) {
            model.addAttribute("error", e.getMessage());
            model.addAttribute("hasNext", false);
        }
        return "sessions";
    }

    @GetMapping("/sessions/{id}")
    String one(@PathVariable UUID id, Model model) {
        try {
            model.addAttribute(
                    "detail",
                    services.get(
                            Service.INGEST, b -> b.path("/api/sessions/{id}").build(id), Detail.class));
        } catch (ServiceCallFailed e) {
            model.addAttribute("error", e.getMessage());
        }
        model.addAttribute("id", id);
        return "session";
    }

    @GetMapping("/sessions/export.csv")
    void export(@ModelAttribute SessionFilter filter, HttpServletResponse response) throws IOException {
        csv(
                response,
                "sessions.csv",
                b -> filter.apply(b.path("/api/sessions/export.csv")).build());
    }

    @GetMapping("/sessions/{id}/export.csv")
    void exportOne(@PathVariable UUID id, HttpServletResponse response) throws IOException {
        csv(
                response,
                "session-" + id + ".csv",
                b -> b.path("/api/sessions/{id}/export.csv").build(id));
    }

    private void csv(HttpServletResponse response, String name, java.util.function.Function<UriBuilder, URI> uri)
            throws IOException {
        response.setContentType("text/csv;charset=UTF-8");
        response.setHeader(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"" + name + "\"");
        try {
            services.copy(Service.INGEST, uri, response.getOutputStream());
        } catch (ServiceCallFailed e) {
            if (response.isCommitted()) throw e;
            response.reset();
            response.sendError(e.status() == 0 ? 502 : e.status(), e.getMessage());
        }
    }
}
