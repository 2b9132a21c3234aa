package io.promptloop.optimizer.run;

import io.promptloop.optimizer.config.OptimizerProperties;
import io.promptloop.optimizer.instruction.InstructionRepository;
import io.promptloop.optimizer.instruction.domain.InstructionHash;
import io.promptloop.optimizer.reflection.domain.ReflectionExample;
import io.promptloop.optimizer.reflection.domain.ReflectionException;
import io.promptloop.optimizer.reflection.domain.ReflectionRequest;
import io.promptloop.optimizer.reflection.domain.Reflector;
import io.promptloop.optimizer.run.domain.BootstrapPlan;
import io.promptloop.optimizer.run.domain.Decision;
import io.promptloop.optimizer.run.domain.GepaConfig;
import io.promptloop.optimizer.run.domain.GepaEngine;
import io.promptloop.optimizer.run.domain.GuidelineMerge;
import io.promptloop.optimizer.run.domain.RunSnapshot;
import io.promptloop.optimizer.run.messaging.OptimizerPublisher;
import io.promptloop.optimizer.run.persistence.RunStore;
import io.promptloop.optimizer.run.persistence.RunStore.CandidateRow;
import io.promptloop.optimizer.run.persistence.RunStore.RunRow;
import io.promptloop.optimizer.tool.ToolDescriptionRepository;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Moves one run forward, inside the caller's transaction and under the run's row lock: bring the snapshot up to date
 * from PostgreSQL, ask the engine what the run needs, and do it (request scores, reflect, or finish). Because the
 * snapshot is the whole state, a replica that crashed at any point leaves nothing to repair: the next step of any
 * replica continues the run exactly where it was. A replica keeps what it read of the runs it stepped lately
 * ({@link SteppedRuns}) and reads only what was recorded since, so a step costs what is new, not the run's history.
 */
@Component
public class RunStepper {

    private static final Logger log = LoggerFactory.getLogger(RunStepper.class);

    public enum Progress {
        CONTINUE,
        WAIT,
        DONE
    }

    private final RunStore store;
    private final InstructionRepository instructions;
    private final ToolDescriptionRepository tools;
    private final Reflector reflector;
    private final OptimizerPublisher publisher;
    private final OptimizerProperties properties;
    private final JsonMapper json;
    private final Clock clock;
    /**
     * The runs this replica stepped lately: what it read of each, and the GEPA engine with the state it derived, so
     * that a step reads only the new facts and goes on where the last one stopped instead of replaying the run. Safe
     * to keep across transactions: both hold only recorded facts, which are never rewritten (the snapshot is read
     * before the step writes anything); the engine starts over by itself when given a snapshot that does not extend
     * what it followed, and the facts are read in full when a read does not continue them. A run another replica
     * stepped meanwhile only extends both. A replica that starts, or a run it no longer holds, reads and replays the
     * stored history once.
     */
    private final SteppedRuns runs;

    private final BootstrapPlan bootstrap = new BootstrapPlan();

    RunStepper(
            RunStore store,
            InstructionRepository instructions,
            ToolDescriptionRepository tools,
            Reflector reflector,
            OptimizerPublisher publisher,
            OptimizerProperties properties,
            JsonMapper json,
            Clock clock) {
        this.store = store;
        this.instructions = instructions;
        this.tools = tools;
        this.reflector = reflector;
        this.publisher = publisher;
        this.properties = properties;
        this.json = json;
        this.clock = clock;
        this.runs = new SteppedRuns(store);
    }

    /** Re-sends requests whose answers are late, or fails the run when they stay unanswered. */
    public void checkTimeouts(RunRow run) {
        Instant now = clock.instant();
        for (var request : store.pendingRequests(run.runId())) {
            if (request.deadline() == null || request.deadline().isAfter(now)) continue;
            if (request.attempt() >= properties.evaluation().maxAttempts()) {
                fail(
                        run,
                        "no answer to evaluation request " + request.requestId() + " after " + request.attempt()
                                + " attempts of "
                                + properties.evaluation().timeout().toSeconds() + " s");
                return;
            }
            store.retryRequest(
                    request.requestId(), now.plus(properties.evaluation().timeout()));
            CandidateRow candidate =
                    store.candidate(run.runId(), request.candidateId()).orElseThrow();
            publisher.requestEvaluationAfterCommit(
                    run,
                    request.requestId(),
                    candidate,
                    inputs(run, request.exampleIds()),
                    now.plus(properties.evaluation().timeout()));
            log.info(
                    "run {}: evaluation request {} timed out, sent again (attempt {})",
                    run.runId(),
                    request.requestId(),
                    request.attempt() + 1);
        }
    }

    public Progress step(UUID runId) {
        RunRow run = store.find(runId).orElseThrow();
        if (!run.status().equals("pending") && !run.status().equals("running")) {
            runs.forget(runId); // ended by another replica or an operator
            return Progress.DONE;
        }
        store.markRunning(runId);
        RunConfig config = json.readValue(run.configJson(), RunConfig.class);
        SteppedRuns.Entry held = runs.refresh(run);
        List<CandidateRow> candidates = held.facts().rows();
        RunSnapshot snapshot = snapshot(run, config, held.facts());
        Decision decision = run.optimizerType().equals("bootstrap_fewshot")
                ? bootstrap.decide(snapshot)
                : decideGepa(held.engine, snapshot);
        // what the run recorded is what a replica that crashed now would read; an ended run is not stepped again
        if (decision instanceof Decision.Finished) runs.forget(runId);
        return switch (decision) {
            case Decision.NeedScores need -> requestScores(run, candidates, need);
            case Decision.NeedReflection need -> reflect(run, config, candidates, snapshot, need);
            case Decision.NeedMerge need -> merge(run, candidates, need);
            case Decision.Finished finished -> finish(run, candidates, snapshot, finished);
        };
    }

    private static Decision decideGepa(GepaEngine engine, RunSnapshot snapshot) {
        synchronized (engine) { // steps of one run are serialised by its row lock; this makes the state visible
            return engine.decide(snapshot);
        }
    }

    /**
     * The snapshot over the facts held (views, not copies: nothing changes them until this run's next step). {@code
     * candidates} is the one part the snapshot copies, a list of references.
     */
    private RunSnapshot snapshot(RunRow run, RunConfig config, RunFacts facts) {
        GepaConfig gepaConfig = new GepaConfig(
                        run.maxMetricCalls(),
                        config.minibatchSize(),
                        run.seed(),
                        config.maxIterationsWithoutImprovement(),
                        config.maxWallTimeSeconds() == null ? null : Duration.ofSeconds(config.maxWallTimeSeconds()),
                        1.0,
                        config.merges())
                .withFrontierType(config.frontier())
                .withLegacySelection(config.legacySelection());
        Instant started = run.startedAt() == null ? clock.instant() : run.startedAt();
        return new RunSnapshot(
                gepaConfig,
                config.trainIds(),
                config.validationIds(),
                facts.candidates(),
                facts.scores(),
                facts.reflections(),
                run.iteration(),
                run.metricCallsSpent(),
                Duration.between(started, clock.instant()));
    }

    private Progress requestScores(RunRow run, List<CandidateRow> candidates, Decision.NeedScores need) {
        CandidateRow candidate = candidates.get(need.candidate());
        String split = switch (need.purpose()) {
            case SEED_VALIDATION, CHILD_VALIDATION -> "validation";
            case PARENT_MINIBATCH, CHILD_MINIBATCH -> "train";
        };
        int reused = store.reuseKnownScores(
                run.runId(),
                candidate.id(),
                candidate.hash(),
                run.agentName(),
                run.predictorName(),
                need.exampleIds(),
                split);
        if (reused > 0) return Progress.CONTINUE;
        for (var pending : store.pendingRequests(run.runId())) {
            if (pending.candidateId().equals(candidate.id())
                    && pending.exampleIds().containsAll(need.exampleIds())) {
                return Progress.WAIT; // already asked; the answers (or the time-out) move the run on
            }
        }
        UUID requestId = UUID.randomUUID();
        Instant deadline = clock.instant().plus(properties.evaluation().timeout());
        store.insertRequest(requestId, run.runId(), candidate.id(), need.exampleIds(), split, deadline);
        store.advance(run.runId(), need.iteration() + 1, need.exampleIds().size());
        publisher.requestEvaluationAfterCommit(run, requestId, candidate, inputs(run, need.exampleIds()), deadline);
        return Progress.WAIT;
    }

    private Progress reflect(
            RunRow run,
            RunConfig config,
            List<CandidateRow> candidates,
            RunSnapshot snapshot,
            Decision.NeedReflection need) {
        CandidateRow parent = candidates.get(need.parent());
        Map<String, RunStore.ScoreRow> parentScores = new HashMap<>();
        for (var s : store.scoresOf(parent.id())) parentScores.put(s.exampleId(), s);
        Map<String, String> inputs = inputs(run, need.minibatch());
        List<ReflectionExample> examples = new ArrayList<>();
        for (String id : need.minibatch()) {
            var s = parentScores.get(id);
            examples.add(new ReflectionExample(id, inputs.getOrDefault(id, ""), s.output(), s.score(), s.feedback()));
        }
        String childText;
        Map<String, String> childTools;
        String analysis;
        List<String> weaknesses;
        try {
            var proposal = reflector.propose(new ReflectionRequest(
                    run.agentName(), run.predictorName(), parent.text(), examples, parent.tools(), need.iteration()));
            childText = proposal.instruction();
            // the same reflection evolves the tool descriptions; a tool the reflector says nothing about keeps its own
            Map<String, String> evolved = new TreeMap<>(parent.tools());
            proposal.toolDescriptions().forEach((tool, description) -> {
                if (evolved.containsKey(tool) && !description.isBlank()) evolved.put(tool, description);
            });
            childTools = evolved;
            analysis = proposal.analysis();
            weaknesses = proposal.weaknesses();
            store.stage(
                    run.runId(),
                    "reflection",
                    need.iteration(),
                    "completed",
                    json.writeValueAsString(Map.of("reflector", reflector.name())));
        } catch (ReflectionException e) {
            store.stage(
                    run.runId(),
                    "reflection",
                    need.iteration(),
                    "failed",
                    json.writeValueAsString(Map.of(
                            "reflector",
                            reflector.name(),
                            "error",
                            String.valueOf(e.getMessage()),
                            "retryable",
                            e.retryable())));
            int failures = store.failedReflectionsInARow(run.runId());
            if (failures >= properties.reflection().maxFailuresInARow()) {
                fail(run, "reflection failed " + failures + " times in a row; last: " + e.getMessage());
                return Progress.DONE;
            }
            // the iteration goes on with the parent's own text: it cannot beat the parent, costs no budget
            // (its scores are reused) and the run is never stuck on a reflector
            log.warn(
                    "run {} iteration {}: reflection failed ({}); continuing without a new candidate",
                    run.runId(),
                    need.iteration(),
                    e.getMessage());
            childText = parent.text();
            childTools = parent.tools();
            analysis = "reflection failed: " + e.getMessage();
            weaknesses = List.of();
        }
        UUID childId = store.insertCandidate(
                run.runId(),
                candidates.size(),
                childText,
                InstructionHash.ofSystem(childText, childTools),
                List.of(parent.id()),
                List.of(parent.index()),
                "reflection",
                need.iteration(),
                need.minibatch(),
                childTools);
        store.weakness(
                run.runId(),
                childId,
                need.iteration(),
                json.writeValueAsString(weaknesses),
                analysis,
                need.minibatch(),
                reflector.name());
        store.advance(run.runId(), need.iteration() + 1, 0);
        return Progress.CONTINUE;
    }

    /** Records the merged candidate (its tool descriptions merged the same way, tool by tool) with both parents. */
    private Progress merge(RunRow run, List<CandidateRow> candidates, Decision.NeedMerge need) {
        CandidateRow first = candidates.get(need.first());
        CandidateRow second = candidates.get(need.second());
        CandidateRow ancestor = candidates.get(need.ancestor());
        Map<String, String> tools = new TreeMap<>(first.tools());
        tools.replaceAll((tool, description) -> GuidelineMerge.merge(
                ancestor.tools().get(tool), description, second.tools().getOrDefault(tool, description)));
        store.insertCandidate(
                run.runId(),
                candidates.size(),
                need.text(),
                InstructionHash.ofSystem(need.text(), tools),
                List.of(first.id(), second.id()),
                List.of(first.index(), second.index()),
                "merge",
                need.iteration(),
                null,
                tools);
        store.stage(
                run.runId(),
                "merge",
                need.iteration(),
                "completed",
                json.writeValueAsString(
                        Map.of("first", need.first(), "second", need.second(), "commonAncestor", need.ancestor())));
        store.advance(run.runId(), need.iteration() + 1, 0);
        return Progress.CONTINUE;
    }

    /**
     * The run's final Pareto front as stored instructions, best first (the optimized one among them), for a multi-arm
     * A/B test: the front's candidates other than the seed that beat the baseline's mean validation score, at most
     * {@link #MAX_FRONT}; empty when fewer than two do (then the optimized instruction alone is tested). Registered
     * like the optimized instruction (not active; the same text is one instruction).
     */
    private List<UUID> frontInstructions(
            RunRow run,
            List<CandidateRow> candidates,
            RunSnapshot snapshot,
            Decision.Finished finished,
            UUID optimized) {
        if (run.optimizerType().equals("bootstrap_fewshot")) return List.of();
        List<UUID> ids = new ArrayList<>();
        ids.add(optimized);
        for (int index : new GepaEngine().finalFront(snapshot)) {
            if (index == 0 || index == finished.best() || ids.size() >= MAX_FRONT) continue;
            Double validation = meanValidation(snapshot, index);
            if (validation == null || !(validation > finished.baselineScore())) continue;
            CandidateRow c = candidates.get(index);
            UUID id = instructions
                    .register(
                            run.agentName(),
                            run.predictorName(),
                            c.text(),
                            run.optimizerType(),
                            run.runId(),
                            c.id(),
                            round4(validation),
                            lineage(candidates, c),
                            List.of(run.baselineInstructionId()))
                    .id();
            if (!ids.contains(id)) ids.add(id);
        }
        return ids.size() >= 2 ? ids : List.of();
    }

    /** The most front instructions a run announces (the A/B service tests at most 8 treatments). */
    static final int MAX_FRONT = 8;

    private Progress finish(
            RunRow run, List<CandidateRow> candidates, RunSnapshot snapshot, Decision.Finished finished) {
        List<Integer> accepted = run.optimizerType().equals("bootstrap_fewshot")
                ? candidates.stream().map(CandidateRow::index).toList()
                : new GepaEngine().accepted(snapshot);
        for (CandidateRow c : candidates) {
            Double validation = meanValidation(snapshot, c.index());
            store.markCandidate(c.id(), validation, accepted.contains(c.index()) && validation != null);
        }
        CandidateRow best = candidates.get(finished.best());
        UUID resultInstruction = run.baselineInstructionId();
        boolean improved = finished.best() != 0 && finished.bestScore() > finished.baselineScore();
        if (improved) {
            resultInstruction = instructions
                    .register(
                            run.agentName(),
                            run.predictorName(),
                            best.text(),
                            run.optimizerType(),
                            run.runId(),
                            best.id(),
                            round4(finished.bestScore()),
                            lineage(candidates, best),
                            List.of(run.baselineInstructionId()))
                    .id();
        }
        if (improved && run.toolOptimization()) registerTools(run, candidates.getFirst(), best, finished.bestScore());
        List<UUID> front =
                improved ? frontInstructions(run, candidates, snapshot, finished, resultInstruction) : List.of();
        Double improvement = finished.baselineScore() > 0
                ? Math.max(
                        -99_999.0,
                        Math.min(
                                99_999.0,
                                (finished.bestScore() - finished.baselineScore()) / finished.baselineScore() * 100))
                : null;
        store.complete(
                run.runId(),
                round4(finished.baselineScore()),
                round4(finished.bestScore()),
                improvement == null ? null : Math.round(improvement * 100) / 100.0,
                resultInstruction,
                finished.reason().name().toLowerCase(java.util.Locale.ROOT));
        RunRow done = store.find(run.runId()).orElseThrow();
        int version = instructions
                .find(resultInstruction)
                .map(InstructionRepository.Instruction::version)
                .orElse(0);
        publisher.completedAfterCommit(
                done,
                resultInstruction,
                version,
                accepted.stream().filter(i -> i != 0).map(candidates::get).toList(),
                snapshot,
                front);
        log.info(
                "run {} completed ({}): baseline {} -> best {} (candidate {})",
                run.runId(),
                finished.reason(),
                finished.baselineScore(),
                finished.bestScore(),
                finished.best());
        return Progress.DONE;
    }

    /**
     * Writes each tool description of the best candidate that differs from the one the run started with, as a new
     * (inactive) version with the run and the candidate's mean validation score.
     */
    private void registerTools(RunRow run, CandidateRow seed, CandidateRow best, double bestScore) {
        best.tools().forEach((tool, description) -> {
            String original = seed.tools().get(tool);
            if (description.equals(original)) return;
            tools.register(run.agentName(), tool, description, original, run.runId(), round4(bestScore));
        });
    }

    public void fail(RunRow run, String reason) {
        runs.forget(run.runId());
        if (store.fail(run.runId(), reason, "failed") > 0) {
            publisher.failedAfterCommit(run, reason);
            log.warn("run {} failed: {}", run.runId(), reason);
        }
    }

    /** The candidate's ancestors, nearest first, back to the seed (GEPA lineage as candidate indices). */
    static List<Integer> lineage(List<CandidateRow> candidates, CandidateRow candidate) {
        List<Integer> chain = new ArrayList<>();
        CandidateRow c = candidate;
        while (!c.parentIndices().isEmpty()) {
            int parent = c.parentIndices().getFirst();
            chain.add(parent);
            c = candidates.get(parent);
        }
        return chain;
    }

    static Double meanValidation(RunSnapshot snapshot, int candidate) {
        Map<String, Double> byExample = snapshot.scores().getOrDefault(candidate, Map.of());
        double sum = 0;
        for (String id : snapshot.validationIds()) {
            Double s = byExample.get(id);
            if (s == null) return null;
            sum += s;
        }
        return sum / snapshot.validationIds().size();
    }

    private static double round4(double v) {
        return Math.round(v * 10_000) / 10_000.0;
    }

    /** The inputs of just these examples, in the order asked (one query, not the agent's whole example set). */
    private Map<String, String> inputs(RunRow run, List<String> exampleIds) {
        Map<String, String> inputs = store.inputs(run.agentName(), run.predictorName(), exampleIds);
        Map<String, String> wanted = new java.util.LinkedHashMap<>();
        for (String id : exampleIds) wanted.put(id, inputs.getOrDefault(id, ""));
        return wanted;
    }

    /** What this replica holds of the runs it stepped, with its counts of full and incremental reads. */
    SteppedRuns steppedRuns() {
        return runs;
    }
}
