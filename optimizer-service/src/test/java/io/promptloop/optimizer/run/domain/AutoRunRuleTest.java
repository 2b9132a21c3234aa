package io.promptloop.optimizer.run.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.promptloop.optimizer.run.domain.AutoRunRule.FinishedRun;
import io.promptloop.optimizer.run.domain.AutoRunRule.Predictor;
import io.promptloop.optimizer.run.domain.AutoRunRule.Streak;
import io.promptloop.optimizer.run.domain.AutoRunRule.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class AutoRunRuleTest {

    /** 20 low scores, futile below +5 %, back-off 10 min doubling up to 24 h, a drop of 0.1, 2,000 calls a day, 500 a run. */
    private static final AutoRunRule RULE =
            new AutoRunRule(20, 5.0, Duration.ofMinutes(10), Duration.ofHours(24), 0.1, 2_000, 500);

    private static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");

    private static Instant minutesAgo(long m) {
        return NOW.minus(Duration.ofMinutes(m));
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                // enough new low-score feedback, nothing in flight: start
                Arguments.of(false, null, 20, 0, null, 0, null, null, 0, Verdict.START),
                Arguments.of(false, null, 500, 0, null, 0, null, null, 0, Verdict.START),
                // one example short
                Arguments.of(false, null, 19, 0, null, 0, null, null, 0, Verdict.NOT_ENOUGH_FEEDBACK),
                Arguments.of(false, null, 0, 0, null, 0, null, null, 0, Verdict.NOT_ENOUGH_FEEDBACK),
                // a run in flight blocks, whatever the feedback and the test
                Arguments.of(true, null, 100, 0, null, 0, null, null, 0, Verdict.RUN_IN_FLIGHT),
                Arguments.of(true, "test-1", 100, 0, null, 0, null, null, 0, Verdict.RUN_IN_FLIGHT),
                // an A/B test in flight blocks even with plenty of feedback
                Arguments.of(false, "test-1", 100, 0, null, 0, null, null, 0, Verdict.TEST_IN_FLIGHT),
                Arguments.of(false, "test-1", 0, 0, null, 0, null, null, 0, Verdict.TEST_IN_FLIGHT),
                // one futile run 5 min ago: back-off 10 min
                Arguments.of(false, null, 40, 0, null, 1, minutesAgo(5), 0.55, 0, Verdict.BACKING_OFF),
                // ... over after 10 min
                Arguments.of(false, null, 40, 0, null, 1, minutesAgo(10), 0.55, 0, Verdict.START),
                // three futile runs in a row: 40 min, so 30 min after the last one is still too early
                Arguments.of(false, null, 40, 0, null, 3, minutesAgo(30), 0.55, 0, Verdict.BACKING_OFF),
                Arguments.of(false, null, 40, 0, null, 3, minutesAgo(40), 0.55, 0, Verdict.START),
                // twenty futile runs: capped at 24 h
                Arguments.of(false, null, 40, 0, null, 20, minutesAgo(24 * 60 - 1), 0.55, 0, Verdict.BACKING_OFF),
                Arguments.of(false, null, 40, 0, null, 20, minutesAgo(24 * 60), 0.55, 0, Verdict.START),
                // during the back-off: more of the same (notes only, or evaluations as good as before) waits
                Arguments.of(false, null, 40, 0, null, 1, minutesAgo(1), 0.55, 0, Verdict.BACKING_OFF),
                Arguments.of(false, null, 40, 30, 0.55, 1, minutesAgo(1), 0.55, 0, Verdict.BACKING_OFF),
                Arguments.of(false, null, 40, 30, 0.46, 1, minutesAgo(1), 0.55, 0, Verdict.BACKING_OFF),
                // ... a drop of 0.1 or more starts one
                Arguments.of(false, null, 40, 30, 0.45, 1, minutesAgo(1), 0.55, 0, Verdict.START_ON_SCORE_DROP),
                Arguments.of(false, null, 40, 30, 0.20, 5, minutesAgo(1), 0.55, 0, Verdict.START_ON_SCORE_DROP),
                // ... but not on fewer evaluations than the feedback threshold
                Arguments.of(false, null, 40, 19, 0.20, 1, minutesAgo(1), 0.55, 0, Verdict.BACKING_OFF),
                // ... nor against a futile run an operator started (no evidence to compare with)
                Arguments.of(false, null, 40, 30, 0.20, 1, minutesAgo(1), null, 0, Verdict.BACKING_OFF),
                // the daily budget: 1,500 spent + 500 fits 2,000; 1,501 does not, even on a drop
                Arguments.of(false, null, 40, 0, null, 0, null, null, 1_500, Verdict.START),
                Arguments.of(false, null, 40, 0, null, 0, null, null, 1_501, Verdict.DAILY_BUDGET_SPENT),
                Arguments.of(false, null, 40, 30, 0.20, 1, minutesAgo(1), 0.55, 1_501, Verdict.DAILY_BUDGET_SPENT),
                // feedback is checked before the budget
                Arguments.of(false, null, 3, 0, null, 0, null, null, 5_000, Verdict.NOT_ENOUGH_FEEDBACK));
    }

    @ParameterizedTest(
            name = "in flight {0}, test {1}, {2} low, {3} evaluations at {4}, {5} futile (last {6}, evidence {7}),"
                    + " {8} calls today -> {9}")
    @MethodSource("cases")
    void shouldStartOnlyWhenTheBarIsMet(
            boolean runInFlight,
            String testId,
            int lowScores,
            int evaluations,
            Double meanScore,
            int futileRuns,
            Instant lastFutileEnd,
            Double lastEvidence,
            int callsToday,
            Verdict expected) {
        Predictor p = new Predictor(
                "hr",
                "answer",
                runInFlight,
                testId,
                lowScores,
                evaluations,
                meanScore,
                futileRuns,
                lastFutileEnd,
                lastEvidence,
                callsToday);
        assertThat(RULE.decide(p, NOW)).isEqualTo(expected);
    }

    @Test
    void shouldDoubleTheBackoffUpToItsMaximum() {
        assertThat(RULE.backoffAfter(0)).isZero();
        assertThat(RULE.backoffAfter(1)).isEqualTo(Duration.ofMinutes(10));
        assertThat(RULE.backoffAfter(2)).isEqualTo(Duration.ofMinutes(20));
        assertThat(RULE.backoffAfter(8)).isEqualTo(Duration.ofMinutes(1280));
        assertThat(RULE.backoffAfter(9)).isEqualTo(Duration.ofHours(24));
        assertThat(RULE.backoffAfter(1_000)).isEqualTo(Duration.ofHours(24));
    }

    @Test
    void shouldCountFutileRunsBackToTheLatestUsefulOnePassingOverCancelledOnes() {
        Instant t = NOW;
        List<FinishedRun> newestFirst = List.of(
                new FinishedRun("completed", 0.0, t, 0.5), // futile: no improvement
                new FinishedRun("cancelled", null, t.minusSeconds(60), null), // an operator's: passed over
                new FinishedRun("failed", null, t.minusSeconds(120), 0.6), // futile: found nothing
                new FinishedRun("completed", 4.99, t.minusSeconds(180), 0.6), // futile: below +5 %
                new FinishedRun("completed", 800.0, t.minusSeconds(240), 0.3), // useful: the streak ends here
                new FinishedRun("completed", 0.0, t.minusSeconds(300), 0.3));
        assertThat(RULE.streak(newestFirst)).isEqualTo(new Streak(3, t, 0.5));
        assertThat(RULE.streak(newestFirst.subList(4, 6))).isEqualTo(new Streak(0, null, null));
        assertThat(RULE.streak(List.of())).isEqualTo(new Streak(0, null, null));
        assertThat(RULE.futile("completed", 5.0)).isFalse();
    }

    @Test
    void shouldRejectSettingsThatCannotWork() {
        assertThatThrownBy(() -> new AutoRunRule(0, 5, Duration.ZERO, Duration.ZERO, 0.1, 500, 500))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("minLowScoreExamples must be >= 1");
        assertThatThrownBy(() -> new AutoRunRule(20, 5, Duration.ofHours(2), Duration.ofHours(1), 0.1, 500, 500))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxBackoff must be >= backoff");
        assertThatThrownBy(() -> new AutoRunRule(20, 5, Duration.ZERO, Duration.ZERO, 0, 500, 500))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("scoreDrop must be within (0, 1]");
        assertThatThrownBy(() -> new AutoRunRule(20, 5, Duration.ZERO, Duration.ZERO, 0.1, 499, 500))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("dailyMetricCalls (499) must be at least the budget of one run (500)");
    }
}
