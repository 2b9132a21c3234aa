package io.promptloop.optimizer.run.domain;

import io.promptloop.optimizer.run.domain.Decision.Finished;
import io.promptloop.optimizer.run.domain.Decision.NeedMerge;
import io.promptloop.optimizer.run.domain.Decision.NeedReflection;
import io.promptloop.optimizer.run.domain.Decision.NeedScores;
import io.promptloop.optimizer.run.domain.Decision.Purpose;
import io.promptloop.optimizer.run.domain.Decision.StopReason;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * GEPA (reflective prompt evolution) as a function from what a run has recorded to what it needs next.
 *
 * <p>The path of a run: the seed's validation, then per iteration t a parent sampled from the Pareto front of the
 * accepted candidates under the run's {@link FrontierType} ({@link ParetoFront}), a minibatch of train examples
 * ({@link Minibatches}), the parent's scores on it, a reflection that proposes a child, the child's scores on
 * the same minibatch, acceptance only if the child's minibatch sum is strictly higher, and then the child's
 * full validation. Randomness comes from {@code (seed, iteration)} alone, so a run resumed after a crash takes
 * exactly the path the uninterrupted run would have taken. Stoppers (budget, no improvement, wall time) are checked
 * only before an iteration that has not begun yet. With {@link GepaConfig#maxMerges()} above zero, an iteration
 * right after one that accepted a candidate merges two front candidates with a common ancestor instead
 * ({@link GuidelineMerge}), when such a pair exists: the merge is scored on the iteration's minibatch (budget spent
 * like any evaluation), accepted only if strictly better there than both parents, then validated. Source: Agrawal
 * et al., "GEPA: Reflective Prompt Evolution Can Outperform Reinforcement Learning" (2025), Algorithm 1.
 *
 * <p>An engine follows one run and keeps what it derived: the loop's state at the start of the first iteration it
 * has not finished, with the accepted candidates' fronts ({@link IncrementalFront}). A call goes on from there, so a
 * step costs the iterations it finishes, not the run's history. The result is the one a replay from the start
 * would give, because a finished iteration depends only on what cannot change (recorded scores, reflections and
 * candidates are never rewritten) — with one exception kept exact: an iteration at or after
 * {@link RunSnapshot#iterationsStarted()} checks the stoppers against the snapshot's budget and clock, so such an
 * iteration, even finished, is only kept for this call (on a copy) and checked again on the next. A new engine, or
 * one given a snapshot that does not extend the one it followed (another run, another configuration, fewer
 * iterations or candidates), starts over from the seed: one replay, as after a crash.
 */
public final class GepaEngine {

    /** The loop's state at the start of iteration {@code t}; every earlier iteration is finished. */
    private static final class Checkpoint {
        int t;
        final List<Integer> accepted;
        final BitSet acceptedSet;
        int best;
        double bestScore;
        int sinceImprovement;
        int perfectInARow;
        int mergesTried;
        boolean lastIterationAccepted;
        final Set<List<Integer>> triedPairs;
        final Fronts fronts;

        Checkpoint(RunSnapshot run) {
            accepted = new ArrayList<>(List.of(0));
            acceptedSet = new BitSet();
            acceptedSet.set(0);
            bestScore = meanValidation(run, 0);
            triedPairs = new HashSet<>();
            fronts = new Fronts(run.config(), run.validationIds().size());
        }

        private Checkpoint(Checkpoint from) {
            t = from.t;
            accepted = new ArrayList<>(from.accepted);
            acceptedSet = (BitSet) from.acceptedSet.clone();
            best = from.best;
            bestScore = from.bestScore;
            sinceImprovement = from.sinceImprovement;
            perfectInARow = from.perfectInARow;
            mergesTried = from.mergesTried;
            lastIterationAccepted = from.lastIterationAccepted;
            triedPairs = new HashSet<>(from.triedPairs);
            fronts = from.fronts.copy();
        }

        Checkpoint copy() {
            return new Checkpoint(this);
        }

        void accept(RunSnapshot run, int child) {
            accepted.add(child);
            acceptedSet.set(child);
            double childScore = meanValidation(run, child);
            if (childScore > bestScore) {
                best = child;
                bestScore = childScore;
                sinceImprovement = 0;
            } else {
                sinceImprovement++;
            }
        }
    }

    /**
     * The selection over the accepted candidates, brought up to date lazily: a candidate's row joins the fronts at
     * the first selection after its acceptance, which is when a replay would first build a front holding it (so a
     * bad value fails at the same point).
     */
    private static final class Fronts {
        private final IncrementalFront incremental; // null for the legacy selection
        private final List<double[]> legacyRows; // the legacy selection is recomputed from the rows when they change
        private ParetoFront legacy;

        Fronts(GepaConfig config, int examples) {
            incremental = config.legacySelection() ? null : new IncrementalFront(config.frontierType(), examples);
            legacyRows = config.legacySelection() ? new ArrayList<>() : null;
        }

        private Fronts(Fronts from) {
            incremental = from.incremental == null ? null : from.incremental.copy();
            legacyRows = from.legacyRows == null ? null : new ArrayList<>(from.legacyRows);
            legacy = from.legacy;
        }

        Fronts copy() {
            return new Fronts(this);
        }

        ParetoFront select(RunSnapshot run, List<Integer> accepted) {
            if (incremental == null) {
                if (legacy == null || legacyRows.size() < accepted.size()) {
                    for (int p = legacyRows.size(); p < accepted.size(); p++)
                        legacyRows.add(validationRow(run, accepted.get(p)));
                    legacy = ParetoFront.byScoreDominance(legacyRows.toArray(double[][]::new));
                }
                return legacy;
            }
            for (int p = incremental.size(); p < accepted.size(); p++) {
                int candidate = accepted.get(p);
                Map<String, double[]> objectives = run.config().frontierType() == FrontierType.INSTANCE
                        ? Map.of()
                        : objectiveRows(run, candidate, incremental.size() == 0 ? null : incremental.objectives());
                incremental.add(validationRow(run, candidate), objectives);
            }
            return incremental.select();
        }
    }

    private Checkpoint committed;
    private GepaConfig followedConfig;
    private List<String> followedTrain;
    private List<String> followedValidation;
    private Candidate lastAccepted;
    private double[] seedValidation;
    private int replays;

    /** What the run needs next; an engine kept between calls of the same run goes on where it stopped. */
    public Decision decide(RunSnapshot run) {
        if (run.validationIds().isEmpty() || run.trainIds().isEmpty()) {
            throw new IllegalStateException("a GEPA run needs at least one train and one validation example");
        }
        if (committed != null && !extendsFollowed(run)) committed = null;
        if (committed == null) {
            List<String> missing = missing(run, 0, run.validationIds());
            if (!missing.isEmpty()) return new NeedScores(-1, 0, missing, Purpose.SEED_VALIDATION);
            committed = new Checkpoint(run);
            replays++;
            followedConfig = run.config();
            followedTrain = run.trainIds();
            followedValidation = run.validationIds();
            seedValidation = validationRow(run, 0);
        }
        try {
            Decision decision = advance(run);
            lastAccepted = run.candidates().get(committed.accepted.getLast());
            return decision;
        } catch (RuntimeException e) {
            committed = null; // the next call replays from the start and meets the same fault
            throw e;
        }
    }

    /** An engine in the same state that goes on independently (for benchmarks that time one step many times). */
    GepaEngine copy() {
        GepaEngine copy = new GepaEngine();
        copy.committed = committed == null ? null : committed.copy();
        copy.followedConfig = followedConfig;
        copy.followedTrain = followedTrain;
        copy.followedValidation = followedValidation;
        copy.lastAccepted = lastAccepted;
        copy.seedValidation = seedValidation;
        copy.replays = replays;
        return copy;
    }

    /** How many times this engine started from the seed (once, unless a snapshot did not extend the last). */
    int replays() {
        return replays;
    }

    /** Whether the snapshot is a later view of the run this engine followed (cheap checks, no history pass). */
    private boolean extendsFollowed(RunSnapshot run) {
        if (!run.config().equals(followedConfig)
                || !run.trainIds().equals(followedTrain)
                || !run.validationIds().equals(followedValidation)
                || run.iterationsStarted() < committed.t) return false;
        int last = committed.accepted.getLast();
        if (run.candidates().size() <= last || !run.candidates().get(last).equals(lastAccepted)) return false;
        for (int e = 0; e < seedValidation.length; e++) {
            var score = run.score(0, run.validationIds().get(e));
            if (score.isEmpty() || Double.compare(score.getAsDouble(), seedValidation[e]) != 0) return false;
        }
        return true;
    }

    /** Runs iterations from the checkpoint until one needs something; finished iterations before the frontier commit. */
    private Decision advance(RunSnapshot run) {
        GepaConfig config = run.config();
        // after this many minibatches in a row on which the chosen parent is already perfect, there is nothing
        // left to learn from the train set (two epochs' worth of batches)
        int convergedAfter = 2
                * Math.ceilDiv(
                        run.trainIds().size(),
                        Math.min(config.minibatchSize(), run.trainIds().size()));
        Checkpoint s = committed;
        List<String> missing;
        for (; ; ) {
            int t = s.t;
            boolean frontier = t >= run.iterationsStarted();
            if (frontier) {
                StopReason stop =
                        s.perfectInARow >= convergedAfter ? StopReason.CONVERGED : stopper(run, s.sinceImprovement);
                if (stop != null) return new Finished(s.best, s.bestScore, meanValidation(run, 0), stop, t);
            }
            ParetoFront front = s.fronts.select(run, s.accepted);
            List<String> minibatch = Minibatches.forIteration(run.trainIds(), t, config.minibatchSize(), config.seed());

            // merge (optional): right after an iteration that accepted a candidate, while merges remain
            MergePlan merge = config.maxMerges() > 0 && s.lastIterationAccepted && s.mergesTried < config.maxMerges()
                    ? mergePlan(
                            run,
                            front,
                            s.accepted,
                            s.triedPairs,
                            new SplittableRandom(mix(config.seed() ^ MERGE_STREAM, t)))
                    : null;
            if (merge != null) {
                for (int p : List.of(merge.first(), merge.second())) {
                    missing = missing(run, p, minibatch);
                    if (!missing.isEmpty()) return new NeedScores(t, p, missing, Purpose.PARENT_MINIBATCH);
                }
                Integer child = run.reflections().get(t);
                if (child == null)
                    return new NeedMerge(t, merge.first(), merge.second(), merge.ancestor(), merge.text());
                missing = missing(run, child, minibatch);
                if (!missing.isEmpty()) return new NeedScores(t, child, missing, Purpose.CHILD_MINIBATCH);
                double parentsBest = Math.max(sum(run, merge.first(), minibatch), sum(run, merge.second(), minibatch));
                boolean rejected = s.acceptedSet.get(child) || sum(run, child, minibatch) <= parentsBest;
                if (!rejected) {
                    missing = missing(run, child, run.validationIds());
                    if (!missing.isEmpty()) return new NeedScores(t, child, missing, Purpose.CHILD_VALIDATION);
                }
                s = writable(s, frontier);
                s.mergesTried++;
                s.triedPairs.add(List.of(merge.first(), merge.second()));
                s.lastIterationAccepted = false;
                if (rejected) s.sinceImprovement++; // not strictly better than both parents on the minibatch
                else s.accept(run, child);
                s.t++;
                continue;
            }

            int parent = s.accepted.get(front.sample(new SplittableRandom(mix(config.seed(), t))));

            missing = missing(run, parent, minibatch);
            if (!missing.isEmpty()) return new NeedScores(t, parent, missing, Purpose.PARENT_MINIBATCH);
            double parentSum = sum(run, parent, minibatch);
            if (parentSum >= config.perfectScore() * minibatch.size()) {
                s = writable(s, frontier);
                s.lastIterationAccepted = false;
                s.sinceImprovement++;
                s.perfectInARow++;
                s.t++;
                continue; // nothing to learn from a perfect minibatch
            }
            Integer child = run.reflections().get(t);
            if (child == null) return new NeedReflection(t, parent, minibatch);

            missing = missing(run, child, minibatch);
            if (!missing.isEmpty()) return new NeedScores(t, child, missing, Purpose.CHILD_MINIBATCH);
            boolean rejected = s.acceptedSet.get(child) || sum(run, child, minibatch) <= parentSum;
            if (!rejected) {
                missing = missing(run, child, run.validationIds());
                if (!missing.isEmpty()) return new NeedScores(t, child, missing, Purpose.CHILD_VALIDATION);
            }
            s = writable(s, frontier);
            s.perfectInARow = 0;
            if (rejected) {
                s.lastIterationAccepted = false;
                s.sinceImprovement++; // not strictly better on the minibatch
            } else {
                s.lastIterationAccepted = true;
                s.accept(run, child);
            }
            s.t++;
        }
    }

    /**
     * The state an iteration that just finished may change: the kept one, or, for an iteration at or after the run's
     * {@code iterationsStarted} (whose stoppers the next call checks anew), a copy for this call only.
     */
    private Checkpoint writable(Checkpoint s, boolean frontier) {
        return frontier && s == committed ? committed.copy() : s;
    }

    /** Stream of the merge choices, apart from the parent choices' stream. */
    private static final long MERGE_STREAM = 0x3E36E5L;

    /** Two front candidates to merge, their nearest common ancestor and the merged instruction. */
    record MergePlan(int first, int second, int ancestor, String text) {}

    /**
     * A pair of front candidates (after dropping dominated ones) neither of which descends from the other, with a
     * common ancestor, not tried before, whose merge differs from both; drawn uniformly among all such pairs. Null
     * when there is none. Source: GEPA's {@code MergeProposer} (pairs of Pareto-front programs sharing an ancestor).
     */
    static MergePlan mergePlan(
            RunSnapshot run,
            ParetoFront front,
            List<Integer> accepted,
            Set<List<Integer>> tried,
            SplittableRandom random) {
        List<Integer> onFront = new ArrayList<>();
        for (int position : front.frequency().keySet()) onFront.add(accepted.get(position));
        onFront.sort(null);
        List<MergePlan> plans = new ArrayList<>();
        for (int i = 0; i < onFront.size(); i++) {
            for (int j = i + 1; j < onFront.size(); j++) {
                int a = onFront.get(i);
                int b = onFront.get(j);
                if (tried.contains(List.of(a, b))) continue;
                Set<Integer> ancestorsOfA = ancestors(run, a);
                Set<Integer> ancestorsOfB = ancestors(run, b);
                if (ancestorsOfA.contains(b) || ancestorsOfB.contains(a)) continue;
                int common = -1;
                for (int c : ancestorsOfA) if (ancestorsOfB.contains(c)) common = Math.max(common, c);
                if (common < 0) continue;
                String textA = run.candidates().get(a).text();
                String textB = run.candidates().get(b).text();
                String merged =
                        GuidelineMerge.merge(run.candidates().get(common).text(), textA, textB);
                if (merged.equals(textA) || merged.equals(textB)) continue;
                plans.add(new MergePlan(a, b, common, merged));
            }
        }
        return plans.isEmpty() ? null : plans.get(random.nextInt(plans.size()));
    }

    /** Every candidate {@code candidate} descends from (not itself). */
    static Set<Integer> ancestors(RunSnapshot run, int candidate) {
        Set<Integer> seen = new HashSet<>();
        List<Integer> open = new ArrayList<>(run.candidates().get(candidate).parents());
        while (!open.isEmpty()) {
            int c = open.removeLast();
            if (seen.add(c)) open.addAll(run.candidates().get(c).parents());
        }
        return seen;
    }

    /** The candidates accepted so far (seed first), replayed like {@link #decide} does. */
    public List<Integer> accepted(RunSnapshot run) {
        List<Integer> accepted = new ArrayList<>(List.of(0));
        for (int t = 0; t < run.iterationsStarted(); t++) {
            Integer child = run.reflections().get(t);
            if (child != null && !accepted.contains(child) && complete(run, child, run.validationIds())) {
                accepted.add(child);
            }
        }
        return accepted;
    }

    private static StopReason stopper(RunSnapshot run, int sinceImprovement) {
        GepaConfig config = run.config();
        if (run.metricCallsSpent() >= config.maxMetricCalls()) return StopReason.BUDGET;
        if (config.maxIterationsWithoutImprovement() > 0
                && sinceImprovement >= config.maxIterationsWithoutImprovement()) {
            return StopReason.NO_IMPROVEMENT;
        }
        if (config.maxWallTime() != null && run.elapsed().compareTo(config.maxWallTime()) >= 0) {
            return StopReason.WALL_TIME;
        }
        return null;
    }

    private static List<String> missing(RunSnapshot run, int candidate, List<String> exampleIds) {
        Set<String> missing = new LinkedHashSet<>();
        for (String id : exampleIds) if (run.score(candidate, id).isEmpty()) missing.add(id);
        return List.copyOf(missing);
    }

    private static boolean complete(RunSnapshot run, int candidate, List<String> exampleIds) {
        return missing(run, candidate, exampleIds).isEmpty();
    }

    private static double sum(RunSnapshot run, int candidate, List<String> exampleIds) {
        double sum = 0;
        for (String id : exampleIds) sum += run.score(candidate, id).orElseThrow();
        return sum;
    }

    static double meanValidation(RunSnapshot run, int candidate) {
        return sum(run, candidate, run.validationIds()) / run.validationIds().size();
    }

    /**
     * The candidates on the run's final Pareto front (of its accepted candidates, under its frontier type), best mean
     * validation score first (ties by candidate index): what an A/B test may put against the baseline at once.
     */
    public List<Integer> finalFront(RunSnapshot run) {
        List<Integer> accepted = accepted(run);
        ParetoFront front = front(run, accepted);
        List<Integer> out = new ArrayList<>();
        for (int position : front.frequency().keySet()) out.add(accepted.get(position));
        out.sort(java.util.Comparator.<Integer>comparingDouble(c -> -meanValidation(run, c))
                .thenComparingInt(c -> c));
        return out;
    }

    /**
     * The front of the accepted candidates under the run's frontier type. An objective beside the score joins only
     * when every accepted candidate carries it on every validation example (a candidate without a cost cannot be
     * compared on cost); the reference instead refuses to run an objective front without objective scores.
     */
    static ParetoFront front(RunSnapshot run, List<Integer> accepted) {
        double[][] scores = validationMatrix(run, accepted);
        if (run.config().legacySelection()) return ParetoFront.byScoreDominance(scores);
        Map<String, double[][]> objectives = new TreeMap<>();
        if (run.config().frontierType() != FrontierType.INSTANCE) {
            Set<String> names = new TreeSet<>();
            for (int c : accepted) {
                for (var byName : run.objectives().getOrDefault(c, Map.of()).values()) names.addAll(byName.keySet());
            }
            names.remove(ParetoFront.SCORE);
            for (String name : names) {
                double[][] values = objectiveMatrix(run, accepted, name);
                if (values != null) objectives.put(name, values);
            }
        }
        return ParetoFront.of(run.config().frontierType(), scores, objectives);
    }

    /** A candidate's scores on the validation examples, in their order. */
    private static double[] validationRow(RunSnapshot run, int candidate) {
        double[] row = new double[run.validationIds().size()];
        for (int e = 0; e < row.length; e++)
            row[e] = run.score(candidate, run.validationIds().get(e)).orElseThrow();
        return row;
    }

    /**
     * The objectives beside the score that the candidate carries on every validation example (the others cannot
     * join a front: {@link #front}), restricted to {@code taking part} when given.
     */
    private static Map<String, double[]> objectiveRows(RunSnapshot run, int candidate, Set<String> takingPart) {
        var byExample = run.objectives().getOrDefault(candidate, Map.of());
        Set<String> names = new TreeSet<>();
        for (var byName : byExample.values()) names.addAll(byName.keySet());
        names.remove(ParetoFront.SCORE);
        if (takingPart != null) names.retainAll(takingPart);
        Map<String, double[]> rows = new TreeMap<>();
        for (String name : names) {
            double[] row = new double[run.validationIds().size()];
            boolean complete = true;
            for (int e = 0; e < row.length && complete; e++) {
                Double v = byExample
                        .getOrDefault(run.validationIds().get(e), Map.of())
                        .get(name);
                if (v == null) complete = false;
                else row[e] = v;
            }
            if (complete) rows.put(name, row);
        }
        return rows;
    }

    private static double[][] objectiveMatrix(RunSnapshot run, List<Integer> candidates, String name) {
        double[][] matrix = new double[candidates.size()][run.validationIds().size()];
        for (int c = 0; c < candidates.size(); c++) {
            var byExample = run.objectives().getOrDefault(candidates.get(c), Map.of());
            for (int e = 0; e < run.validationIds().size(); e++) {
                Double v = byExample
                        .getOrDefault(run.validationIds().get(e), Map.of())
                        .get(name);
                if (v == null) return null;
                matrix[c][e] = v;
            }
        }
        return matrix;
    }

    private static double[][] validationMatrix(RunSnapshot run, List<Integer> candidates) {
        double[][] matrix = new double[candidates.size()][run.validationIds().size()];
        for (int c = 0; c < candidates.size(); c++) {
            for (int e = 0; e < run.validationIds().size(); e++) {
                matrix[c][e] =
                        run.score(candidates.get(c), run.validationIds().get(e)).orElseThrow();
            }
        }
        return matrix;
    }

    /** A well-mixed seed for a sub-stream (SplitMix64 finaliser), so nearby iterations get unrelated draws. */
    static long mix(long seed, long stream) {
        long z = seed + stream * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
