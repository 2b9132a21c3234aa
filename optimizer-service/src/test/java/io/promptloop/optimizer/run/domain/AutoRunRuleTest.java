package io.promptloop.optimizer.run.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.promptloop.optimizer.run.domain.AutoRunRule.Predictor;
import io.promptloop.optimizer.run.domain.AutoRunRule.Verdict;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class AutoRunRuleTest {

    private static final AutoRunRule RULE = new AutoRunRule(20);

    static Stream<Arguments> cases() {
        return Stream.of(
                // enough new low-score feedback, nothing in flight: start
                Arguments.of(false, null, 20, Verdict.START),
                Arguments.of(false, null, 500, Verdict.START),
                // one example short
                Arguments.of(false, null, 19, Verdict.NOT_ENOUGH_FEEDBACK),
                Arguments.of(false, null, 0, Verdict.NOT_ENOUGH_FEEDBACK),
                // a run in flight blocks, whatever the feedback and the test
                Arguments.of(true, null, 100, Verdict.RUN_IN_FLIGHT),
                Arguments.of(true, "test-1", 100, Verdict.RUN_IN_FLIGHT),
                // an A/B test in flight blocks even with plenty of feedback
                Arguments.of(false, "test-1", 100, Verdict.TEST_IN_FLIGHT),
                Arguments.of(false, "test-1", 0, Verdict.TEST_IN_FLIGHT));
    }

    @ParameterizedTest(name = "run in flight {0}, test {1}, {2} low scores -> {3}")
    @MethodSource("cases")
    void shouldStartOnlyWithEnoughNewFeedbackAndNothingInFlight(
            boolean runInFlight, String testId, int lowScores, Verdict expected) {
        assertThat(RULE.decide(new Predictor("hr", "answer", runInFlight, testId, lowScores)))
                .isEqualTo(expected);
    }

    @Test
    void shouldRejectAThresholdBelowOne() {
        assertThatThrownBy(() -> new AutoRunRule(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("minLowScoreExamples must be >= 1");
    }
}
