package io.promptloop.testkit.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.promptloop.avro.common.AgentRef;
import io.promptloop.avro.evaluation.EvaluationRecorded;
import io.promptloop.avro.evaluation.EvaluatorKind;
import io.promptloop.avro.optimizer.EvaluationRequested;
import io.promptloop.avro.optimizer.ExampleToEvaluate;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.OptionalDouble;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class SimulatedAnswersTest {

    private static final Instant NOW = Instant.parse("2026-03-01T09:00:00Z");
    private static final AgentRef AGENT = new AgentRef("hr-assistant", "answer");
    private static final String BASELINE =
            "You are an HR assistant for managers. Answer briefly and cite the policy section.";

    private final Rubric rubric = Rubric.forExamples(SimulatedAnswers.baselineExampleIds(40), 3);
    private final SimulatedAnswers answers =
            new SimulatedAnswers(rubric, OptionalDouble.empty(), Clock.fixed(NOW, ZoneOffset.UTC), sequentialIds());

    @Test
    void shouldEvaluateTheBaselineOnTheRequestedNumberOfExamplesWithoutRunIds() {
        List<EvaluationRecorded> baseline = answers.baselineEvaluations(AGENT, BASELINE, 40);

        assertThat(baseline).hasSize(40);
        assertThat(baseline)
                .extracting(EvaluationRecorded::getExampleId)
                .containsExactlyElementsOf(SimulatedAnswers.baselineExampleIds(40))
                .startsWith("hr-001", "hr-002")
                .endsWith("hr-040");
        assertThat(baseline).extracting(EvaluationRecorded::getInput).doesNotHaveDuplicates();
        assertThat(baseline).allSatisfy(e -> {
            assertThat(e.getAgent()).isEqualTo(AGENT);
            assertThat(e.getInput()).endsWith("?");
            assertThat(e.getCategory()).isNotBlank();
            assertThat(e.getRunId()).isNull();
            assertThat(e.getCandidateId()).isNull();
            assertThat(e.getRequestId()).isNull();
            assertThat(e.getSessionId()).isNull();
            assertThat(e.getExpectedBehavior()).as("the rubric stays hidden").isNull();
            assertThat(e.getEvaluator()).isEqualTo(EvaluatorKind.AGENT);
            assertThat(e.getOccurredAt()).isEqualTo(NOW);
            assertThat(e.getOverallScore()).isBetween(0.0, 1.0);
            assertThat(e.getScores().getFunctionality()).isEqualTo(e.getOverallScore());
            assertThat(e.getScores().getRubricAggregate()).isEqualTo(1 + 4 * e.getOverallScore());
        });
    }

    @Test
    void shouldMakeAQuarterOfTheBaselineHighScoringDemonstrationsThatCarryRubricPhrases() {
        List<EvaluationRecorded> baseline = answers.baselineEvaluations(AGENT, BASELINE, 40);

        List<EvaluationRecorded> demonstrations =
                baseline.stream().filter(e -> e.getOverallScore() >= 0.8).toList();
        assertThat(demonstrations).hasSize(10);
        assertThat(demonstrations).allSatisfy(e -> {
            List<String> phrases = rubric.requiredPhrases(e.getExampleId());
            assertThat(e.getOutput()).contains(phrases);
            assertThat(phrases).hasSizeGreaterThanOrEqualTo(2);
            assertThat(e.getFeedback()).isEqualTo("Meets the rubric.");
        });
    }

    @Test
    void shouldGradeTheOtherBaselineExamplesByTheRubricOnTheBaselineInstruction() {
        List<EvaluationRecorded> baseline = answers.baselineEvaluations(AGENT, BASELINE, 40);

        List<EvaluationRecorded> ordinary =
                baseline.stream().filter(e -> e.getOverallScore() < 0.8).toList();
        assertThat(ordinary).hasSize(30);
        assertThat(ordinary).allSatisfy(e -> {
            Rubric.Grade grade = rubric.grade(e.getExampleId(), BASELINE);
            assertThat(e.getOverallScore()).isEqualTo(grade.score());
            assertThat(e.getFeedback()).isEqualTo(grade.feedback()).startsWith("Missing: ");
            assertThat(rubric.score(e.getExampleId(), e.getOutput())).isEqualTo(grade.score());
        });
        // the baseline contains one phrase: some examples ask for it, some do not
        assertThat(ordinary).extracting(EvaluationRecorded::getOverallScore).contains(0.0);
        assertThat(ordinary).anySatisfy(e -> assertThat(e.getOverallScore()).isPositive());
    }

    @Test
    void shouldSendTheSameBaselineEventsAgainForTheSameSeed() {
        SimulatedAnswers again = new SimulatedAnswers(
                Rubric.forExamples(List.of(), 3),
                OptionalDouble.empty(),
                Clock.fixed(NOW, ZoneOffset.UTC),
                UUID::randomUUID);

        assertThat(again.baselineEvaluations(AGENT, BASELINE, 40))
                .isEqualTo(answers.baselineEvaluations(AGENT, BASELINE, 40));
        assertThat(answers.baselineEvaluations(AGENT, BASELINE, 40))
                .extracting(EvaluationRecorded::getEventId)
                .doesNotHaveDuplicates()
                .doesNotContainAnyElementsOf(answers.baselineEvaluations(AGENT, BASELINE + " ", 40).stream()
                        .map(EvaluationRecorded::getEventId)
                        .toList());
    }

    @Test
    void shouldAnswerEveryExampleOfARequestWithItsIdsAndTheRubricGradeOfTheInstruction() {
        String instruction = "Acknowledge the manager's frustration. Give a concrete next step. "
                + "Ask for documentation of prior warnings.";
        EvaluationRequested request = request(instruction, "hr-001", "hr-002", "custom-7");

        List<EvaluationRecorded> evaluations = answers.answer(request);

        assertThat(evaluations)
                .extracting(EvaluationRecorded::getExampleId)
                .containsExactly("hr-001", "hr-002", "custom-7");
        assertThat(evaluations).extracting(EvaluationRecorded::getEventId).doesNotHaveDuplicates();
        assertThat(evaluations).allSatisfy(e -> {
            Rubric.Grade grade = rubric.grade(e.getExampleId(), instruction);
            assertThat(e.getRunId()).isEqualTo(request.getRunId());
            assertThat(e.getCandidateId()).isEqualTo(request.getCandidateId());
            assertThat(e.getRequestId()).isEqualTo(request.getRequestId());
            assertThat(e.getAgent()).isEqualTo(AGENT);
            assertThat(e.getInput()).isEqualTo("question of " + e.getExampleId());
            assertThat(e.getOverallScore()).isEqualTo(grade.score());
            assertThat(e.getFeedback()).isEqualTo(grade.feedback());
            assertThat(e.getOutput()).contains(grade.present());
            assertThat(e.getEvaluator()).isEqualTo(EvaluatorKind.AGENT);
        });
    }

    @Test
    void shouldAnswerWithTheFixedScoreWhateverTheRubricSays() {
        SimulatedAnswers fixed =
                new SimulatedAnswers(rubric, OptionalDouble.of(0.9), Clock.fixed(NOW, ZoneOffset.UTC), sequentialIds());

        List<EvaluationRecorded> evaluations = fixed.answer(request("Be nice.", "hr-001", "hr-002"));

        assertThat(evaluations).allSatisfy(e -> {
            assertThat(e.getOverallScore()).isEqualTo(0.9);
            assertThat(e.getFeedback()).startsWith("Missing: ");
        });
    }

    @Test
    void shouldRefuseAFixedScoreOutsideTheUnitInterval() {
        assertThatThrownBy(
                        () -> new SimulatedAnswers(rubric, OptionalDouble.of(1.5), Clock.systemUTC(), UUID::randomUUID))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldWriteAnOutputThatMentionsExactlyThePresentPhrases() {
        assertThat(SimulatedAnswers.output(List.of())).doesNotContainIgnoringCase("policy section");
        assertThat(SimulatedAnswers.output(List.of("cite the policy section", "give a concrete next step")))
                .contains("I would cite the policy section and give a concrete next step.");
        for (String phrase : Rubric.PHRASES) {
            assertThat(SimulatedAnswers.output(List.of())).doesNotContainIgnoringCase(phrase);
        }
    }

    private static EvaluationRequested request(String instruction, String... exampleIds) {
        return EvaluationRequested.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setOccurredAt(NOW)
                .setAgent(AGENT)
                .setRequestId(UUID.randomUUID().toString())
                .setRunId(UUID.randomUUID().toString())
                .setCandidateId(UUID.randomUUID().toString())
                .setInstructionText(instruction)
                .setExamples(java.util.Arrays.stream(exampleIds)
                        .map(id -> new ExampleToEvaluate(id, "question of " + id))
                        .toList())
                .setDeadline(null)
                .build();
    }

    private static Supplier<UUID> sequentialIds() {
        AtomicLong next = new AtomicLong();
        return () -> new UUID(0, next.incrementAndGet());
    }
}
