package io.promptloop.devstack.agent;

import io.promptloop.avro.evaluation.EvaluationRecorded;
import io.promptloop.avro.session.SessionEvent;
import io.promptloop.schemas.Topics;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * One made-up tuning session and the evaluations of some of its answers.
 *
 * @param sessionId the session's UUID, which is also the key of its events
 * @param evaluationKey the key of the evaluations ({@link Topics#predictorKey})
 * @param events SessionStarted, the turns and notes, SessionEnded, in the order they happened
 * @param evaluations scored answers of this session, after its end
 */
public record SimulatedSession(
        String sessionId, String evaluationKey, List<SessionEvent> events, List<EvaluationRecorded> evaluations) {

    public SimulatedSession {
        events = List.copyOf(events);
        evaluations = List.copyOf(evaluations);
    }

    /** Every event as a Kafka record (topic, key, value), in the order they happened. */
    public List<AgentRecord> records() {
        List<AgentRecord> records = new ArrayList<>(events.size() + evaluations.size());
        for (SessionEvent event : events) {
            records.add(new AgentRecord(Topics.AGENT_SESSIONS.name(), sessionId, event, event.getOccurredAt()));
        }
        for (EvaluationRecorded evaluation : evaluations) {
            records.add(new AgentRecord(
                    Topics.AGENT_EVALUATIONS.name(), evaluationKey, evaluation, evaluation.getOccurredAt()));
        }
        records.sort(Comparator.comparing(AgentRecord::occurredAt)); // stable: ties keep their order
        return records;
    }
}
