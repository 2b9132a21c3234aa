package io.promptloop.ingest.ingestion.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class BatchPlannerTest {

    private final BatchPlanner planner = new BatchPlanner();
    private final UUID session = UUID.randomUUID();

    @Test
    void shouldStoreTheWholeBatchWhenEveryRecordIsValid() {
        TurnRecorded t1 = Events.turn(session, 1);
        ImprovementNoted n1 = Events.note(session, 1); // refers to t1, earlier in the same batch
        BatchPlan plan = planner.plan(valid(t1, n1), Map.of());

        assertThat(plan.complete()).isTrue();
        assertThat(plan.events()).containsExactly(t1, n1);
        assertThat(plan.turnIdsOfNotes()).containsEntry(n1.eventId(), t1.eventId());
    }

    @Test
    void shouldAttachANoteToATurnStoredInAnEarlierBatch() {
        UUID storedTurnId = UUID.randomUUID();
        ImprovementNoted note = Events.note(session, 4);
        BatchPlan plan = planner.plan(valid(note), Map.of(new TurnRef(session, 4), storedTurnId));

        assertThat(plan.complete()).isTrue();
        assertThat(plan.turnIdsOfNotes()).containsEntry(note.eventId(), storedTurnId);
    }

    @Test
    void shouldStopAtANoteForATurnThatWasNeverSent() {
        TurnRecorded t1 = Events.turn(session, 1);
        ImprovementNoted orphan = Events.note(session, 2);
        TurnRecorded t2 = Events.turn(session, 2); // comes after the note: offsets order the batch
        BatchPlan plan = planner.plan(valid(t1, orphan, t2), Map.of());

        assertThat(plan.rejectedIndex()).isEqualTo(1);
        assertThat(plan.rejection().reason()).isEqualTo(RejectionReason.UNKNOWN_REFERENCE);
        assertThat(plan.events()).containsExactly(t1);
    }

    @Test
    void shouldTreatARedeliveredTurnAsADuplicateNotAConflict() {
        TurnRecorded t1 = Events.turn(session, 1);
        // the same event, stored before, delivered again; and re-sent inside this batch
        BatchPlan plan = planner.plan(valid(t1, t1), Map.of(t1.ref(), t1.eventId()));

        assertThat(plan.complete()).isTrue();
        assertThat(plan.events()).containsExactly(t1, t1);
    }

    @Test
    void shouldRejectADifferentEventThatTakesATurnNumberAlreadyHeld() {
        TurnRecorded held = Events.turn(session, 3);
        TurnRecorded other = Events.turn(session, 3);
        BatchPlan inDatabase = planner.plan(valid(other), Map.of(held.ref(), held.eventId()));
        BatchPlan inBatch = planner.plan(valid(held, other), Map.of());

        assertThat(inDatabase.rejectedIndex()).isZero();
        assertThat(inDatabase.rejection().reason()).isEqualTo(RejectionReason.DUPLICATE_TURN_NUMBER);
        assertThat(inBatch.rejectedIndex()).isEqualTo(1);
        assertThat(inBatch.events()).containsExactly(held);
    }

    @Test
    void shouldStopAtARecordRejectedWhileDecoding() {
        TurnRecorded t1 = Events.turn(session, 1);
        var undecodable = new Decoded.Rejected(new InvalidEventException(RejectionReason.UNDECODABLE, "garbage"));
        BatchPlan plan = planner.plan(
                List.of(new Decoded.Valid(t1), undecodable, new Decoded.Valid(Events.turn(session, 2))), Map.of());

        assertThat(plan.rejectedIndex()).isEqualTo(1);
        assertThat(plan.rejection().getMessage()).isEqualTo("garbage");
        assertThat(plan.events()).containsExactly(t1);
    }

    @Test
    void shouldListTheTurnsABatchRefersTo() {
        TurnRecorded t1 = Events.turn(session, 1);
        ImprovementNoted n7 = Events.note(session, 7);
        assertThat(BatchPlanner.referencedTurns(valid(t1, n7)))
                .containsExactly(new TurnRef(session, 1), new TurnRef(session, 7));
    }

    @Test
    void shouldLookUpOnlyTheNotesTurnsNoEarlierTurnOfTheBatchCarries() {
        ImprovementNoted early = Events.note(session, 1); // before turn 1 arrives in the batch: looked up
        TurnRecorded t1 = Events.turn(session, 1);
        ImprovementNoted onT1 = Events.note(session, 1); // carried by the batch
        ImprovementNoted onT5 = Events.note(session, 5); // stored earlier, if at all
        assertThat(BatchPlanner.notesReferencesOutsideBatch(valid(early, t1, onT1, onT5)))
                .containsExactly(new TurnRef(session, 1), new TurnRef(session, 5));
        assertThat(BatchPlanner.notesReferencesOutsideBatch(valid(t1, onT1))).isEmpty();
    }

    private static List<Decoded> valid(IngestEvent... events) {
        return java.util.Arrays.stream(events).<Decoded>map(Decoded.Valid::new).toList();
    }
}
