package io.promptloop.optimizer.run;

import io.promptloop.optimizer.config.OptimizerProperties;
import io.promptloop.optimizer.instruction.InstructionRepository;
import io.promptloop.optimizer.instruction.domain.InstructionHash;
import io.promptloop.optimizer.reflection.domain.BootstrapFewShot;
import io.promptloop.optimizer.reflection.domain.ReflectionExample;
import io.promptloop.optimizer.run.domain.BudgetPreset;
import io.promptloop.optimizer.run.domain.FrontierType;
import io.promptloop.optimizer.run.messaging.OptimizerPublisher;
import io.promptloop.optimizer.run.persistence.RunStore;
import io.promptloop.optimizer.tool.ToolDescriptionRepository;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.json.JsonMapper;

/** Starts and cancels optimization runs; the run's seed candidate is the predictor's active instruction. */
@Service
public class RunService {

    private final RunStore store;
    private final InstructionRepository instructions;
    private final ToolDescriptionRepository tools;
    private final OptimizerPublisher publisher;
    private final OptimizerProperties properties;
    private final JsonMapper json;

    RunService(
            RunStore store,
            InstructionRepository instructions,
            ToolDescriptionRepository tools,
            OptimizerPublisher publisher,
            OptimizerProperties properties,
            JsonMapper json) {
        this.store = store;
        this.instructions = instructions;
        this.tools = tools;
        this.publisher = publisher;
        this.properties = properties;
        this.json = json;
    }

    /**
     * @param optimizer gepa or bootstrap_fewshot
     * @param maxMetricCalls only for the custom budget
     */
    public record StartRun(
            String agent,
            String predictor,
            String optimizer,
            String budget,
            Integer maxMetricCalls,
            Long seed,
            boolean toolOptimization,
            Integer minibatchSize,
            String trigger,
            String frontierType,
            Integer evidenceExamples,
            Double evidenceMeanScore) {

        /** A run an operator starts: no evidence recorded. */
        public StartRun(
                String agent,
                String predictor,
                String optimizer,
                String budget,
                Integer maxMetricCalls,
                Long seed,
                boolean toolOptimization,
                Integer minibatchSize,
                String trigger,
                String frontierType) {
            this(
                    agent,
                    predictor,
                    optimizer,
                    budget,
                    maxMetricCalls,
                    seed,
                    toolOptimization,
                    minibatchSize,
                    trigger,
                    frontierType,
                    null,
                    null);
        }
    }

    public static class RunRejectedException extends RuntimeException {
        private final int status;

        public RunRejectedException(int status, String message) {
            super(message);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    @Transactional
    public UUID start(StartRun request) {
        if (request.agent() == null || request.agent().isBlank())
            throw new RunRejectedException(400, "agent is required");
        String optimizer =
                request.optimizer() == null ? "gepa" : request.optimizer().toLowerCase(Locale.ROOT);
        if (!optimizer.equals("gepa") && !optimizer.equals("bootstrap_fewshot")) {
            throw new RunRejectedException(
                    400, "optimizer must be gepa or bootstrap_fewshot, was '" + request.optimizer() + "'");
        }
        BudgetPreset preset;
        int budget;
        try {
            preset = BudgetPreset.parse(request.budget() == null ? "light" : request.budget());
            budget = preset.metricCalls(request.maxMetricCalls());
        } catch (IllegalArgumentException e) {
            throw new RunRejectedException(400, e.getMessage());
        }
        FrontierType frontier;
        try {
            frontier =
                    request.frontierType() == null ? FrontierType.INSTANCE : FrontierType.parse(request.frontierType());
        } catch (IllegalArgumentException e) {
            throw new RunRejectedException(400, e.getMessage());
        }
        int minibatch = request.minibatchSize() == null ? 3 : request.minibatchSize();
        if (minibatch < 1 || minibatch > 50)
            throw new RunRejectedException(400, "minibatchSize must be within 1..50, was " + minibatch);
        var baseline = instructions
                .active(request.agent(), request.predictor())
                .orElseThrow(() -> new RunRejectedException(
                        404,
                        "unknown agent/predictor " + request.agent() + "/" + request.predictor()
                                + ": it has no active instruction (register a baseline with POST /api/instructions)"));
        Map<String, String> toolDescriptions = request.toolOptimization() ? tools.active(request.agent()) : Map.of();
        if (request.toolOptimization() && toolDescriptions.isEmpty()) {
            throw new RunRejectedException(
                    409,
                    "tool optimization is on but agent " + request.agent()
                            + " has no active tool descriptions (register them with POST /api/tools)");
        }
        var examples = store.examples(request.agent(), request.predictor());
        List<String> train = examples.stream()
                .filter(e -> e.split().equals("train"))
                .map(RunStore.ExampleRow::exampleId)
                .toList();
        List<String> validation = examples.stream()
                .filter(e -> e.split().equals("validation"))
                .map(RunStore.ExampleRow::exampleId)
                .toList();
        if (train.isEmpty() || validation.isEmpty()) {
            throw new RunRejectedException(
                    409,
                    "agent " + request.agent() + " has " + train.size() + " train and " + validation.size()
                            + " validation examples; a run needs at least one of each (examples come from agent-evaluations)");
        }
        long seed = request.seed() == null ? 0L : request.seed();
        var config = new RunConfig(
                train,
                validation,
                minibatch,
                properties.run().maxIterationsWithoutImprovement(),
                properties.run().maxWallTime() == null
                        ? null
                        : properties.run().maxWallTime().toSeconds(),
                properties.reflection().type(),
                properties.run().bootstrapCandidates(),
                properties.examples().validationFraction(),
                properties.run().maxMerges(),
                frontier.value());
        UUID runId = UUID.randomUUID();
        var row = new RunStore.RunRow(
                runId,
                request.agent(),
                request.predictor(),
                optimizer,
                preset.dbValue(),
                budget,
                0,
                seed,
                "pending",
                0,
                minibatch,
                baseline.id(),
                json.writeValueAsString(config),
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                request.toolOptimization(),
                request.trigger() == null ? "manual" : request.trigger(),
                request.evidenceExamples(),
                request.evidenceMeanScore(),
                0);
        try {
            store.insertRun(row);
        } catch (DuplicateKeyException e) {
            throw new RunRejectedException(
                    409,
                    "a " + optimizer + " run for " + request.agent() + "/" + request.predictor()
                            + " is already in flight");
        }
        store.insertCandidate(
                runId,
                0,
                baseline.text(),
                InstructionHash.ofSystem(baseline.text(), toolDescriptions),
                List.of(),
                List.of(),
                "seed",
                0,
                null,
                toolDescriptions);
        if (optimizer.equals("bootstrap_fewshot"))
            addBootstrapCandidates(
                    runId, request, baseline.text(), toolDescriptions, train, seed, config.bootstrapCandidates());
        publisher.startedAfterCommit(store.find(runId).orElseThrow());
        return runId;
    }

    private void addBootstrapCandidates(
            UUID runId,
            StartRun request,
            String base,
            Map<String, String> toolDescriptions,
            List<String> train,
            long seed,
            int count) {
        List<ReflectionExample> traces = new ArrayList<>();
        for (String[] t : store.traces(request.agent(), request.predictor(), train)) {
            traces.add(new ReflectionExample(t[0], t[1], t[2], Double.parseDouble(t[3]), t[4]));
        }
        int index = 1;
        for (String text : new BootstrapFewShot(base, traces, 4, 0.8, seed).candidates(count)) {
            if (text.equals(base)) continue;
            store.insertCandidate(
                    runId,
                    index++,
                    text,
                    InstructionHash.ofSystem(text, toolDescriptions),
                    List.of(),
                    List.of(0),
                    "bootstrap",
                    0,
                    null,
                    toolDescriptions);
        }
    }

    @Transactional
    public boolean cancel(UUID runId, String by) {
        var run = store.find(runId).orElseThrow(() -> new RunRejectedException(404, "no run " + runId));
        if (store.fail(runId, "cancelled by " + by, "cancelled") == 0) {
            throw new RunRejectedException(409, "run " + runId + " is already " + run.status());
        }
        publisher.failedAfterCommit(run, "cancelled by " + by);
        return true;
    }
}
