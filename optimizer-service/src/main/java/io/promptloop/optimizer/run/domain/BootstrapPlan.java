package io.promptloop.optimizer.run.domain;

import io.promptloop.optimizer.run.domain.Decision.Finished;
import io.promptloop.optimizer.run.domain.Decision.NeedScores;
import io.promptloop.optimizer.run.domain.Decision.Purpose;
import java.util.ArrayList;
import java.util.List;

/**
 * Bootstrap few-shot as a run: every candidate (the seed and the demonstration sets chosen at the start) is
 * validated in order while the budget lasts; the best mean validation score wins. Source: Khattab et al.,
 * "DSPy: Compiling Declarative Language Model Calls into Self-Improving Pipelines" (2023), BootstrapFewShot.
 */
public final class BootstrapPlan {

    public Decision decide(RunSnapshot run) {
        int best = -1;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (Candidate candidate : run.candidates()) {
            List<String> missing = new ArrayList<>();
            for (String id : run.validationIds())
                if (run.score(candidate.index(), id).isEmpty()) missing.add(id);
            if (!missing.isEmpty()) {
                boolean affordable =
                        run.metricCallsSpent() + missing.size() <= run.config().maxMetricCalls();
                if (candidate.index() == 0 || affordable) {
                    return new NeedScores(
                            -1,
                            candidate.index(),
                            missing,
                            candidate.index() == 0 ? Purpose.SEED_VALIDATION : Purpose.CHILD_VALIDATION);
                }
                break; // budget exhausted: the candidates validated so far compete
            }
            double score = GepaEngine.meanValidation(run, candidate.index());
            if (score > bestScore) {
                best = candidate.index();
                bestScore = score;
            }
        }
        return new Finished(best, bestScore, GepaEngine.meanValidation(run, 0), Decision.StopReason.BUDGET, 0);
    }
}
