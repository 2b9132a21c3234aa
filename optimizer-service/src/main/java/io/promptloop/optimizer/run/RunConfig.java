package io.promptloop.optimizer.run;

import io.promptloop.optimizer.run.domain.FrontierType;
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
        Integer maxMerges,
        String frontierType) {

    /** GEPA merges the run may try; absent (runs started before merge existed) = 0, off. */
    public int merges() {
        return maxMerges == null ? 0 : maxMerges;
    }

    /**
     * Runs started before parent selection followed the reference have no frontier type: they keep the selection they
     * started with ({@code ParetoFront.byScoreDominance}), so that a resumed run replays its own path.
     */
    public boolean legacySelection() {
        return frontierType == null;
    }

    /** The run's frontier type; instance for runs started before there was a choice. */
    public FrontierType frontier() {
        return frontierType == null ? FrontierType.INSTANCE : FrontierType.parse(frontierType);
    }
}
