package io.promptloop.optimizer.run.domain;

import java.time.Duration;
import java.time.Instant;

/**
 * When an agent/predictor gets an optimization run on its own: enough new low-score feedback on its active
 * instruction since its last run, no run in flight and no A/B test in flight (a run started during a test would
 * propose a successor to an instruction whose worth the test has not decided yet, and its own test could not start
 * until the first ends), the daily budget of metric calls not spent, and — after futile runs (runs on the active
 * instruction that found less than {@code minUsefulImprovementPercent}) — either the back-off over or a genuine drop
 * in scores. The back-off doubles with every futile run in a row ({@code backoff}, 2 × backoff, 4 × ..., at most
 * {@code maxBackoff}) from the end of the last one. A drop is new evidence whose mean evaluation score is at least
 * {@code scoreDrop} below the mean of the evidence the last futile run started on: the same instruction measured the
 * same way, now scoring worse. More of the same feedback (improvement notes carry a fixed score and measure nothing)
 * waits for the back-off.
 *
 * @param minLowScoreExamples low-score examples on the active instruction needed since the last run
 * @param minUsefulImprovementPercent a finished run below this improvement is futile (abtest-service tests nothing
 *     below its own threshold, 5 % by default)
 * @param backoff wait after the first futile run in a row
 * @param maxBackoff longest wait
 * @param scoreDrop how much lower the new evidence's mean score must be to count as a drop
 * @param dailyMetricCalls metric calls the runs of one agent/predictor may spend in 24 hours
 * @param runMetricCalls metric calls of one automatic run (its budget)
 */
public record AutoRunRule(
        int minLowScoreExamples,
        double minUsefulImprovementPercent,
        Duration backoff,
        Duration maxBackoff,
        double scoreDrop,
        int dailyMetricCalls,
        int runMetricCalls) {

    public AutoRunRule {
        if (minLowScoreExamples < 1)
            throw new IllegalArgumentException("minLowScoreExamples must be >= 1, was " + minLowScoreExamples);
        if (!(minUsefulImprovementPercent >= 0))
            throw new IllegalArgumentException(
                    "minUsefulImprovementPercent must be >= 0, was " + minUsefulImprovementPercent);
        if (backoff == null || backoff.isNegative())
            throw new IllegalArgumentException("backoff must be >= 0, was " + backoff);
        if (maxBackoff == null || maxBackoff.compareTo(backoff) < 0)
            throw new IllegalArgumentException("maxBackoff must be >= backoff, was " + maxBackoff);
        if (!(scoreDrop > 0 && scoreDrop <= 1))
            throw new IllegalArgumentException("scoreDrop must be within (0, 1], was " + scoreDrop);
        if (runMetricCalls < 1)
            throw new IllegalArgumentException("runMetricCalls must be >= 1, was " + runMetricCalls);
        if (dailyMetricCalls < runMetricCalls)
            throw new IllegalArgumentException("dailyMetricCalls (" + dailyMetricCalls
                    + ") must be at least the budget of one run (" + runMetricCalls + ")");
    }

    /** The rule as it was before back-off and budget: enough feedback and nothing in flight. */
    public static AutoRunRule withoutBackoff(int minLowScoreExamples) {
        return new AutoRunRule(minLowScoreExamples, 0, Duration.ZERO, Duration.ZERO, 1, Integer.MAX_VALUE, 1);
    }

    /**
     * What is known about one agent/predictor that has an active instruction.
     *
     * @param runInFlight a run of it is pending or running
     * @param runningTestId the A/B test its latest routing names, or null when none runs
     * @param lowScoreExamplesSinceLastRun examples scored below the low-score threshold since its last run began and
     *     since its active instruction became active
     * @param evaluationsSinceLastRun examples from evaluations (not notes) evaluated in that window
     * @param meanEvaluationScoreSinceLastRun their mean score, null when there are none
     * @param futileRunsInARow the latest finished runs on the active instruction that were futile, counted back to the
     *     latest useful one
     * @param lastFutileRunEndedAt when the latest of them ended, null when there is none
     * @param lastFutileRunEvidenceScore the mean evidence score the latest of them was started on, null when it was
     *     not started by the policy
     * @param metricCallsLast24h metric calls its runs spent (or hold in flight) in the last 24 hours
     */
    public record Predictor(
            String agent,
            String predictor,
            boolean runInFlight,
            String runningTestId,
            int lowScoreExamplesSinceLastRun,
            int evaluationsSinceLastRun,
            Double meanEvaluationScoreSinceLastRun,
            int futileRunsInARow,
            Instant lastFutileRunEndedAt,
            Double lastFutileRunEvidenceScore,
            int metricCallsLast24h) {

        /** A predictor without futile runs, budget spent or evaluation scores: what the rule decided before. */
        public static Predictor of(
                String agent,
                String predictor,
                boolean runInFlight,
                String runningTestId,
                int lowScoreExamplesSinceLastRun) {
            return new Predictor(
                    agent,
                    predictor,
                    runInFlight,
                    runningTestId,
                    lowScoreExamplesSinceLastRun,
                    0,
                    null,
                    0,
                    null,
                    null,
                    0);
        }
    }

    public enum Verdict {
        START,
        /** after futile runs, before the back-off ends: the scores dropped */
        START_ON_SCORE_DROP,
        RUN_IN_FLIGHT,
        TEST_IN_FLIGHT,
        NOT_ENOUGH_FEEDBACK,
        DAILY_BUDGET_SPENT,
        BACKING_OFF;

        public boolean starts() {
            return this == START || this == START_ON_SCORE_DROP;
        }
    }

    /**
     * The first reason not to start wins, in the order a user would look for it: run, test, feedback, budget, then
     * back-off (which a drop in scores overrides; the budget holds even then).
     */
    public Verdict decide(Predictor p, Instant now) {
        if (p.runInFlight()) return Verdict.RUN_IN_FLIGHT;
        if (p.runningTestId() != null) return Verdict.TEST_IN_FLIGHT;
        if (p.lowScoreExamplesSinceLastRun() < minLowScoreExamples) return Verdict.NOT_ENOUGH_FEEDBACK;
        if ((long) p.metricCallsLast24h() + runMetricCalls > dailyMetricCalls) return Verdict.DAILY_BUDGET_SPENT;
        Instant eligible = eligibleAt(p);
        if (eligible != null && now.isBefore(eligible)) {
            return scoreDropped(p) ? Verdict.START_ON_SCORE_DROP : Verdict.BACKING_OFF;
        }
        return Verdict.START;
    }

    /** When the back-off after the predictor's futile runs ends; null when it has none. */
    public Instant eligibleAt(Predictor p) {
        if (p.futileRunsInARow() == 0 || p.lastFutileRunEndedAt() == null) return null;
        return p.lastFutileRunEndedAt().plus(backoffAfter(p.futileRunsInARow()));
    }

    /** backoff × 2^(futile − 1), at most maxBackoff; zero without futile runs. */
    public Duration backoffAfter(int futileRunsInARow) {
        if (futileRunsInARow <= 0) return Duration.ZERO;
        Duration wait = backoff;
        for (int i = 1; i < futileRunsInARow && wait.compareTo(maxBackoff) < 0; i++) wait = wait.multipliedBy(2);
        return wait.compareTo(maxBackoff) > 0 ? maxBackoff : wait;
    }

    /** Enough new evaluations whose mean is at least {@code scoreDrop} below what the last futile run started on. */
    public boolean scoreDropped(Predictor p) {
        return p.lastFutileRunEvidenceScore() != null
                && p.meanEvaluationScoreSinceLastRun() != null
                && p.evaluationsSinceLastRun() >= minLowScoreExamples
                // a tolerance of 1e-9 so that decimal settings mean what they say (0.6 - 0.1 is 0.49999999999999994)
                && p.lastFutileRunEvidenceScore() - p.meanEvaluationScoreSinceLastRun() >= scoreDrop - 1e-9;
    }

    /**
     * A finished run of the active instruction, as the streak of futile runs needs it.
     *
     * @param status completed, failed or cancelled
     * @param evidenceMeanScore the mean evidence score it was started on, null when an operator started it
     */
    public record FinishedRun(String status, Double improvementPercent, Instant endedAt, Double evidenceMeanScore) {}

    /** The futile runs in a row at the head of a predictor's history, the latest one's end and evidence. */
    public record Streak(int futileRunsInARow, Instant lastEndedAt, Double lastEvidenceScore) {}

    /**
     * Counts the futile runs from the newest back to the latest useful one; cancelled runs (an operator's decision)
     * are neither and are passed over.
     */
    public Streak streak(java.util.List<FinishedRun> newestFirst) {
        int futile = 0;
        FinishedRun latest = null;
        for (FinishedRun r : newestFirst) {
            if (r.status().equals("cancelled")) continue;
            if (!futile(r.status(), r.improvementPercent())) break;
            if (latest == null) latest = r;
            futile++;
        }
        return latest == null
                ? new Streak(0, null, null)
                : new Streak(futile, latest.endedAt(), latest.evidenceMeanScore());
    }

    /** Whether a finished run counts as futile: failed, or completed below the useful improvement. */
    public boolean futile(String status, Double improvementPercent) {
        return status.equals("failed")
                || (status.equals("completed")
                        && (improvementPercent == null || improvementPercent < minUsefulImprovementPercent));
    }
}
