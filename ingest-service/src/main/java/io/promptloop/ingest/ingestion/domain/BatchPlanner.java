package io.promptloop.ingest.ingestion.domain;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Decides which prefix of a batch can be stored, reading the batch as if its records were applied one
 * by one in offset order: a turn number may be taken once per session, and an improvement note must
 * refer to a turn stored earlier — in the database or earlier in the same batch. The first record that
 * breaks a rule ends the prefix; the caller stores the prefix and dead-letters that record, and the
 * rest of the batch is delivered again.
 */
public final class BatchPlanner {

    /** The turn references a batch needs looked up in the database before it can be planned. */
    public static Set<TurnRef> referencedTurns(List<Decoded> batch) {
        Set<TurnRef> refs = new LinkedHashSet<>();
        for (Decoded d : batch) {
            if (d instanceof Decoded.Valid(TurnRecorded t)) refs.add(t.ref());
            if (d instanceof Decoded.Valid(ImprovementNoted n)) refs.add(n.turnRef());
        }
        return refs;
    }

    /**
     * The turns the improvement notes of a batch refer to that no earlier turn of the batch carries: the only
     * lookups a batch needs when its own turns are assumed not to be stored yet (see {@code IngestionService}).
     */
    public static Set<TurnRef> notesReferencesOutsideBatch(List<Decoded> batch) {
        Set<TurnRef> carried = new HashSet<>();
        Set<TurnRef> refs = new LinkedHashSet<>();
        for (Decoded d : batch) {
            if (d instanceof Decoded.Valid(TurnRecorded t)) carried.add(t.ref());
            if (d instanceof Decoded.Valid(ImprovementNoted n) && !carried.contains(n.turnRef())) {
                refs.add(n.turnRef());
            }
        }
        return refs;
    }

    /**
     * @param batch decoded records in offset order
     * @param storedTurns id of each referenced turn that is already stored
     */
    public BatchPlan plan(List<Decoded> batch, Map<TurnRef, UUID> storedTurns) {
        List<IngestEvent> events = new ArrayList<>(batch.size());
        Map<UUID, UUID> turnIdsOfNotes = new HashMap<>();
        Map<TurnRef, UUID> batchTurns = new HashMap<>();
        for (int i = 0; i < batch.size(); i++) {
            InvalidEventException rejection = switch (batch.get(i)) {
                case Decoded.Rejected(InvalidEventException e) -> e;
                case Decoded.Valid(TurnRecorded t) -> checkTurn(t, storedTurns, batchTurns);
                case Decoded.Valid(ImprovementNoted n) -> attachNote(n, storedTurns, batchTurns, turnIdsOfNotes);
                case Decoded.Valid v -> null;
            };
            if (rejection != null) {
                return new BatchPlan(List.copyOf(events), Map.copyOf(turnIdsOfNotes), i, rejection);
            }
            events.add(((Decoded.Valid) batch.get(i)).event());
        }
        return new BatchPlan(List.copyOf(events), Map.copyOf(turnIdsOfNotes), -1, null);
    }

    private static InvalidEventException checkTurn(
            TurnRecorded t, Map<TurnRef, UUID> storedTurns, Map<TurnRef, UUID> batchTurns) {
        UUID holder = storedTurns.get(t.ref());
        if (holder == null) holder = batchTurns.get(t.ref());
        if (holder != null && !holder.equals(t.eventId())) {
            return new InvalidEventException(
                    RejectionReason.DUPLICATE_TURN_NUMBER,
                    "turn " + t.turnNumber() + " of session " + t.sessionId() + " is already held by event " + holder);
        }
        batchTurns.put(t.ref(), t.eventId());
        return null;
    }

    private static InvalidEventException attachNote(
            ImprovementNoted n,
            Map<TurnRef, UUID> storedTurns,
            Map<TurnRef, UUID> batchTurns,
            Map<UUID, UUID> turnIdsOfNotes) {
        UUID turnId = storedTurns.get(n.turnRef());
        if (turnId == null) turnId = batchTurns.get(n.turnRef());
        if (turnId == null) {
            return new InvalidEventException(
                    RejectionReason.UNKNOWN_REFERENCE,
                    "improvement note refers to turn " + n.turnNumber() + " of session " + n.sessionId()
                            + ", which was never sent");
        }
        turnIdsOfNotes.put(n.eventId(), turnId);
        return null;
    }
}
