package io.promptloop.console.abtest;

import static io.promptloop.console.web.Listing.blankToNull;

import io.promptloop.console.config.ConsoleProperties;
import io.promptloop.console.service.ServiceCallFailed;
import io.promptloop.console.service.Services;
import io.promptloop.console.service.Services.Service;
import io.promptloop.console.web.Charts;
import io.promptloop.console.web.Listing;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Page 4: A/B tests. Figures from the database (the {@code analytics.v_ab_test_results} view, the looks, SRM checks
 * and routing changes); create, start, stop, rollout and rollback through abtest-service's API.
 */
@Controller
class TestsController {

    /** The actions a test offers, by the abtest API's paths. */
    static final Set<String> ACTIONS = Set.of("start", "stop", "rollout", "rollback");

    private final TestsRepository repository;
    private final Services services;
    private final ConsoleProperties properties;
    private final ObjectMapper json;

    TestsController(TestsRepository repository, Services services, ConsoleProperties properties, ObjectMapper json) {
        this.repository = repository;
        this.services = services;
        this.properties = properties;
        this.json = json;
    }

    @GetMapping("/tests")
    String list(
            @RequestParam(required = false) String agent,
            @RequestParam(required = false) String status,
            @RequestParam(required = false) Integer page,
            Model model) {
        Listing.byAgentAndStatus(model, "tests", repository::tests, agent, status, page, properties.pageSize());
        return "tests";
    }

    @GetMapping("/tests/{id}")
    String test(@PathVariable UUID id, Model model) {
        TestsRepository.TestPage page = repository
                .page(id, 5)
                .orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND, "no test " + id));
        TestsRepository.TestRow test = page.test();
        List<TestsRepository.Look> looks = page.looks();
        List<TestsRepository.Look> metricLooks =
                looks.stream().filter(l -> !l.metric().equals("guardrails")).toList();
        model.addAttribute("test", test);
        model.addAttribute("design", page.design());
        model.addAttribute("arms", page.arms());
        model.addAttribute("looks", metricLooks);
        model.addAttribute(
                "guardrailLooks",
                looks.stream().filter(l -> l.metric().equals("guardrails")).toList());
        model.addAttribute("srm", page.srmChecks());
        model.addAttribute("routing", page.routing());
        model.addAttribute(
                "liftChart",
                Charts.json(
                        json,
                        TestCharts.liftOverLooks(metricLooks, test.method().equals("fixed"))));
        model.addAttribute("actions", actionsFor(test));
        return "test";
    }

    @GetMapping("/tests/new")
    String createForm(@RequestParam(required = false) String agent, Model model) {
        model.addAttribute("instructions", repository.instructions(blankToNull(agent), 200));
        return "test-new";
    }

    @PostMapping("/tests")
    String create(
            @RequestParam String agent,
            @RequestParam(required = false) String predictor,
            @RequestParam(required = false) UUID baselineInstructionId,
            @RequestParam UUID treatmentInstructionId,
            @RequestParam(required = false) Double trafficSplit,
            @RequestParam(required = false) String primaryMetric,
            @RequestParam(required = false) String method,
            @RequestParam(required = false) Integer plannedLooks,
            @RequestParam(required = false) Integer minSamplePerVariant,
            @RequestParam(defaultValue = "false") boolean start,
            RedirectAttributes redirect) {
        Map<String, Object> body = new LinkedHashMap<>(); // left out: the API's configured default
        body.put("agent", agent);
        body.put("predictor", blankToNull(predictor));
        body.put("baselineInstructionId", baselineInstructionId);
        body.put("treatmentInstructionId", treatmentInstructionId);
        body.put("trafficSplit", trafficSplit);
        body.put("primaryMetric", blankToNull(primaryMetric));
        body.put("method", blankToNull(method));
        body.put("plannedLooks", plannedLooks);
        body.put("minSamplePerVariant", minSamplePerVariant);
        body.put("start", start);
        try {
            JsonNode created = services.post(Service.ABTEST, "/api/tests", body);
            redirect.addFlashAttribute("message", start ? "test created and started" : "test created (draft)");
            return "redirect:/tests/" + created.get("testId").asString();
        } catch (ServiceCallFailed e) {
            redirect.addFlashAttribute("error", "abtest-service: " + e.getMessage());
            return "redirect:/tests/new?agent="
                    + java.net.URLEncoder.encode(agent, java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    @PostMapping("/tests/{id}/{action}")
    String act(@PathVariable UUID id, @PathVariable String action, RedirectAttributes redirect) {
        if (!ACTIONS.contains(action)) throw new ResponseStatusException(HttpStatus.NOT_FOUND, "no action " + action);
        try {
            JsonNode test = services.post(Service.ABTEST, "/api/tests/" + id + "/" + action, null);
            redirect.addFlashAttribute(
                    "message",
                    action + ": the test is now " + test.get("status").asString());
        } catch (ServiceCallFailed e) {
            redirect.addFlashAttribute("error", "abtest-service: " + e.getMessage());
        }
        return "redirect:/tests/" + id;
    }

    /** Offered by state; the service decides (and says why not) — a stale page gets the API's error text. */
    private static List<String> actionsFor(TestsRepository.TestRow t) {
        return switch (t.status()) {
            case "draft" -> List.of("start");
            case "running" -> List.of("stop");
            case "concluded" -> "treatment".equals(t.winner()) && !t.rolledOut() ? List.of("rollout") : List.of();
            case "rolled_out" -> List.of("rollback");
            default -> List.of();
        };
    }
}
