package io.promptloop.abtest.observation.domain;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * The de-duplication window of one partition: the event ids of its newest counted batches, at least {@code capacity}
 * of them when that many were counted and fewer than {@code capacity} plus one batch. A batch is kept or dropped
 * whole, so the window in memory and its rows in the database (one per batch) are pruned alike.
 *
 * <p>Cost: in memory about 77 bytes per id (measured with 1,000,000 ids: the {@link UUID}, its hash-set entry and
 * table slot, the batch's reference) — 100,000 ids ≈ 7.7 MB per partition owned; in the database 16 bytes per id
 * plus one row per batch.
 * Only the partition's thread reads and changes it (Kafka gives each partition to one consumer at a time).
 */
public final class RecentEventIds {

    /** A counted batch of one partition: the offset of its first record and the event ids it counted, in order. */
    public record Batch(long firstOffset, List<UUID> eventIds) {}

    private final int capacity;
    private final ArrayDeque<Batch> batches = new ArrayDeque<>();
    private final Set<UUID> ids = new HashSet<>();

    /** @param capacity the number of newest counted ids the window holds at least */
    public RecentEventIds(int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("capacity must be at least 1, not " + capacity);
        this.capacity = capacity;
    }

    /** The window of {@code capacity} holding {@code stored} batches (oldest first), e.g. as loaded after a restart. */
    public static RecentEventIds of(int capacity, Collection<Batch> stored) {
        RecentEventIds window = new RecentEventIds(capacity);
        stored.forEach(window::add);
        return window;
    }

    public boolean contains(UUID eventId) {
        return ids.contains(eventId);
    }

    /** The first offset of the oldest batch kept, {@link Long#MAX_VALUE} when the window is empty. */
    public long oldestFirstOffset() {
        return batches.isEmpty() ? Long.MAX_VALUE : batches.peekFirst().firstOffset();
    }

    public int size() {
        return ids.size();
    }

    /**
     * The first offset of the oldest batch the window keeps once a batch of {@code adding} ids starting at {@code
     * firstOffset} is added: every batch that starts below it is dropped. Changes nothing, so that the database can
     * be pruned in the transaction and the window only after its commit.
     */
    public long keptFrom(long firstOffset, int adding) {
        long size = ids.size() + (long) adding;
        for (Batch b : batches) {
            if (size - b.eventIds().size() < capacity) return b.firstOffset();
            size -= b.eventIds().size();
        }
        return firstOffset;
    }

    /** Adds a counted batch (its ids are new to the window) and drops the oldest batches beyond the capacity. */
    public void add(Batch batch) {
        long keep = keptFrom(batch.firstOffset(), batch.eventIds().size());
        while (!batches.isEmpty() && batches.peekFirst().firstOffset() < keep) {
            batches.pollFirst().eventIds().forEach(ids::remove);
        }
        batches.addLast(batch);
        ids.addAll(batch.eventIds());
    }

    /** The event ids as stored: 16 bytes each, the UUID's most then least significant 64 bits, big-endian. */
    public static byte[] toBytes(List<UUID> eventIds) {
        ByteBuffer buffer = ByteBuffer.allocate(16 * eventIds.size());
        for (UUID id : eventIds) buffer.putLong(id.getMostSignificantBits()).putLong(id.getLeastSignificantBits());
        return buffer.array();
    }

    /** The event ids of {@link #toBytes}. */
    public static List<UUID> fromBytes(byte[] bytes) {
        if (bytes.length % 16 != 0) {
            throw new IllegalArgumentException("stored event ids are 16 bytes each, not " + bytes.length + " bytes");
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        UUID[] out = new UUID[bytes.length / 16];
        for (int i = 0; i < out.length; i++) out[i] = new UUID(buffer.getLong(), buffer.getLong());
        return List.of(out);
    }
}
