package io.promptloop.schemas;

import io.promptloop.avro.abtest.AbDecisionEvent;
import io.promptloop.avro.evaluation.EvaluationRecorded;
import io.promptloop.avro.observation.ObservationRecorded;
import io.promptloop.avro.optimizer.EvaluationRequested;
import io.promptloop.avro.optimizer.OptimizerEvent;
import io.promptloop.avro.routing.InstructionRouting;
import io.promptloop.avro.session.SessionEvent;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/**
 * The typed, immutable catalogue of promptloop's Kafka topics: name, what the key is, the Avro value
 * type, and how the topic is laid out. Every producer, consumer, test and tool takes topic names from
 * here.
 */
public final class Topics {

    /** Conversation sessions: SessionStarted, TurnRecorded, ImprovementNoted, SessionEnded. */
    public static final Topic<SessionEvent> AGENT_SESSIONS = new Topic<>(
            "agent-sessions",
            "session id (UUID)",
            SessionEvent.class,
            SessionEvent.getClassSchema(),
            6,
            Cleanup.DELETE);

    /** Scored evaluations of agent outputs, from agents, humans and judges. */
    public static final Topic<EvaluationRecorded> AGENT_EVALUATIONS = new Topic<>(
            "agent-evaluations",
            "agent/predictor",
            EvaluationRecorded.class,
            EvaluationRecorded.getClassSchema(),
            6,
            Cleanup.DELETE);

    /** One record per request served under an A/B test. */
    public static final Topic<ObservationRecorded> AB_OBSERVATIONS = new Topic<>(
            "ab-observations",
            "test id (UUID)",
            ObservationRecorded.class,
            ObservationRecorded.getClassSchema(),
            6,
            Cleanup.DELETE);

    /** The optimizer asks agents to evaluate a candidate instruction on examples. */
    public static final Topic<EvaluationRequested> OPTIMIZER_EVALUATION_REQUESTS = new Topic<>(
            "optimizer-evaluation-requests",
            "agent",
            EvaluationRequested.class,
            EvaluationRequested.getClassSchema(),
            6,
            Cleanup.DELETE);

    /** RunStarted, CandidateAccepted, RunCompleted, RunFailed. */
    public static final Topic<OptimizerEvent> OPTIMIZER_EVENTS = new Topic<>(
            "optimizer-events",
            "run id (UUID)",
            OptimizerEvent.class,
            OptimizerEvent.getClassSchema(),
            3,
            Cleanup.DELETE);

    /** TestStarted, TestConcluded, RolloutChanged. */
    public static final Topic<AbDecisionEvent> AB_DECISIONS = new Topic<>(
            "ab-decisions",
            "test id (UUID)",
            AbDecisionEvent.class,
            AbDecisionEvent.getClassSchema(),
            3,
            Cleanup.DELETE);

    /** Each predictor's active instruction and running split; compacted so it always holds the latest. */
    public static final Topic<InstructionRouting> INSTRUCTION_ROUTING = new Topic<>(
            "instruction-routing",
            "agent/predictor",
            InstructionRouting.class,
            InstructionRouting.getClassSchema(),
            3,
            Cleanup.COMPACT);

    /** Every topic, in a stable order. */
    public static final List<Topic<?>> ALL = List.of(
            AGENT_SESSIONS,
            AGENT_EVALUATIONS,
            AB_OBSERVATIONS,
            OPTIMIZER_EVALUATION_REQUESTS,
            OPTIMIZER_EVENTS,
            AB_DECISIONS,
            INSTRUCTION_ROUTING);

    private static final Map<String, Topic<?>> BY_NAME =
            ALL.stream().collect(Collectors.toUnmodifiableMap(Topic::name, Function.identity()));

    /** Suffix of the dead-letter topic that belongs to each topic. */
    public static final String DEAD_LETTER_SUFFIX = "-dlt";

    private Topics() {}

    public static Optional<Topic<?>> byName(String name) {
        return Optional.ofNullable(BY_NAME.get(name));
    }

    /** Key of agent/predictor-keyed topics: {@code agent} or {@code agent/predictor}. */
    public static String predictorKey(String agentName, String predictorName) {
        return predictorName == null || predictorName.isEmpty() ? agentName : agentName + "/" + predictorName;
    }

    public enum Cleanup {
        DELETE,
        COMPACT;

        public String kafkaValue() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * One topic.
     *
     * @param name topic name
     * @param key what the record key is
     * @param valueType generated Avro class of the value
     * @param valueSchema the value's Avro schema
     * @param defaultPartitions partitions created by the dev stack and the test kit; bounds a service's replicas
     * @param cleanup Kafka cleanup policy
     */
    public record Topic<T extends SpecificRecord>(
            String name, String key, Class<T> valueType, Schema valueSchema, int defaultPartitions, Cleanup cleanup) {

        /** Registry subject of the value, by Confluent's TopicNameStrategy. */
        public String valueSubject() {
            return name + "-value";
        }

        /** The topic that takes this topic's dead letters. */
        public String deadLetterTopic() {
            return name + DEAD_LETTER_SUFFIX;
        }
    }
}
