package io.promptloop.optimizer.run.domain;

import java.util.List;

/**
 * A candidate instruction of a run. Index 0 is the seed (the active instruction).
 *
 * @param index position in the run, in order of creation
 * @param text the instruction
 * @param parents indices of the candidates it was derived from (GEPA lineage)
 * @param origin how it came to be
 */
public record Candidate(int index, String text, List<Integer> parents, Origin origin) {

    public Candidate {
        parents = List.copyOf(parents);
    }

    public enum Origin {
        SEED,
        REFLECTION,
        MERGE,
        BOOTSTRAP
    }
}
