package io.promptloop.optimizer.run.domain;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Everything a GEPA run has recorded so far — the whole input of {@link GepaEngine#decide}. A service that
 * crashed rebuilds it from the database and the run goes on exactly where it was.
 *
 * @param trainIds train example ids, in a stable order
 * @param validationIds validation example ids, in a stable order
 * @param candidates candidates by index
 * @param scores known score per candidate index and example id
 * @param reflections the candidate each iteration's reflection (or merge) produced
 * @param iterationsStarted iterations begun so far (stoppers are checked only before a new one begins)
 * @param metricCallsSpent example evaluations requested so far
 * @param elapsed wall time of the run so far
 * @param objectives further per-example metrics per candidate index and example id, by name, oriented so that
 *     higher is better (e.g. a negated cost or latency): objectives of the objective, hybrid and cartesian fronts
 *     beside the score; empty when the evaluations carry none
 */
public record RunSnapshot(
        GepaConfig config,
        List<String> trainIds,
        List<String> validationIds,
        List<Candidate> candidates,
        Map<Integer, Map<String, Double>> scores,
        Map<Integer, Integer> reflections,
        int iterationsStarted,
        int metricCallsSpent,
        Duration elapsed,
        Map<Integer, Map<String, Map<String, Double>>> objectives) {

    /** A run whose evaluations carry no metric beside the score. */
    public RunSnapshot(
            GepaConfig config,
            List<String> trainIds,
            List<String> validationIds,
            List<Candidate> candidates,
            Map<Integer, Map<String, Double>> scores,
            Map<Integer, Integer> reflections,
            int iterationsStarted,
            int metricCallsSpent,
            Duration elapsed) {
        this(
                config,
                trainIds,
                validationIds,
                candidates,
                scores,
                reflections,
                iterationsStarted,
                metricCallsSpent,
                elapsed,
                Map.of());
    }

    public RunSnapshot {
        objectives = Map.copyOf(objectives);
        trainIds = List.copyOf(trainIds);
        validationIds = List.copyOf(validationIds);
        candidates = List.copyOf(candidates);
        for (int i = 0; i < candidates.size(); i++) {
            if (candidates.get(i).index() != i)
                throw new IllegalArgumentException(
                        "candidate " + i + " has index " + candidates.get(i).index());
        }
    }

    OptionalDouble score(int candidate, String exampleId) {
        Double s = scores.getOrDefault(candidate, Map.of()).get(exampleId);
        return s == null ? OptionalDouble.empty() : OptionalDouble.of(s);
    }
}
