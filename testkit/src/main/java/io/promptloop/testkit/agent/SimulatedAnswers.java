package io.promptloop.testkit.agent;

import io.promptloop.avro.common.AgentRef;
import io.promptloop.avro.evaluation.EvaluationRecorded;
import io.promptloop.avro.evaluation.EvaluationScores;
import io.promptloop.avro.evaluation.EvaluatorKind;
import io.promptloop.avro.optimizer.EvaluationRequested;
import io.promptloop.avro.optimizer.ExampleToEvaluate;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.stream.IntStream;

/**
 * What the simulated agent answers, without Kafka: it "runs" an instruction on an example by answering with
 * the rubric phrases the instruction contains, and grades that answer by the {@link Rubric}. Score, feedback and
 * output of an instruction on an example are therefore deterministic, and the score is the same whether computed
 * on the instruction or on the output.
 */
public final class SimulatedAnswers {

    /** Share of the baseline examples answered as a careful human would: every rubric phrase, score 1. */
    public static final double DEMONSTRATION_SHARE = 0.25;

    private static final String GENERIC_ANSWER =
            "Talk to the employee about what happened and keep a short note of the conversation.";

    private final Rubric rubric;
    private final OptionalDouble fixedScore;
    private final Clock clock;
    private final Supplier<UUID> eventIds;

    /**
     * @param rubric the hidden rubric
     * @param fixedScore when present, every answer to a request gets this overall score (and the per-dimension
     *     scores that follow from it) whatever the rubric says; output and feedback still follow the rubric
     * @param clock the {@code occurred_at} of the evaluations
     * @param eventIds the {@code event_id} of each answer to a request
     */
    public SimulatedAnswers(Rubric rubric, OptionalDouble fixedScore, Clock clock, Supplier<UUID> eventIds) {
        this.rubric = Objects.requireNonNull(rubric, "rubric");
        this.fixedScore = Objects.requireNonNull(fixedScore, "fixedScore");
        fixedScore.ifPresent(SimulatedAnswers::requireUnitInterval);
        this.clock = Objects.requireNonNull(clock, "clock");
        this.eventIds = Objects.requireNonNull(eventIds, "eventIds");
    }

    public Rubric rubric() {
        return rubric;
    }

    /**
     * One evaluation per example of {@code request}, in the request's order, carrying its run, candidate and
     * request ids: the request's instruction graded on each example.
     */
    public List<EvaluationRecorded> answer(EvaluationRequested request) {
        Instant now = clock.instant();
        List<EvaluationRecorded> answers = new ArrayList<>(request.getExamples().size());
        for (ExampleToEvaluate example : request.getExamples()) {
            Rubric.Grade grade = grade(example.getExampleId(), request);
            double score = fixedScore.orElse(grade.score());
            answers.add(evaluation(request.getAgent(), example.getExampleId(), example.getInput(), grade, score)
                    .setEventId(eventIds.get().toString())
                    .setOccurredAt(now)
                    .setReasoning(reasoning(grade, "the candidate instruction"))
                    .setRunId(request.getRunId())
                    .setCandidateId(request.getCandidateId())
                    .setRequestId(request.getRequestId())
                    .build());
        }
        return answers;
    }

    /**
     * The instruction's grade on the example, and with tool descriptions in the request (tool optimization) each
     * tool's grade as a pseudo-predictor of its own, pooled: the score is the share of all required phrases —
     * the instruction's and every tool's — that are present, and the feedback names every missing one (a tool's
     * as {@code "<tool>: <phrase>"}).
     */
    private Rubric.Grade grade(String exampleId, EvaluationRequested request) {
        Rubric.Grade instruction = rubric.grade(exampleId, request.getInstructionText());
        Map<String, String> tools = new TreeMap<>();
        request.getToolDescriptions()
                .forEach((tool, description) -> tools.put(tool.toString(), description.toString()));
        if (tools.isEmpty()) return instruction;
        List<String> present = new ArrayList<>(instruction.present());
        List<String> missing = new ArrayList<>(instruction.missing());
        tools.forEach((tool, description) -> {
            Rubric.Grade g = rubric.gradeTool(tool, exampleId, description);
            present.addAll(g.present());
            missing.addAll(g.missing());
        });
        return new Rubric.Grade(exampleId, present, missing);
    }

    /**
     * Evaluations of {@code baselineInstruction} on the examples {@code hr-001} ... with managers' questions as
     * inputs, without run ids: the data an optimizer learns from. About {@value #DEMONSTRATION_SHARE} of them
     * (chosen by the rubric's seed) are demonstrations instead: an answer that covers every rubric phrase of its
     * example, score 1, as a human who answered well would have given, for bootstrap few-shot to pick. Event ids
     * are derived from the seed, agent, example and instruction, so publishing the same baseline again sends the
     * same events.
     */
    public List<EvaluationRecorded> baselineEvaluations(AgentRef agent, String baselineInstruction, int exampleCount) {
        Objects.requireNonNull(agent, "agent");
        Objects.requireNonNull(baselineInstruction, "baselineInstruction");
        if (exampleCount < 0) {
            throw new IllegalArgumentException("exampleCount must be >= 0, was " + exampleCount);
        }
        Set<Integer> demonstrations = demonstrations(exampleCount);
        Instant now = clock.instant();
        List<EvaluationRecorded> evaluations = new ArrayList<>(exampleCount);
        for (int index = 0; index < exampleCount; index++) {
            String exampleId = HrQuestions.exampleId(index);
            boolean demonstration = demonstrations.contains(index);
            String answeredWith =
                    demonstration ? String.join("; ", rubric.requiredPhrases(exampleId)) : baselineInstruction;
            Rubric.Grade grade = rubric.grade(exampleId, answeredWith);
            evaluations.add(evaluation(agent, exampleId, HrQuestions.question(index), grade, grade.score())
                    .setEventId(baselineEventId(agent, exampleId, baselineInstruction))
                    .setOccurredAt(now)
                    .setCategory(HrQuestions.category(index))
                    .setReasoning(reasoning(grade, demonstration ? "a reviewer's answer" : "the baseline instruction"))
                    .build());
        }
        return evaluations;
    }

    /** The ids of the first {@code count} baseline examples: {@code hr-001}, {@code hr-002}, ... */
    public static List<String> baselineExampleIds(int count) {
        return IntStream.range(0, count).mapToObj(HrQuestions::exampleId).toList();
    }

    /** A short answer that mentions exactly the {@code present} phrases. */
    static String output(List<String> present) {
        if (present.isEmpty()) {
            return GENERIC_ANSWER;
        }
        String guidelines = present.size() == 1
                ? present.getFirst()
                : String.join(", ", present.subList(0, present.size() - 1)) + " and " + present.getLast();
        return "Here is how I would handle it: I would " + guidelines + ". " + GENERIC_ANSWER;
    }

    private EvaluationRecorded.Builder evaluation(
            AgentRef agent, String exampleId, String input, Rubric.Grade grade, double score) {
        return EvaluationRecorded.newBuilder()
                .setAgent(agent)
                .setExampleId(exampleId)
                .setInput(input)
                .setOutput(output(grade.present()))
                .setScores(scores(score))
                .setOverallScore(score)
                .setFeedback(grade.feedback())
                .setEvaluator(EvaluatorKind.AGENT);
    }

    /** The unit-interval dimensions equal the score; the 1..5 rubric dimensions map it linearly. */
    private static EvaluationScores scores(double score) {
        double rubricScale = 1 + 4 * score;
        return EvaluationScores.newBuilder()
                .setFunctionality(score)
                .setConsistency(score)
                .setSafety(1.0)
                .setActionability(rubricScale)
                .setRubricAggregate(rubricScale)
                .build();
    }

    private static String reasoning(Rubric.Grade grade, String whose) {
        int required = grade.present().size() + grade.missing().size();
        return "Simulated rubric: " + whose + " covers " + grade.present().size() + " of " + required
                + " required guidelines for " + grade.exampleId() + ".";
    }

    /** {@code round(count × share)} indexes, shuffled by the rubric's seed. */
    private Set<Integer> demonstrations(int count) {
        List<Integer> indexes =
                new ArrayList<>(IntStream.range(0, count).boxed().toList());
        Collections.shuffle(indexes, new Random(rubric.seed()));
        return new HashSet<>(indexes.subList(0, (int) Math.round(count * DEMONSTRATION_SHARE)));
    }

    private String baselineEventId(AgentRef agent, String exampleId, String instruction) {
        String name = String.join(
                "\u0000",
                "promptloop-simulated-baseline",
                Long.toString(rubric.seed()),
                agent.getAgentName(),
                Objects.toString(agent.getPredictorName(), ""),
                exampleId,
                instruction);
        return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
    }

    private static void requireUnitInterval(double score) {
        if (!(score >= 0.0 && score <= 1.0)) {
            throw new IllegalArgumentException("fixedScore must be within [0, 1], was " + score);
        }
    }
}
