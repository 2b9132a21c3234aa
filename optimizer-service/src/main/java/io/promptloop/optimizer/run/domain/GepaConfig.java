package io.promptloop.optimizer.run.domain;

import java.time.Duration;

/**
 * Settings of one GEPA run; with the same settings, examples, scores and reflections a run takes the same
 * path (all randomness derives from {@code seed}).
 *
 * @param maxMetricCalls budget in example evaluations (light ≈ 500, medium ≈ 2,000, heavy ≈ 4,000)
 * @param minibatchSize train examples per reflection (GEPA's default is 3)
 * @param seed seed of every random choice
 * @param maxIterationsWithoutImprovement stop after this many iterations without a better best candidate; 0 = never
 * @param maxWallTime stop when the run has taken this long; null = never
 * @param perfectScore a parent that scores this on a whole minibatch has nothing to learn there: skip it
 * @param maxMerges merges of two front candidates with a common ancestor a run may try (each right after an
 *     iteration that accepted a new candidate); 0 = merge off
 * @param frontierType what the Pareto front is kept over ({@link FrontierType}; GEPA's default is instance)
 * @param legacySelection true only for runs started before parent selection followed the reference
 *     ({@link ParetoFront#byScoreDominance}), so that they replay the path they took
 */
public record GepaConfig(
        int maxMetricCalls,
        int minibatchSize,
        long seed,
        int maxIterationsWithoutImprovement,
        Duration maxWallTime,
        double perfectScore,
        int maxMerges,
        FrontierType frontierType,
        boolean legacySelection) {

    public GepaConfig {
        if (frontierType == null) throw new IllegalArgumentException("frontierType is required");
        if (maxMerges < 0) throw new IllegalArgumentException("maxMerges must be >= 0, was " + maxMerges);
        if (maxMetricCalls < 1)
            throw new IllegalArgumentException("maxMetricCalls must be >= 1, was " + maxMetricCalls);
        if (minibatchSize < 1) throw new IllegalArgumentException("minibatchSize must be >= 1, was " + minibatchSize);
        if (maxIterationsWithoutImprovement < 0)
            throw new IllegalArgumentException("maxIterationsWithoutImprovement must be >= 0");
        if (maxWallTime != null && !maxWallTime.isPositive())
            throw new IllegalArgumentException("maxWallTime must be positive");
    }

    /** Merge off. */
    public GepaConfig(
            int maxMetricCalls,
            int minibatchSize,
            long seed,
            int maxIterationsWithoutImprovement,
            Duration maxWallTime,
            double perfectScore) {
        this(maxMetricCalls, minibatchSize, seed, maxIterationsWithoutImprovement, maxWallTime, perfectScore, 0);
    }

    /** Instance front, reference selection. */
    public GepaConfig(
            int maxMetricCalls,
            int minibatchSize,
            long seed,
            int maxIterationsWithoutImprovement,
            Duration maxWallTime,
            double perfectScore,
            int maxMerges) {
        this(
                maxMetricCalls,
                minibatchSize,
                seed,
                maxIterationsWithoutImprovement,
                maxWallTime,
                perfectScore,
                maxMerges,
                FrontierType.INSTANCE,
                false);
    }

    public static GepaConfig of(int maxMetricCalls, long seed) {
        return new GepaConfig(maxMetricCalls, 3, seed, 0, null, 1.0);
    }

    public GepaConfig withMaxMerges(int maxMerges) {
        return new GepaConfig(
                maxMetricCalls,
                minibatchSize,
                seed,
                maxIterationsWithoutImprovement,
                maxWallTime,
                perfectScore,
                maxMerges,
                frontierType,
                legacySelection);
    }

    public GepaConfig withFrontierType(FrontierType frontierType) {
        return new GepaConfig(
                maxMetricCalls,
                minibatchSize,
                seed,
                maxIterationsWithoutImprovement,
                maxWallTime,
                perfectScore,
                maxMerges,
                frontierType,
                legacySelection);
    }

    public GepaConfig withLegacySelection(boolean legacySelection) {
        return new GepaConfig(
                maxMetricCalls,
                minibatchSize,
                seed,
                maxIterationsWithoutImprovement,
                maxWallTime,
                perfectScore,
                maxMerges,
                frontierType,
                legacySelection);
    }
}
