package io.promptloop.optimizer.run.domain;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The per-key fronts of a growing set of candidates, updated as each candidate is validated, and the parent selection
 * over them ({@link ParetoFront}) without recomputing the fronts from the score matrix.
 *
 * <p>What is incremental: each key (a validation example, an objective's mean, or an (example, objective) pair,
 * as {@link FrontierType} says) keeps its best value and its members, ascending. Adding candidate p with value v
 * under a key either starts a new front {p} (v above the best), joins it (v equal: exact ties all join, as the
 * reference's {@code _update_pareto_front_for_val_id} does), or leaves it: O(keys) per candidate, never a pass over
 * the earlier candidates. The aggregate (mean validation score) of each candidate is computed once, when it is added.
 *
 * <p>What is recomputed, on the first selection after an addition only (the result is kept until the next one):
 * the reference's {@code remove_dominated_programs} scan ({@link ParetoFront#prune}), in O(memberships + F log F)
 * for F candidates on some front — bounded by the fronts, not by the run's history. It is not updated in place
 * because the scan is greedy in ascending aggregate order and a new candidate both shrinks fronts (making earlier
 * removals invalid) and takes a place in that order, so one addition can change the decision for any candidate
 * after it; running the same scan over the same fronts is what keeps the result identical to the reference.
 *
 * <p>Objectives beyond the score take part only while every candidate added so far carries them (the engine's
 * rule, {@link GepaEngine}): the set of objectives only shrinks, and an objective that drops out takes its keys
 * with it.
 */
final class IncrementalFront {

    /** One key's front: its best value and the candidates that reach it, ascending. */
    private static final class Key {
        double best = Double.NEGATIVE_INFINITY;
        int[] members = new int[2];
        int count;

        void offer(int candidate, double value) {
            if (value > best) {
                best = value;
                members[0] = candidate;
                count = 1;
            } else if (value == best) {
                if (count == members.length) members = Arrays.copyOf(members, count * 2);
                members[count++] = candidate;
            }
        }

        Key copy() {
            Key k = new Key();
            k.best = best;
            k.members = Arrays.copyOf(members, Math.max(2, count));
            k.count = count;
            return k;
        }
    }

    /** The keys of one metric: per example (when the frontier type keeps them) and its mean (likewise). */
    private static final class Metric {
        final Key[] perExample;
        final Key mean;

        Metric(int examples, boolean withExamples, boolean withMean) {
            perExample = withExamples ? new Key[examples] : null;
            if (perExample != null) for (int e = 0; e < examples; e++) perExample[e] = new Key();
            mean = withMean ? new Key() : null;
        }

        private Metric(Key[] perExample, Key mean) {
            this.perExample = perExample;
            this.mean = mean;
        }

        void offer(int candidate, double[] values) {
            if (perExample != null) for (int e = 0; e < values.length; e++) perExample[e].offer(candidate, values[e]);
            if (mean != null) mean.offer(candidate, ParetoFront.mean(values));
        }

        Metric copy() {
            Key[] examples = null;
            if (perExample != null) {
                examples = new Key[perExample.length];
                for (int e = 0; e < examples.length; e++) examples[e] = perExample[e].copy();
            }
            return new Metric(examples, mean == null ? null : mean.copy());
        }
    }

    private final FrontierType type;
    private final int examples;
    private final Metric score;
    /** Objectives beside the score that every candidate so far carries, by name (sorted: the key order). */
    private TreeMap<String, Metric> others;

    private double[] aggregate = new double[16];
    private int size;
    private ParetoFront selection; // valid until the next addition

    /**
     * @param examples validation examples per candidate (the length of every row)
     */
    IncrementalFront(FrontierType type, int examples) {
        if (examples < 1) throw new IllegalArgumentException("no validation examples");
        this.type = type;
        this.examples = examples;
        this.score = new Metric(examples, type != FrontierType.OBJECTIVE, usesMeans(type));
    }

    private IncrementalFront(IncrementalFront from) {
        this.type = from.type;
        this.examples = from.examples;
        this.score = from.score.copy();
        if (from.others != null) {
            this.others = new TreeMap<>();
            from.others.forEach((name, metric) -> others.put(name, metric.copy()));
        }
        this.aggregate = Arrays.copyOf(from.aggregate, from.aggregate.length);
        this.size = from.size;
        this.selection = from.selection;
    }

    private static boolean usesMeans(FrontierType type) {
        return type == FrontierType.OBJECTIVE || type == FrontierType.HYBRID;
    }

    /** A deep copy: adding to one leaves the other as it was. */
    IncrementalFront copy() {
        return new IncrementalFront(this);
    }

    /** Candidates added so far. */
    int size() {
        return size;
    }

    /**
     * Adds the next candidate (its position is {@link #size()} before the call).
     *
     * @param scores its main score per validation example
     * @param objectives further objectives it carries on every validation example, by name, oriented so that higher
     *     is better; ignored by the instance front. An objective missing here is dropped for good.
     * @throws IllegalArgumentException on a row of the wrong length or a value that is not finite (nothing is added)
     */
    void add(double[] scores, Map<String, double[]> objectives) {
        int candidate = size;
        check(ParetoFront.SCORE, candidate, scores);
        boolean withObjectives = type != FrontierType.INSTANCE;
        if (withObjectives) {
            if (objectives.containsKey(ParetoFront.SCORE))
                throw new IllegalArgumentException("objective '" + ParetoFront.SCORE + "' is the main score");
            for (String name : new java.util.TreeSet<>(objectives.keySet()))
                if (others == null || others.containsKey(name)) check(name, candidate, objectives.get(name));
            if (others == null) {
                others = new TreeMap<>();
                for (String name : objectives.keySet())
                    others.put(name, new Metric(examples, type == FrontierType.CARTESIAN, usesMeans(type)));
            } else {
                others.keySet().retainAll(objectives.keySet());
            }
        }
        if (candidate == aggregate.length) aggregate = Arrays.copyOf(aggregate, candidate * 2);
        aggregate[candidate] = ParetoFront.mean(scores);
        score.offer(candidate, scores);
        if (withObjectives) others.forEach((name, metric) -> metric.offer(candidate, objectives.get(name)));
        size++;
        selection = null;
    }

    /** Objectives taking part now. */
    Set<String> objectives() {
        return others == null ? Set.of() : java.util.Collections.unmodifiableSet(others.keySet());
    }

    /** The selection over the current fronts (dominated candidates removed, frequencies counted). */
    ParetoFront select() {
        if (size == 0) throw new IllegalArgumentException("no candidates");
        if (selection == null) {
            List<Key> keys = keysInOrder();
            int[][] members = new int[keys.size()][];
            int[] counts = new int[keys.size()];
            for (int k = 0; k < members.length; k++) {
                members[k] = keys.get(k).members;
                counts[k] = keys.get(k).count;
            }
            selection = ParetoFront.prune(members, counts, aggregate, size);
        }
        return selection;
    }

    /** The keys in the reference's order ({@code _get_pareto_front_mapping}): examples, then objectives. */
    private List<Key> keysInOrder() {
        List<Metric> metrics = new ArrayList<>();
        metrics.add(score);
        if (others != null) metrics.addAll(others.values());
        List<Key> keys = new ArrayList<>();
        switch (type) {
            case INSTANCE -> keys.addAll(Arrays.asList(score.perExample));
            case OBJECTIVE -> metrics.forEach(m -> keys.add(m.mean));
            case HYBRID -> {
                keys.addAll(Arrays.asList(score.perExample));
                metrics.forEach(m -> keys.add(m.mean));
            }
            case CARTESIAN -> {
                for (int e = 0; e < examples; e++) for (Metric m : metrics) keys.add(m.perExample[e]);
            }
        }
        return keys;
    }

    private void check(String name, int candidate, double[] row) {
        if (row.length != examples)
            throw new IllegalArgumentException("ragged " + name + " matrix: candidate " + candidate + " has "
                    + row.length + " values, expected " + examples + " (one per validation example)");
        for (int e = 0; e < examples; e++) {
            if (!Double.isFinite(row[e]))
                throw new IllegalArgumentException(name + " of candidate " + candidate + " on example " + e + " is "
                        + row[e] + ": every value on a front must be a finite number");
        }
    }
}
