package io.promptloop.optimizer.run.domain;

import java.util.List;

/** What a run needs next; the service carries it out, records the result and asks again. */
public sealed interface Decision {

    /**
     * Scores of {@code candidate} on these examples are missing; request them (they count against the budget).
     *
     * @param iteration the iteration that needs them, or -1 for the seed's validation
     */
    record NeedScores(int iteration, int candidate, List<String> exampleIds, Purpose purpose) implements Decision {
        public NeedScores {
            exampleIds = List.copyOf(exampleIds);
        }
    }

    /** Ask the reflector for a better instruction than {@code parent}'s, from its results on the minibatch. */
    record NeedReflection(int iteration, int parent, List<String> minibatch) implements Decision {
        public NeedReflection {
            minibatch = List.copyOf(minibatch);
        }
    }

    /**
     * Merge two candidates of the Pareto front that share {@code ancestor} ({@link GuidelineMerge}) into
     * {@code text}, the merged instruction; record it as iteration {@code iteration}'s candidate with both parents.
     */
    record NeedMerge(int iteration, int first, int second, int ancestor, String text) implements Decision {}

    /** The run is over: {@code best} has the highest mean validation score. */
    record Finished(int best, double bestScore, double baselineScore, StopReason reason, int iterations)
            implements Decision {}

    enum Purpose {
        SEED_VALIDATION,
        PARENT_MINIBATCH,
        CHILD_MINIBATCH,
        CHILD_VALIDATION
    }

    enum StopReason {
        BUDGET,
        NO_IMPROVEMENT,
        WALL_TIME,
        /** the chosen parents were perfect on two epochs' worth of minibatches in a row */
        CONVERGED
    }
}
