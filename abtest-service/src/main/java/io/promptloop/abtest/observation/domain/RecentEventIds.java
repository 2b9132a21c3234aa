package io.promptloop.abtest.observation.domain;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

/**
 * The de-duplication window of one partition: the event ids of its newest counted batches, at least {@code capacity}
 * of them when that many were counted and fewer than {@code capacity} plus one batch. A batch is kept or dropped
 * whole, so the window in memory and its rows in the database (one per batch) are pruned alike.
 *
 * <p>The ids are kept as numbers, not objects: a ring of (most, least significant bits) pairs in the order counted,
 * and an open-addressing index of ring positions (linear probing, at most half full, deletion by backward shift).
 * A {@code UUID} per id in a hash set (the first version: about 77 bytes per id) kept every counted id alive for
 * the window's length — 600,000 objects for six partitions at the default size, copied by each young collection and
 * then promoted — so the window was most of the service's garbage-collection work at 100,000 observations/s. No
 * maintained primitive-collections library has a set of 128-bit keys (fastutil, HPPC and Eclipse Collections stop at
 * {@code long}), hence this class. Cost: 16 bytes per id in the ring plus 8 in the index per ring slot, the ring's
 * length a power of two of at least the window's size: 24 to 48 bytes per id (100,000 ids: 3.1 MB per partition
 * owned); in the database 16 bytes per id plus one row per batch. Growing doubles both arrays and re-indexes once;
 * they never shrink (the window is bounded).
 *
 * <p>Only the partition's thread reads and changes it (Kafka gives each partition to one consumer at a time).
 */
public final class RecentEventIds {

    /** A counted batch of one partition: the offset of its first record and the event ids it counted, in order. */
    public record Batch(long firstOffset, List<UUID> eventIds) {}

    /** A batch as kept: its first offset and how many ids it holds in the ring. */
    private record Span(long firstOffset, int count) {}

    private static final int INITIAL_RING = 16;

    private final int capacity;
    private final ArrayDeque<Span> spans = new ArrayDeque<>();
    /** Id {@code i} of the ring at {@code [2i]} (most significant bits) and {@code [2i + 1]}. */
    private long[] ring = new long[2 * INITIAL_RING];
    /** Ring position of the oldest id. */
    private int head;

    private int size;
    /** Ring position + 1 of an id, at or after the slot its hash names; 0 = free. Twice the ring's length. */
    private int[] slots = new int[2 * INITIAL_RING];

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
        long most = eventId.getMostSignificantBits();
        long least = eventId.getLeastSignificantBits();
        int mask = slots.length - 1;
        for (int h = home(most, least, mask); ; h = (h + 1) & mask) {
            int s = slots[h];
            if (s == 0) return false;
            int p = s - 1;
            if (ring[2 * p] == most && ring[2 * p + 1] == least) return true;
        }
    }

    /** The first offset of the oldest batch kept, {@link Long#MAX_VALUE} when the window is empty. */
    public long oldestFirstOffset() {
        return spans.isEmpty() ? Long.MAX_VALUE : spans.peekFirst().firstOffset();
    }

    public int size() {
        return size;
    }

    /**
     * The first offset of the oldest batch the window keeps once a batch of {@code adding} ids starting at {@code
     * firstOffset} is added: every batch that starts below it is dropped. Changes nothing, so that the database can
     * be pruned in the transaction and the window only after its commit.
     */
    public long keptFrom(long firstOffset, int adding) {
        long remaining = size + (long) adding;
        for (Span s : spans) {
            if (remaining - s.count() < capacity) return s.firstOffset();
            remaining -= s.count();
        }
        return firstOffset;
    }

    /**
     * Adds a counted batch and drops the oldest batches beyond the capacity. Its ids are new to the window (the
     * listener counts no id twice); one that is not is kept twice and dropped with each of its batches.
     */
    public void add(Batch batch) {
        long keep = keptFrom(batch.firstOffset(), batch.eventIds().size());
        while (!spans.isEmpty() && spans.peekFirst().firstOffset() < keep) {
            dropOldest(spans.pollFirst().count());
        }
        int ringLength = ring.length / 2;
        if (size + batch.eventIds().size() > ringLength) {
            grow(Integer.highestOneBit(Math.max(1, size + batch.eventIds().size() - 1)) << 1);
        }
        ringLength = ring.length / 2;
        int mask = slots.length - 1;
        for (UUID id : batch.eventIds()) {
            int p = (head + size) & (ringLength - 1);
            long most = id.getMostSignificantBits();
            long least = id.getLeastSignificantBits();
            ring[2 * p] = most;
            ring[2 * p + 1] = least;
            int h = home(most, least, mask);
            while (slots[h] != 0) h = (h + 1) & mask;
            slots[h] = p + 1;
            size++;
        }
        spans.addLast(new Span(batch.firstOffset(), batch.eventIds().size()));
    }

    /** Removes the {@code count} oldest ids from the ring and the index. */
    private void dropOldest(int count) {
        int ringMask = ring.length / 2 - 1;
        int mask = slots.length - 1;
        for (int i = 0; i < count; i++) {
            int p = head;
            int h = home(ring[2 * p], ring[2 * p + 1], mask);
            while (slots[h] != p + 1) h = (h + 1) & mask; // by position: a twice-added id leaves its other entry
            // backward shift: close the gap with the next entries of the probe run that may move into it
            int gap = h;
            for (int j = (h + 1) & mask; slots[j] != 0; j = (j + 1) & mask) {
                int q = slots[j] - 1;
                int k = home(ring[2 * q], ring[2 * q + 1], mask);
                boolean between = gap <= j ? gap < k && k <= j : gap < k || k <= j;
                if (!between) {
                    slots[gap] = slots[j];
                    gap = j;
                }
            }
            slots[gap] = 0;
            head = (head + 1) & ringMask;
            size--;
        }
    }

    /** A ring of {@code ringLength} ids (a power of two), the ids moved to its start in order, the index rebuilt. */
    private void grow(int ringLength) {
        int oldMask = ring.length / 2 - 1;
        long[] grown = new long[2 * ringLength];
        for (int i = 0; i < size; i++) {
            int p = (head + i) & oldMask;
            grown[2 * i] = ring[2 * p];
            grown[2 * i + 1] = ring[2 * p + 1];
        }
        ring = grown;
        head = 0;
        slots = new int[2 * ringLength];
        int mask = slots.length - 1;
        for (int p = 0; p < size; p++) {
            int h = home(ring[2 * p], ring[2 * p + 1], mask);
            while (slots[h] != 0) h = (h + 1) & mask;
            slots[h] = p + 1;
        }
    }

    /** The slot an id's probe starts at: MurmurHash3's 64-bit finalizer over both halves (time-ordered ids too). */
    private static int home(long most, long least, int mask) {
        long x = most * 0x9E3779B97F4A7C15L ^ least;
        x ^= x >>> 33;
        x *= 0xFF51AFD7ED558CCDL;
        x ^= x >>> 33;
        x *= 0xC4CEB9FE1A85EC53L;
        x ^= x >>> 33;
        return (int) x & mask;
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
