package io.promptloop.optimizer.run.domain;

/**
 * When an agent/predictor gets an optimization run on its own: enough new low-score feedback since its last run,
 * no run in flight and no A/B test in flight (a run started during a test would propose a successor to an
 * instruction whose worth the test has not decided yet, and its own test could not start until the first ends).
 *
 * @param minLowScoreExamples low-score examples needed since the last run
 */
public record AutoRunRule(int minLowScoreExamples) {

    public AutoRunRule {
        if (minLowScoreExamples < 1)
            throw new IllegalArgumentException("minLowScoreExamples must be >= 1, was " + minLowScoreExamples);
    }

    /**
     * What is known about one agent/predictor that has an active instruction.
     *
     * @param runInFlight a run of it is pending or running
     * @param runningTestId the A/B test its latest routing names, or null when none runs
     * @param lowScoreExamplesSinceLastRun examples scored below the low-score threshold since its last run began
     */
    public record Predictor(
            String agent,
            String predictor,
            boolean runInFlight,
            String runningTestId,
            int lowScoreExamplesSinceLastRun) {}

    public enum Verdict {
        START,
        RUN_IN_FLIGHT,
        TEST_IN_FLIGHT,
        NOT_ENOUGH_FEEDBACK
    }

    /** The first reason not to start wins, in the order a user would look for it: run, test, then feedback. */
    public Verdict decide(Predictor p) {
        if (p.runInFlight()) return Verdict.RUN_IN_FLIGHT;
        if (p.runningTestId() != null) return Verdict.TEST_IN_FLIGHT;
        if (p.lowScoreExamplesSinceLastRun() < minLowScoreExamples) return Verdict.NOT_ENOUGH_FEEDBACK;
        return Verdict.START;
    }
}
