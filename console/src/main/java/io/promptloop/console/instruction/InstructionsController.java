package io.promptloop.console.instruction;

import io.promptloop.console.config.ConsoleProperties;
import io.promptloop.console.service.ServiceCallFailed;
import io.promptloop.console.service.Services;
import io.promptloop.console.service.Services.Service;
import io.promptloop.console.text.TextDiff;
import io.promptloop.console.web.Listing;
import io.promptloop.console.web.Paging;
import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Controller;
import org.springframework.transaction.annotation.Isolation;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;
import tools.jackson.databind.JsonNode;

/**
 * Page 5: instruction versions per agent/predictor with their lineage across runs (parents, the run that made
 * each), one version in full, and the diff between any two; an OPERATOR activates a version through abtest-service
 * (which owns the routing and refuses while a test is live).
 */
@Controller
class InstructionsController {

    public record Version(
            UUID instructionId,
            String agentName,
            String predictorName,
            int version,
            String optimizerType,
            boolean isActive,
            BigDecimal valScore,
            UUID runId,
            UUID[] parentInstructionIds,
            OffsetDateTime createdAt,
            OffsetDateTime activatedAt,
            OffsetDateTime deactivatedAt,
            String instructionText) {

        public String agent() {
            return predictorName == null ? agentName : agentName + "/" + predictorName;
        }
    }

    private static final String COLUMNS = """
            instruction_id, agent_name, predictor_name, version, optimizer_type::text AS optimizer_type, is_active,
            val_score, run_id, parent_instruction_ids, created_at, activated_at, deactivated_at, instruction_text
            """;

    private final JdbcClient jdbc;
    private final ConsoleProperties properties;
    private final Services services;

    InstructionsController(JdbcClient jdbc, ConsoleProperties properties, Services services) {
        this.jdbc = jdbc;
        this.properties = properties;
        this.services = services;
    }

    /** By agent, newest version first (the unique key (agent_name, predictor_name, version) serves the order). */
    @GetMapping("/instructions")
    String list(
            @RequestParam(required = false) String agent, @RequestParam(required = false) Integer page, Model model) {
        Paging paging = Paging.of(page, properties.pageSize());
        String a = agent == null || agent.isBlank() ? null : agent;
        List<Version> rows = jdbc.sql("SELECT " + COLUMNS + """
                          FROM optimizer.optimized_instructions
                         WHERE (CAST(:agent AS text) IS NULL OR agent_name = :agent)
                         ORDER BY agent_name, predictor_name NULLS FIRST, version DESC
                         LIMIT :limit OFFSET :offset
                        """)
                .param("agent", a)
                .param("limit", paging.fetch())
                .param("offset", paging.offset())
                .query(InstructionsController::version)
                .list();
        Listing.page(model, "versions", rows, paging);
        model.addAttribute("agent", agent == null ? "" : agent);
        return "instructions";
    }

    /**
     * One version beside its siblings, in one read-only REPEATABLE READ transaction: an activation committing between
     * the two statements would otherwise show two active versions (or none).
     */
    @GetMapping("/instructions/{id}")
    @Transactional(readOnly = true, isolation = Isolation.REPEATABLE_READ)
    public String one(@PathVariable UUID id, Model model) {
        Version v = find(id);
        model.addAttribute("v", v);
        model.addAttribute(
                "siblings",
                jdbc.sql("SELECT " + COLUMNS + """
                                  FROM optimizer.optimized_instructions
                                 WHERE agent_name = :agent AND predictor_name IS NOT DISTINCT FROM :predictor
                                 ORDER BY version DESC LIMIT 200
                                """)
                        .param("agent", v.agentName())
                        .param("predictor", v.predictorName())
                        .query(InstructionsController::version)
                        .list());
        return "instruction";
    }

    /**
     * Routes the version's agent/predictor to it. The optimizer moves its active pointer when the routing reaches
     * it, so the page may show the old version as active for a moment.
     */
    @PostMapping("/instructions/{id}/activate")
    String activate(@PathVariable UUID id, RedirectAttributes redirect) {
        try {
            JsonNode a = services.post(Service.ABTEST, "/api/instructions/" + id + "/activate", null);
            redirect.addFlashAttribute(
                    "message",
                    "v" + a.get("version").asInt() + " is routed to every unit now"
                            + (a.hasNonNull("previousVersion")
                                    ? " (was v" + a.get("previousVersion").asInt() + ")"
                                    : ""));
        } catch (ServiceCallFailed e) {
            redirect.addFlashAttribute("error", "abtest-service: " + e.getMessage());
        }
        return "redirect:/instructions/" + id;
    }

    /** Two versions in one snapshot, for the same reason as {@link #one}. */
    @GetMapping("/instructions/diff")
    @Transactional(readOnly = true, isolation = Isolation.REPEATABLE_READ)
    public String diff(@RequestParam UUID from, @RequestParam UUID to, Model model) {
        Version a = find(from);
        Version b = find(to);
        model.addAttribute("a", a);
        model.addAttribute("b", b);
        model.addAttribute("rows", TextDiff.of(a.instructionText(), b.instructionText()));
        return "instruction-diff";
    }

    private Version find(UUID id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM optimizer.optimized_instructions WHERE instruction_id = :id")
                .param("id", id)
                .query(InstructionsController::version)
                .optional()
                .orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND, "no instruction " + id));
    }

    private static Version version(java.sql.ResultSet rs, int n) throws java.sql.SQLException {
        java.sql.Array parents = rs.getArray("parent_instruction_ids");
        return new Version(
                rs.getObject("instruction_id", UUID.class),
                rs.getString("agent_name"),
                rs.getString("predictor_name"),
                rs.getInt("version"),
                rs.getString("optimizer_type"),
                rs.getBoolean("is_active"),
                rs.getBigDecimal("val_score"),
                rs.getObject("run_id", UUID.class),
                parents == null ? new UUID[0] : (UUID[]) parents.getArray(),
                rs.getObject("created_at", OffsetDateTime.class),
                rs.getObject("activated_at", OffsetDateTime.class),
                rs.getObject("deactivated_at", OffsetDateTime.class),
                rs.getString("instruction_text"));
    }
}
