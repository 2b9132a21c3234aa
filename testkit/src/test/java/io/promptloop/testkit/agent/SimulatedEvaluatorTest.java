package io.promptloop.testkit.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.promptloop.avro.common.AgentRef;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** What needs no broker: settings, the rubric and the baseline data; the rest is {@code SimulatedEvaluatorIT}. */
class SimulatedEvaluatorTest {

    private static final SimulatedEvaluator.Settings SETTINGS =
            SimulatedEvaluator.Settings.of("127.0.0.1:1", "http://127.0.0.1:1/apis/registry/v3");

    @Test
    void shouldDefaultToAnsweringEveryRequestAtOnceWithTheDefaultRubric() {
        assertThat(SETTINGS.consumerGroup()).isEqualTo(SimulatedEvaluator.DEFAULT_CONSUMER_GROUP);
        assertThat(SETTINGS.agentName()).isNull();
        assertThat(SETTINGS.rubricSeed()).isEqualTo(SimulatedEvaluator.DEFAULT_RUBRIC_SEED);
        assertThat(SETTINGS.answerDelay()).isZero();
        assertThat(SETTINGS.dropRate()).isZero();
        assertThat(SETTINGS.fixedScore()).isEmpty();
    }

    @Test
    void shouldRefuseSettingsOutOfRange() {
        assertThatThrownBy(() -> SETTINGS.withDropRate(1.5, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SETTINGS.withFixedScore(-0.1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SETTINGS.withAnswerDelay(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldProduceTheBaselineByItsRubricWithoutConnectingToAnything() {
        try (SimulatedEvaluator evaluator = new SimulatedEvaluator(SETTINGS.withRubricSeed(11))) {
            var baseline = evaluator.baselineEvaluations(new AgentRef("hr-assistant", null), "Be brief.", 8);

            assertThat(baseline)
                    .hasSize(8)
                    .allSatisfy(e -> assertThat(e.getOverallScore())
                            .isEqualTo(
                                    e.getOverallScore() >= 0.8
                                            ? 1.0
                                            : evaluator.rubric().score(e.getExampleId(), "Be brief.")));
            assertThat(evaluator.rubric().requiredPhrases("hr-001"))
                    .isEqualTo(
                            Rubric.forExamples(java.util.List.of("hr-001"), 11).requiredPhrases("hr-001"));
            assertThat(evaluator.stats()).isEqualTo(new SimulatedEvaluator.Stats(0, 0, 0, 0));
        }
    }

    @Test
    void shouldNotStartOnceClosed() {
        SimulatedEvaluator evaluator = new SimulatedEvaluator(SETTINGS);
        evaluator.close();
        evaluator.close(); // idempotent

        assertThatThrownBy(evaluator::start).isInstanceOf(IllegalStateException.class);
    }
}
