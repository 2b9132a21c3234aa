package io.promptloop.console.run;

import static io.promptloop.console.web.Listing.blankToNull;

import io.promptloop.console.config.ConsoleProperties;
import io.promptloop.console.service.ServiceCallFailed;
import io.promptloop.console.service.Services;
import io.promptloop.console.service.Services.Service;
import io.promptloop.console.text.TextDiff;
import io.promptloop.console.web.Charts;
import io.promptloop.console.web.Listing;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
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
 * Page 3: optimization runs. The list and a run's rows come from the database; the Pareto front's counts from the
 * optimizer's run API (its domain computes the front); start and cancel go to the optimizer's API.
 */
@Controller
class RunsController {

    private final RunsRepository repository;
    private final Services services;
    private final ConsoleProperties properties;
    private final ObjectMapper json;

    RunsController(RunsRepository repository, Services services, ConsoleProperties properties, ObjectMapper json) {
        this.repository = repository;
        this.services = services;
        this.properties = properties;
        this.json = json;
    }

    @GetMapping("/runs")
    String list(
            @RequestParam(required = false) String agent,
            @RequestParam(required = false) String status,
            @RequestParam(required = false) Integer page,
            Model model) {
        Listing.byAgentAndStatus(model, "runs", repository::runs, agent, status, page, properties.pageSize());
        return "runs";
    }

    @PostMapping("/runs")
    String start(
            @RequestParam String agent,
            @RequestParam(required = false) String predictor,
            @RequestParam(defaultValue = "gepa") String optimizer,
            @RequestParam(defaultValue = "light") String budget,
            RedirectAttributes redirect) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("agent", agent);
        body.put("predictor", blankToNull(predictor));
        body.put("optimizer", optimizer);
        body.put("budget", budget);
        try {
            JsonNode started = services.post(Service.OPTIMIZER, "/api/runs", body);
            redirect.addFlashAttribute("message", "run started");
            return "redirect:/runs/" + started.get("runId").asString();
        } catch (ServiceCallFailed e) {
            redirect.addFlashAttribute("error", "optimizer-service: " + e.getMessage());
            return "redirect:/runs";
        }
    }

    @PostMapping("/runs/{id}/cancel")
    String cancel(@PathVariable UUID id, RedirectAttributes redirect) {
        try {
            services.post(Service.OPTIMIZER, "/api/runs/" + id + "/cancel", null);
            redirect.addFlashAttribute("message", "run cancelled");
        } catch (ServiceCallFailed e) {
            redirect.addFlashAttribute("error", "optimizer-service: " + e.getMessage());
        }
        return "redirect:/runs/" + id;
    }

    @GetMapping("/runs/{id}")
    String run(@PathVariable UUID id, Model model) {
        // the front first: the optimizer's snapshot cannot be the page's, but read before it, every candidate the
        // front names is among the page's (candidates are only ever added)
        Map<Integer, Integer> front = new HashMap<>();
        try {
            JsonNode detail = services.get(
                    Service.OPTIMIZER, b -> b.path("/api/runs/{id}").build(id));
            detail.get("paretoFront")
                    .properties()
                    .forEach(e ->
                            front.put(Integer.parseInt(e.getKey()), e.getValue().asInt()));
        } catch (ServiceCallFailed e) {
            model.addAttribute("frontError", "optimizer-service: " + e.getMessage());
        }
        RunsRepository.RunPage page = repository
                .page(id)
                .orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND, "no run " + id));
        RunsRepository.RunRow run = page.run();
        List<RunsRepository.CandidateRow> candidates = page.candidates();
        List<RunsRepository.Score> scores = page.validationScores();
        List<RunsRepository.Validated> progress = page.validationProgress();

        // per-example table: examples as columns, one row per validated candidate, the best per example marked
        TreeSet<String> examples = new TreeSet<>();
        Map<Integer, Map<String, Double>> byCandidate = new TreeMap<>();
        Map<String, Double> best = new HashMap<>();
        for (var s : scores) {
            examples.add(s.exampleId());
            byCandidate
                    .computeIfAbsent(s.candidateIndex(), k -> new HashMap<>())
                    .put(s.exampleId(), s.score());
            best.merge(s.exampleId(), s.score(), Math::max);
        }

        model.addAttribute("run", run);
        model.addAttribute("candidates", candidates);
        model.addAttribute("front", front);
        model.addAttribute("progress", progress);
        model.addAttribute("examples", new ArrayList<>(examples));
        model.addAttribute("scores", byCandidate);
        model.addAttribute("best", best);
        model.addAttribute("stages", page.stages());
        model.addAttribute("reflections", page.reflections());
        model.addAttribute("feedback", page.trainingFeedback());
        model.addAttribute("progressChart", Charts.json(json, RunCharts.bestOverCalls(progress)));
        model.addAttribute("lineageChart", Charts.json(json, RunCharts.lineage(id.toString(), candidates)));
        model.addAttribute("frontChart", Charts.json(json, RunCharts.frontHeatmap(scores)));
        return "run";
    }

    @GetMapping("/runs/{id}/candidates/{index}")
    String candidate(@PathVariable UUID id, @PathVariable int index, Model model) {
        RunsRepository.RunCandidates page = repository
                .withCandidates(id)
                .orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND, "no run " + id));
        RunsRepository.RunRow run = page.run();
        List<RunsRepository.CandidateRow> candidates = page.candidates();
        RunsRepository.CandidateRow candidate = candidates.stream()
                .filter(c -> c.candidateIndex() == index)
                .findFirst()
                .orElseThrow(() ->
                        new ResponseStatusException(HttpStatus.NOT_FOUND, "run " + id + " has no candidate #" + index));
        Map<Integer, List<TextDiff.Row>> diffs = new LinkedHashMap<>();
        for (Integer p : candidate.parentIndices()) {
            candidates.stream()
                    .filter(c -> c.candidateIndex() == p)
                    .findFirst()
                    .ifPresent(
                            parent -> diffs.put(p, TextDiff.of(parent.instructionText(), candidate.instructionText())));
        }
        model.addAttribute("run", run);
        model.addAttribute("candidate", candidate);
        model.addAttribute("diffs", diffs);
        return "candidate";
    }
}
