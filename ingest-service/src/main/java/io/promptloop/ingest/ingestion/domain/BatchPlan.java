package io.promptloop.ingest.ingestion.domain;

import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What to store of a batch: the events of its longest valid prefix, in order, and — when the prefix
 * stops short — the index and reason of the first record that must be dead-lettered.
 *
 * @param events events to store, in offset order (duplicates included: storing is idempotent)
 * @param turnIdsOfNotes the stored (or to-be-stored) turn id each improvement note attaches to
 * @param rejectedIndex index of the first rejected record, or {@code -1} if the whole batch is stored
 * @param rejection why that record is rejected, or null
 */
public record BatchPlan(
        List<IngestEvent> events, Map<UUID, UUID> turnIdsOfNotes, int rejectedIndex, InvalidEventException rejection) {

    public boolean complete() {
        return rejectedIndex < 0;
    }
}
