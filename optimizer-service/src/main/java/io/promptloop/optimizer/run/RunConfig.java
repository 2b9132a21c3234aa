package io.promptloop.optimizer.run;

import java.util.List;

/**
 * What a run was started with, stored as {@code config_json} for reproducibility: the frozen example split and
 * every setting that shapes the run's path.
 */
public record RunConfig(
        List<String> trainIds,
        List<String> validationIds,
        int minibatchSize,
        int maxIterationsWithoutImprovement,
        Long maxWallTimeSeconds,
        String reflector,
        int bootstrapCandidates,
        double validationFraction,
        Integer maxMerges) {

    /** GEPA merges the run may try; absent (runs started before merge existed) = 0, off. */
    public int merges() {
        return maxMerges == null ? 0 : maxMerges;
    }
}
