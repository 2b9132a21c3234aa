package io.promptloop.devstack.agent;

import io.promptloop.avro.common.AgentRef;
import io.promptloop.avro.evaluation.EvaluationRecorded;
import io.promptloop.avro.evaluation.EvaluationScores;
import io.promptloop.avro.evaluation.EvaluatorKind;
import io.promptloop.avro.session.ImprovementCategory;
import io.promptloop.avro.session.ImprovementNoted;
import io.promptloop.avro.session.SearchResult;
import io.promptloop.avro.session.SessionEnded;
import io.promptloop.avro.session.SessionEvent;
import io.promptloop.avro.session.SessionStarted;
import io.promptloop.avro.session.Tester;
import io.promptloop.avro.session.TurnRecorded;
import io.promptloop.devstack.agent.HrPolicyCorpus.Chunk;
import io.promptloop.devstack.agent.HrPolicyCorpus.TesterProfile;
import io.promptloop.devstack.agent.HrPolicyCorpus.Topic;
import io.promptloop.schemas.Topics;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.random.RandomGenerator;

/**
 * Makes up the tuning sessions of an HR-policy assistant in the shape of seed 003, as an agent would publish
 * them: SessionStarted with the tester, 3 to 12 turns with the RAG chunks behind each answer, improvement
 * notes on about 40% of the turns, SessionEnded; and judges' evaluations of some of the answers, with
 * feedback that names what was missing. Pure: the same random generator state and start instant give the
 * same events, ids included.
 */
public final class AgentTraffic {

    /** Share of turns a tester notes something on (seed 003's sessions: 18 notes on 12 turns, 7 on 5). */
    static final double NOTE_PROBABILITY = 0.4;

    static final double EVALUATION_PROBABILITY = 0.35;
    static final int MIN_TURNS = 3;
    static final int MAX_TURNS = 12;
    static final double MIN_SIMILARITY = 0.6;
    static final double MAX_SIMILARITY = 0.95;

    private final RandomGenerator random;
    private final String agentName;
    private final String predictorName;

    /**
     * @param random where every choice comes from; seed it to replay a run
     * @param agentName the agent's name in every event, e.g. {@code hr-assistant}
     * @param predictorName the predictor inside the agent, or null for its main instruction
     */
    public AgentTraffic(RandomGenerator random, String agentName, String predictorName) {
        this.random = Objects.requireNonNull(random, "random");
        this.agentName = Objects.requireNonNull(agentName, "agentName");
        this.predictorName = predictorName;
    }

    /** The key of this agent's evaluations on {@code agent-evaluations}. */
    public String predictorKey() {
        return Topics.predictorKey(agentName, predictorName);
    }

    /**
     * The next session, starting at {@code start}: its events follow each other by a few seconds (a brisk
     * tester), its evaluations come after it ended.
     */
    public SimulatedSession nextSession(Instant start) {
        Instant at = start.truncatedTo(ChronoUnit.MILLIS);
        String sessionId = uuid();
        TesterProfile tester = pick(HrPolicyCorpus.TESTERS);
        List<SessionEvent> events = new ArrayList<>();
        List<EvaluationRecorded.Builder> evaluations = new ArrayList<>();

        events.add(sessionEvent(
                sessionId,
                at,
                SessionStarted.newBuilder()
                        .setMasterPromptVersion(pick(HrPolicyCorpus.PROMPT_VERSIONS))
                        .setBranchName("prompt-tuning")
                        .setTester(Tester.newBuilder()
                                .setId(tester.id())
                                .setEmail(tester.email())
                                .setName(tester.name())
                                .build())
                        .setMetadata(Map.of("environment", "devstack", "client", "teams"))
                        .build()));

        int turns = random.nextInt(MIN_TURNS, MAX_TURNS + 1);
        Topic topic = pick(HrPolicyCorpus.TOPICS);
        List<String> askedFollowUps = new ArrayList<>();
        // notes arrive a little after their turn, possibly after the next turn: collect, then merge by time
        List<SessionEvent> notes = new ArrayList<>();
        for (int turn = 1; turn <= turns; turn++) {
            at = at.plusMillis(random.nextLong(1_500, 6_000)); // the tester reads and types
            boolean newTopic =
                    turn == 1 || askedFollowUps.size() == topic.followUps().size() || random.nextDouble() < 0.2;
            if (newTopic && turn > 1) {
                topic = pick(HrPolicyCorpus.TOPICS);
                askedFollowUps.clear();
            }
            String exampleId;
            String question;
            if (newTopic) {
                int index = random.nextInt(topic.openers().size());
                question = topic.openers().get(index);
                exampleId = topic.slug() + "/opener-" + (index + 1);
            } else {
                List<String> left = new ArrayList<>(topic.followUps());
                left.removeAll(askedFollowUps);
                question = pick(left);
                askedFollowUps.add(question);
                exampleId = topic.slug() + "/follow-up-" + (topic.followUps().indexOf(question) + 1);
            }
            int processingMs = (int) Math.round(Math.exp(random.nextGaussian(7.6, 0.45))); // ~2 s, long tail
            at = at.plusMillis(processingMs);
            List<SearchResult> results = searchResults(topic);
            double avgSimilarity = results.stream()
                    .mapToDouble(SearchResult::getSimilarity)
                    .average()
                    .orElse(0);
            double confidence = clamp(avgSimilarity + random.nextGaussian(0, 0.06), 0.3, 0.99);
            boolean cited = random.nextDouble() < 0.6;
            boolean nextStep = random.nextDouble() < 0.5;
            String response = response(topic, cited, nextStep);
            events.add(sessionEvent(
                    sessionId,
                    at,
                    TurnRecorded.newBuilder()
                            .setTurnNumber(turn)
                            .setUserMessage(question)
                            .setAgentResponse(response)
                            .setProcessingTimeMs(processingMs)
                            .setSearchResults(results)
                            .setAvgSimilarity(round(avgSimilarity))
                            .setTotalChunks(results.size())
                            .setConfidenceScore(round(confidence))
                            .setTemplateUsed(random.nextDouble() < 0.15 ? "policy_summary" : null)
                            .setMetadata(Map.of("channel", "teams", "example_id", exampleId))
                            .build()));

            if (random.nextDouble() < NOTE_PROBABILITY) {
                int count = random.nextDouble() < 0.2 ? 2 : 1;
                Instant noteAt = at;
                for (int n = 0; n < count; n++) {
                    noteAt = noteAt.plusMillis(random.nextLong(800, 4_000));
                    notes.add(sessionEvent(sessionId, noteAt, note(turn, topic, cited, nextStep)));
                }
            }
            if (random.nextDouble() < EVALUATION_PROBABILITY) {
                evaluations.add(
                        evaluation(sessionId, turn, exampleId, question, response, topic, confidence, cited, nextStep));
            }
        }
        at = at.plusMillis(random.nextLong(1_000, 5_000));
        for (SessionEvent note : notes) {
            if (note.getOccurredAt().isAfter(at)) {
                at = note.getOccurredAt().plusMillis(500);
            }
        }
        events.addAll(notes);
        events.add(sessionEvent(
                sessionId,
                at,
                SessionEnded.newBuilder()
                        .setReason(pick(HrPolicyCorpus.END_REASONS))
                        .build()));
        // stable sort: a note stays behind its turn even at the same millisecond
        events.sort(Comparator.comparing(SessionEvent::getOccurredAt));

        Instant judged = at;
        List<EvaluationRecorded> timed = new ArrayList<>();
        for (EvaluationRecorded.Builder evaluation : evaluations) {
            judged = judged.plusMillis(random.nextLong(200, 2_000)); // judges score after the session
            timed.add(evaluation.setOccurredAt(judged).build());
        }
        return new SimulatedSession(sessionId, predictorKey(), events, timed);
    }

    private SessionEvent sessionEvent(String sessionId, Instant at, Object payload) {
        return SessionEvent.newBuilder()
                .setEventId(uuid())
                .setOccurredAt(at)
                .setAgent(agentRef())
                .setSessionId(sessionId)
                .setPayload(payload)
                .build();
    }

    private AgentRef agentRef() {
        return AgentRef.newBuilder()
                .setAgentName(agentName)
                .setPredictorName(predictorName)
                .build();
    }

    private List<SearchResult> searchResults(Topic topic) {
        List<Chunk> chunks = new ArrayList<>(topic.chunks());
        // now and then retrieval also drags in a passage from a neighbouring policy
        if (random.nextDouble() < 0.3) {
            Topic other = pick(HrPolicyCorpus.TOPICS);
            if (other != topic) {
                chunks.add(pick(other.chunks()));
            }
        }
        int count = random.nextInt(2, chunks.size() + 1);
        Map<String, SearchResult> picked = new LinkedHashMap<>();
        while (picked.size() < count) {
            Chunk chunk = pick(chunks);
            if (picked.containsKey(chunk.id())) {
                continue;
            }
            Topic owner = HrPolicyCorpus.TOPICS.stream()
                    .filter(t -> t.chunks().contains(chunk))
                    .findFirst()
                    .orElse(topic);
            double similarity = round(random.nextDouble(MIN_SIMILARITY, MAX_SIMILARITY));
            picked.put(
                    chunk.id(),
                    SearchResult.newBuilder()
                            .setChunkId(chunk.id())
                            .setDocumentTitle(owner.documentTitle())
                            .setChunkText(chunk.text())
                            .setSimilarity(similarity)
                            .build());
        }
        List<SearchResult> results = new ArrayList<>(picked.values());
        results.sort(Comparator.comparingDouble(SearchResult::getSimilarity).reversed());
        return results;
    }

    private String response(Topic topic, boolean cited, boolean nextStep) {
        StringBuilder text =
                new StringBuilder(pick(HrPolicyCorpus.INTROS)).append(' ').append(pick(topic.answers()));
        if (cited) {
            text.append(" (")
                    .append(topic.documentTitle())
                    .append(' ')
                    .append(topic.section())
                    .append(')');
        }
        if (nextStep) {
            text.append(" Next step: ").append(topic.nextStep());
        }
        String closing = pick(HrPolicyCorpus.CLOSINGS);
        if (!closing.isEmpty()) {
            text.append(' ').append(closing);
        }
        return text.toString();
    }

    private ImprovementNoted note(int turn, Topic topic, boolean cited, boolean nextStep) {
        ImprovementCategory category;
        double roll = random.nextDouble();
        if (!cited && roll < 0.3) {
            category = ImprovementCategory.CITATION;
        } else if (!nextStep && roll < 0.4) {
            category = ImprovementCategory.ACTION;
        } else if (roll > 0.92) {
            category = null; // seed 003: "Good response, no changes needed" has no category
        } else {
            category = pick(List.of(
                    ImprovementCategory.CONTENT,
                    ImprovementCategory.CONTENT,
                    ImprovementCategory.TONE,
                    ImprovementCategory.CLARITY,
                    ImprovementCategory.STRUCTURE,
                    ImprovementCategory.ACTION,
                    ImprovementCategory.OTHER));
        }
        String text;
        if (category == null) {
            text = HrPolicyCorpus.NO_CHANGE_NOTE;
        } else {
            String template = pick(HrPolicyCorpus.NOTES.get(category));
            String detail = category == ImprovementCategory.CITATION ? topic.documentTitle() : pick(topic.gaps());
            text = template.contains("%s") ? template.formatted(detail) : template;
        }
        return ImprovementNoted.newBuilder()
                .setTurnNumber(turn)
                .setImprovementNote(text)
                .setCategory(category)
                .setMetadata(Map.of("severity", pick(List.of("low", "medium", "high"))))
                .build();
    }

    /** An evaluation without its time: judges score after the session, whose end is not known yet. */
    private EvaluationRecorded.Builder evaluation(
            String sessionId,
            int turn,
            String exampleId,
            String question,
            String response,
            Topic topic,
            double confidence,
            boolean cited,
            boolean nextStep) {
        double functionality = clamp(confidence + random.nextGaussian(0, 0.08) - (nextStep ? 0 : 0.1), 0, 1);
        double safety = clamp(random.nextDouble(0.85, 1.0), 0, 1);
        double consistency = clamp(random.nextDouble(0.6, 1.0), 0, 1);
        double edgeCases = clamp(random.nextDouble(0.3, 0.9), 0, 1);
        if (!cited) {
            consistency = clamp(consistency - 0.1, 0, 1);
        }
        // the optimizer's metric: functionality weighs most, the other three equally
        double overall = round(0.4 * functionality + 0.2 * safety + 0.2 * consistency + 0.2 * edgeCases);

        List<String> missing = new ArrayList<>();
        if (overall < 0.85) {
            missing.add(pick(topic.gaps()));
            if (overall < 0.7) {
                String second = pick(topic.gaps());
                if (!missing.contains(second)) {
                    missing.add(second);
                }
            }
        }
        StringBuilder feedback = new StringBuilder();
        if (missing.isEmpty()) {
            feedback.append("Complete answer; nothing essential missing.");
        } else {
            feedback.append("Missing: ").append(String.join("; ", missing)).append('.');
        }
        if (!cited) {
            feedback.append(" Does not cite the ")
                    .append(topic.documentTitle())
                    .append(' ')
                    .append(topic.section())
                    .append('.');
        }
        if (!nextStep) {
            feedback.append(" No concrete next step for the manager.");
        }
        String reasoning = "The answer draws on the "
                + topic.documentTitle()
                + (functionality >= 0.75 ? " and states the rule correctly" : " but only partly answers the question")
                + (edgeCases < 0.5 ? "; it ignores the edge case the follow-up raises" : "")
                + ". Expected: "
                + topic.expectedBehavior();

        double roll = random.nextDouble();
        EvaluatorKind evaluator =
                roll < 0.7 ? EvaluatorKind.LLM_JUDGE : roll < 0.9 ? EvaluatorKind.HUMAN : EvaluatorKind.HEURISTIC;
        return EvaluationRecorded.newBuilder()
                .setEventId(uuid())
                .setAgent(agentRef())
                .setExampleId(exampleId)
                .setInput(question)
                .setOutput(response)
                .setExpectedBehavior(topic.expectedBehavior())
                .setCategory(topic.category())
                .setScores(EvaluationScores.newBuilder()
                        .setFunctionality(round(functionality))
                        .setSafety(round(safety))
                        .setConsistency(round(consistency))
                        .setEdgeCaseHandling(round(edgeCases))
                        .build())
                .setOverallScore(overall)
                .setReasoning(reasoning)
                .setFeedback(feedback.toString())
                .setEvaluator(evaluator)
                .setSessionId(sessionId)
                .setTurnNumber(turn);
    }

    /** A version-4 UUID from the seeded generator, so that ids replay with the seed. */
    private String uuid() {
        long most = (random.nextLong() & ~0xF000L) | 0x4000L;
        long least = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(most, least).toString();
    }

    private <T> T pick(List<T> values) {
        return values.get(random.nextInt(values.size()));
    }

    private static double clamp(double value, double min, double max) {
        return Math.max(min, Math.min(max, value));
    }

    private static double round(double value) {
        return Math.round(value * 1000) / 1000.0;
    }
}
