package io.promptloop.ingest.ingestion.domain;

import static io.promptloop.ingest.ingestion.domain.Events.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class EventValidatorTest {

    private final Limits limits = new Limits(50, 2, 2, Duration.ofHours(1));
    private final EventValidator validator = new EventValidator(limits, Clock.fixed(T0, ZoneOffset.UTC));
    private final UUID session = UUID.randomUUID();

    @Test
    void shouldAcceptAValidTurn() {
        TurnRecorded turn = Events.turn(session, 1);
        assertThat(validator.validate(turn)).isSameAs(turn);
    }

    @Test
    void shouldRejectOutOfRangeValuesWithTheFieldName() {
        TurnRecorded ok = Events.turn(session, 1);
        // each row: one broken field, the reason, and a fragment the message must name
        record Case(TurnRecorded turn, RejectionReason reason, String message) {}
        List<Case> cases = List.of(
                // negative turn number
                new Case(withNumber(ok, -1), RejectionReason.INVALID_VALUE, "turn_number must be > 0"),
                // zero is not a turn number either
                new Case(withNumber(ok, 0), RejectionReason.INVALID_VALUE, "turn_number"),
                // empty required text
                new Case(withMessage(ok, "  "), RejectionReason.INVALID_VALUE, "user_message is required"),
                // oversized text (limit 50)
                new Case(withMessage(ok, "x".repeat(51)), RejectionReason.OVERSIZED, "user_message has 51 characters"),
                // similarity above 1
                new Case(
                        withSimilarity(ok, 1.5), RejectionReason.INVALID_VALUE, "avg_similarity must be within [0, 1]"),
                // NaN is not a score
                new Case(withSimilarity(ok, Double.NaN), RejectionReason.INVALID_VALUE, "avg_similarity"),
                // event from the far future
                new Case(withTime(ok, T0.plus(Duration.ofHours(2))), RejectionReason.INVALID_VALUE, "in the future"),
                // NUL characters break PostgreSQL text
                new Case(withMessage(ok, "a\u0000b"), RejectionReason.INVALID_VALUE, "NUL"));
        for (Case c : cases) {
            assertThatThrownBy(() -> validator.validate(c.turn()))
                    .as(c.message())
                    .isInstanceOfSatisfying(
                            InvalidEventException.class,
                            e -> assertThat(e.reason()).isEqualTo(c.reason()))
                    .hasMessageContaining(c.message());
        }
    }

    @Test
    void shouldRejectTooManySearchResultsAndMetadataEntries() {
        TurnRecorded ok = Events.turn(session, 1);
        var many = Collections.nCopies(3, ok.searchResults().getFirst());
        TurnRecorded tooMany = new TurnRecorded(
                ok.eventId(),
                ok.occurredAt(),
                ok.agent(),
                ok.sessionId(),
                1,
                ok.userMessage(),
                ok.agentResponse(),
                null,
                many,
                null,
                null,
                null,
                null,
                null,
                Map.of());
        assertThatThrownBy(() -> validator.validate(tooMany)).hasMessageContaining("search_results has 3 entries");

        SessionStarted bigMeta = new SessionStarted(
                UUID.randomUUID(),
                T0,
                Events.AGENT,
                session,
                null,
                null,
                null,
                null,
                null,
                Map.of("a", "1", "b", "2", "c", "3"));
        assertThatThrownBy(() -> validator.validate(bigMeta)).hasMessageContaining("metadata has 3 entries");
    }

    @Test
    void shouldCheckObservationRanges() {
        assertThat(validator.validate(Events.observation("treatment", 0.5, 10L)))
                .isNotNull();
        assertThatThrownBy(() -> validator.validate(Events.observation("arm-c", 0.5, 10L)))
                .hasMessageContaining("variant must be one of");
        assertThatThrownBy(() -> validator.validate(Events.observation("baseline", Double.NaN, 10L)))
                .hasMessageContaining("score must be within [0, 1]");
        assertThatThrownBy(() -> validator.validate(Events.observation("baseline", 0.5, -1L)))
                .hasMessageContaining("latency_ms must be >= 0");
    }

    @Test
    void shouldCheckEvaluationScoreScales() {
        var scores = new EvaluationRecorded.Scores(0.9, 1.0, 0.8, 0.7, null, null, null, null, null, 4.5, 6.0, null);
        var evaluation = new EvaluationRecorded(
                UUID.randomUUID(),
                T0,
                Events.AGENT,
                "ex-1",
                "in",
                "out",
                null,
                null,
                scores,
                0.8,
                null,
                "missing citation",
                "llm_judge",
                null,
                null,
                null,
                null,
                null);
        // actionability is a 1..5 rubric score: 6 is out of range, 4.5 is fine
        assertThatThrownBy(() -> validator.validate(evaluation))
                .hasMessageContaining("scores.actionability must be within [1, 5], was 6.0");
    }

    private static TurnRecorded withNumber(TurnRecorded t, int number) {
        return copy(t, number, t.userMessage(), t.avgSimilarity(), t.occurredAt());
    }

    private static TurnRecorded withMessage(TurnRecorded t, String message) {
        return copy(t, t.turnNumber(), message, t.avgSimilarity(), t.occurredAt());
    }

    private static TurnRecorded withSimilarity(TurnRecorded t, double similarity) {
        return copy(t, t.turnNumber(), t.userMessage(), similarity, t.occurredAt());
    }

    private static TurnRecorded withTime(TurnRecorded t, java.time.Instant at) {
        return copy(t, t.turnNumber(), t.userMessage(), t.avgSimilarity(), at);
    }

    private static TurnRecorded copy(
            TurnRecorded t, int number, String message, Double similarity, java.time.Instant at) {
        return new TurnRecorded(
                t.eventId(),
                at,
                t.agent(),
                t.sessionId(),
                number,
                message,
                t.agentResponse(),
                t.processingTimeMs(),
                t.searchResults(),
                similarity,
                t.totalChunks(),
                t.confidenceScore(),
                t.templateUsed(),
                t.instructionId(),
                t.metadata());
    }
}
