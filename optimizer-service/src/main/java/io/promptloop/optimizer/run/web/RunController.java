package io.promptloop.optimizer.run.web;

import io.promptloop.optimizer.run.AutoRunPolicy;
import io.promptloop.optimizer.run.RunConfig;
import io.promptloop.optimizer.run.RunService;
import io.promptloop.optimizer.run.domain.ParetoFront;
import io.promptloop.optimizer.run.persistence.RunStore;
import io.promptloop.support.web.Problems;
import jakarta.servlet.http.HttpServletRequest;
import java.security.Principal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.json.JsonMapper;

/** Optimization runs: start, list, inspect (candidates, lineage, per-example scores, Pareto front, budget), cancel. */
@RestController
@RequestMapping("/api/runs")
class RunController {

    private final RunService runs;
    private final RunStore store;
    private final JsonMapper json;
    private final AutoRunPolicy policy;

    RunController(RunService runs, RunStore store, JsonMapper json, AutoRunPolicy policy) {
        this.runs = runs;
        this.store = store;
        this.json = json;
        this.policy = policy;
    }

    record Start(
            String agent,
            String predictor,
            String optimizer,
            String budget,
            Integer maxMetricCalls,
            Long seed,
            Boolean toolOptimization,
            Integer minibatchSize,
            String frontierType) {}

    @PostMapping
    ResponseEntity<Map<String, Object>> start(@RequestBody Start body) {
        if (body == null) throw new RunService.RunRejectedException(400, "a JSON body is required");
        UUID id = runs.start(new RunService.StartRun(
                body.agent(),
                body.predictor(),
                body.optimizer(),
                body.budget(),
                body.maxMetricCalls(),
                body.seed(),
                Boolean.TRUE.equals(body.toolOptimization()),
                body.minibatchSize(),
                "manual",
                body.frontierType()));
        return ResponseEntity.status(HttpStatus.CREATED).body(Map.of("runId", id, "status", "pending"));
    }

    /**
     * Runs, newest first, each with {@code futile}: finished without the improvement the auto-run policy counts as
     * useful (null while in flight or when cancelled), and {@code triggerReason} (manual, policy, policy:score_drop).
     */
    @GetMapping
    List<Map<String, Object>> list(
            @RequestParam(required = false) String agent,
            @RequestParam(required = false) String status,
            @RequestParam(defaultValue = "50") int limit) {
        if (limit < 1 || limit > 500) throw new RunService.RunRejectedException(400, "limit must be within 1..500");
        List<Map<String, Object>> rows = new ArrayList<>();
        for (RunStore.RunRow run : store.list(agent, status, limit)) {
            Map<String, Object> row = new LinkedHashMap<>(json.convertValue(run, MAP));
            boolean finished = run.status().equals("completed") || run.status().equals("failed");
            row.put("futile", finished ? policy.rule().futile(run.status(), run.improvementPercent()) : null);
            rows.add(row);
        }
        return rows;
    }

    private static final tools.jackson.core.type.TypeReference<Map<String, Object>> MAP =
            new tools.jackson.core.type.TypeReference<>() {};

    /**
     * The auto-run policy per agent/predictor: its verdict now (START, BACKING_OFF, DAILY_BUDGET_SPENT, ...), the
     * futile runs in a row, when the back-off ends, the evidence since the last run and the metric calls of 24 hours.
     */
    @GetMapping("/policy")
    List<AutoRunPolicy.Status> policy() {
        return policy.status();
    }

    @GetMapping("/{id}")
    Map<String, Object> one(@PathVariable UUID id) {
        var detail = store.detail(id).orElseThrow(() -> new RunService.RunRejectedException(404, "no run " + id));
        var run = detail.run();
        var candidates = detail.candidates();
        var scores = detail.scores();
        Map<UUID, Map<String, Double>> byCandidate = new LinkedHashMap<>();
        for (var s : scores)
            byCandidate
                    .computeIfAbsent(s.candidateId(), k -> new LinkedHashMap<>())
                    .put(s.exampleId(), s.score());
        List<Map<String, Object>> candidateViews = new ArrayList<>();
        for (var c : candidates) {
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("index", c.index());
            view.put("id", c.id());
            view.put("origin", c.origin());
            view.put("iteration", c.iteration());
            view.put("parents", c.parentIndices());
            view.put("validationScore", c.validationScore());
            view.put("accepted", c.accepted());
            view.put("instruction", c.text());
            if (!c.tools().isEmpty()) view.put("toolDescriptions", c.tools());
            view.put("scores", byCandidate.getOrDefault(c.id(), Map.of()));
            candidateViews.add(view);
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("run", run);
        result.put(
                "budget", Map.of("maxMetricCalls", run.maxMetricCalls(), "metricCallsSpent", run.metricCallsSpent()));
        result.put("candidates", candidateViews);
        RunConfig config = json.readValue(run.configJson(), RunConfig.class);
        result.put(
                "frontierType",
                config.legacySelection()
                        ? "instance (score dominance)"
                        : config.frontier().value());
        result.put("paretoFront", front(candidates, byCandidate, config));
        return result;
    }

    /**
     * Front of the candidates that have a full validation row, as the run's engine keeps it: candidate index ->
     * number of fronts it remains on.
     */
    private static Map<Integer, Integer> front(
            List<RunStore.CandidateRow> candidates, Map<UUID, Map<String, Double>> scores, RunConfig config) {
        List<RunStore.CandidateRow> validated = candidates.stream()
                .filter(c -> c.validationScore() != null || Boolean.TRUE.equals(c.accepted()))
                .toList();
        if (validated.isEmpty()) return Map.of();
        List<String> examples = config.validationIds();
        double[][] matrix = new double[validated.size()][];
        List<String> common = examples.stream()
                .filter(e -> validated.stream()
                        .allMatch(c -> scores.getOrDefault(c.id(), Map.of()).containsKey(e)))
                .toList();
        if (common.isEmpty()) return Map.of();
        for (int i = 0; i < validated.size(); i++) {
            matrix[i] = new double[common.size()];
            for (int e = 0; e < common.size(); e++)
                matrix[i][e] = scores.get(validated.get(i).id()).get(common.get(e));
        }
        Map<Integer, Integer> front = new LinkedHashMap<>();
        (config.legacySelection()
                        ? ParetoFront.byScoreDominance(matrix)
                        : ParetoFront.of(config.frontier(), matrix, Map.of()))
                .frequency()
                .forEach((row, count) -> front.put(validated.get(row).index(), count));
        return front;
    }

    @PostMapping("/{id}/cancel")
    Map<String, Object> cancel(@PathVariable UUID id, Principal principal) {
        runs.cancel(id, principal == null ? "unknown" : principal.getName());
        return Map.of("runId", id, "status", "cancelled");
    }

    @ExceptionHandler(RunService.RunRejectedException.class)
    ResponseEntity<ProblemDetail> rejected(RunService.RunRejectedException e, HttpServletRequest request) {
        HttpStatus status = HttpStatus.valueOf(e.status());
        return ResponseEntity.status(status)
                .body(
                        status == HttpStatus.BAD_REQUEST
                                ? Problems.invalid(e.getMessage(), request)
                                : Problems.problem(status, e.getMessage(), request));
    }
}
