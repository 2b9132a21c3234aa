package io.promptloop.devstack.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.promptloop.avro.evaluation.EvaluationRecorded;
import io.promptloop.avro.evaluation.EvaluationScores;
import io.promptloop.avro.session.ImprovementNoted;
import io.promptloop.avro.session.SearchResult;
import io.promptloop.avro.session.SessionEnded;
import io.promptloop.avro.session.SessionEvent;
import io.promptloop.avro.session.SessionStarted;
import io.promptloop.avro.session.TurnRecorded;
import io.promptloop.schemas.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SimulatedAgentTest {

    private static final Instant START = Instant.parse("2025-10-24T10:00:00Z");

    @Test
    void shouldSendTheSameEventsForTheSameSeed() {
        assertThat(sessions(42, 25)).isEqualTo(sessions(42, 25));
        assertThat(sessions(42, 5)).isNotEqualTo(sessions(43, 5));
    }

    @Test
    void shouldNumberTurnsOneToNAndNoteOnlyTurnsAlreadySent() {
        for (SimulatedSession session : sessions(7, 300)) {
            List<SessionEvent> events = session.events();
            assertThat(events.getFirst().getPayload()).isInstanceOf(SessionStarted.class);
            assertThat(events.getLast().getPayload()).isInstanceOf(SessionEnded.class);

            List<Integer> turns = new ArrayList<>();
            Instant previous = Instant.MIN;
            for (SessionEvent event : events) {
                assertThat(event.getSessionId()).isEqualTo(session.sessionId());
                assertThat(event.getOccurredAt()).isAfterOrEqualTo(previous);
                previous = event.getOccurredAt();
                switch (event.getPayload()) {
                    case TurnRecorded turn -> turns.add(turn.getTurnNumber());
                    case ImprovementNoted note ->
                        assertThat(turns)
                                .as("a note refers to a turn sent before it")
                                .contains(note.getTurnNumber());
                    default -> {}
                }
            }
            assertThat(turns.size()).isBetween(AgentTraffic.MIN_TURNS, AgentTraffic.MAX_TURNS);
            assertThat(turns)
                    .isEqualTo(IntStream.rangeClosed(1, turns.size()).boxed().toList());
        }
    }

    @Test
    void shouldKeepSimilaritiesScoresAndIdsInRange() {
        Set<String> eventIds = new HashSet<>();
        for (SimulatedSession session : sessions(11, 300)) {
            assertThat(UUID.fromString(session.sessionId()).toString()).isEqualTo(session.sessionId());
            Instant ended = session.events().getLast().getOccurredAt();
            for (SessionEvent event : session.events()) {
                assertThat(eventIds.add(event.getEventId())).isTrue();
                if (event.getPayload() instanceof TurnRecorded turn) {
                    assertThat(turn.getUserMessage()).isNotBlank();
                    assertThat(turn.getAgentResponse()).isNotBlank();
                    assertThat(turn.getProcessingTimeMs()).isPositive();
                    assertThat(turn.getSearchResults()).isNotEmpty().hasSize(turn.getTotalChunks());
                    for (SearchResult result : turn.getSearchResults()) {
                        assertThat(result.getSimilarity())
                                .isBetween(AgentTraffic.MIN_SIMILARITY, AgentTraffic.MAX_SIMILARITY);
                        assertThat(result.getChunkText()).isNotBlank();
                    }
                    assertThat(turn.getAvgSimilarity()).isBetween(0.0, 1.0);
                    assertThat(turn.getConfidenceScore()).isBetween(0.0, 1.0);
                }
            }
            for (EvaluationRecorded evaluation : session.evaluations()) {
                assertThat(eventIds.add(evaluation.getEventId())).isTrue();
                EvaluationScores scores = evaluation.getScores();
                for (Double score : List.of(
                        scores.getFunctionality(),
                        scores.getSafety(),
                        scores.getConsistency(),
                        scores.getEdgeCaseHandling(),
                        evaluation.getOverallScore())) {
                    assertThat(score).isBetween(0.0, 1.0);
                }
                assertThat(evaluation.getFeedback()).isNotBlank();
                assertThat(evaluation.getReasoning()).isNotBlank();
                assertThat(evaluation.getExampleId()).isNotBlank().hasSizeLessThanOrEqualTo(200);
                assertThat(evaluation.getSessionId()).isEqualTo(session.sessionId());
                assertThat(evaluation.getTurnNumber()).isBetween(1, AgentTraffic.MAX_TURNS);
                assertThat(evaluation.getOccurredAt()).isAfter(ended);
            }
        }
    }

    @Test
    void shouldNoteAboutFortyPercentOfTurns() {
        int turns = 0;
        int notedTurns = 0;
        for (SimulatedSession session : sessions(3, 1_000)) {
            Set<Integer> noted = new HashSet<>();
            for (SessionEvent event : session.events()) {
                switch (event.getPayload()) {
                    case TurnRecorded ignored -> turns++;
                    case ImprovementNoted note -> noted.add(note.getTurnNumber());
                    default -> {}
                }
            }
            notedTurns += noted.size();
        }
        assertThat((double) notedTurns / turns).isCloseTo(AgentTraffic.NOTE_PROBABILITY, within(0.03));
    }

    @Test
    void shouldKeyRecordsBySessionAndByPredictor() {
        SimulatedSession session = sessions(5, 1).getFirst();
        for (AgentRecord record : session.records()) {
            if (record.value() instanceof SessionEvent) {
                assertThat(record.topic()).isEqualTo(Topics.AGENT_SESSIONS.name());
                assertThat(record.key()).isEqualTo(session.sessionId());
            } else {
                assertThat(record.topic()).isEqualTo(Topics.AGENT_EVALUATIONS.name());
                assertThat(record.key()).isEqualTo(Topics.predictorKey("hr-assistant", null));
            }
        }
    }

    @Test
    void shouldStartSessionsAtTheConfiguredRateAndFinishThemWhenDrained() {
        SplittableRandom random = new SplittableRandom(99);
        AgentSchedule schedule = new AgentSchedule(new AgentTraffic(random, "hr-assistant", null), random, 2.0, START);
        Map<String, List<Object>> payloadsBySession = new HashMap<>();
        List<AgentRecord> sent = new ArrayList<>();
        Instant end = START.plus(Duration.ofMinutes(5));
        for (Instant now = START; now.isBefore(end); now = now.plusMillis(100)) {
            for (AgentRecord record : schedule.due(now)) {
                assertThat(record.occurredAt()).isBeforeOrEqualTo(now);
                sent.add(record);
            }
        }
        sent.addAll(schedule.drain());
        for (AgentRecord record : sent) {
            if (record.value() instanceof SessionEvent event) {
                payloadsBySession
                        .computeIfAbsent(record.key(), k -> new ArrayList<>())
                        .add(event.getPayload());
            }
        }
        // 600 expected over 5 minutes at 2/s; a Poisson count stays well within ±15%
        assertThat(schedule.sessionsStarted()).isBetween(510L, 690L);
        assertThat(payloadsBySession).hasSize((int) schedule.sessionsStarted());
        for (List<Object> payloads : payloadsBySession.values()) {
            assertThat(payloads.getFirst()).isInstanceOf(SessionStarted.class);
            assertThat(payloads.getLast()).isInstanceOf(SessionEnded.class);
        }
        assertThat(schedule.queued()).isZero();
    }

    private static List<SimulatedSession> sessions(long seed, int count) {
        AgentTraffic traffic = new AgentTraffic(new SplittableRandom(seed), "hr-assistant", null);
        List<SimulatedSession> sessions = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            sessions.add(traffic.nextSession(START.plusSeconds(i)));
        }
        return sessions;
    }
}
