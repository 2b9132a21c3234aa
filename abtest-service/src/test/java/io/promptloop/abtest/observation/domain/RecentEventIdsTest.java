package io.promptloop.abtest.observation.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class RecentEventIdsTest {

    private static List<UUID> ids(int n) {
        List<UUID> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(UUID.randomUUID());
        return out;
    }

    @Test
    void shouldKeepWholeBatchesAsLongAsTheNewestHoldFewerThanTheCapacity() {
        var window = new RecentEventIds(250);
        List<UUID> first = ids(100);
        List<UUID> second = ids(100);
        List<UUID> third = ids(100);
        window.add(new RecentEventIds.Batch(0, first));
        window.add(new RecentEventIds.Batch(100, second));
        // 200 < 250: nothing dropped yet
        assertThat(window.keptFrom(200, 100)).isZero();
        window.add(new RecentEventIds.Batch(200, third));
        // 300 ids, dropping the first batch would leave 200 < 250: all kept
        assertThat(window.size()).isEqualTo(300);
        assertThat(window.contains(first.getFirst())).isTrue();
        // a fourth batch: without the first, 300 ids >= 250 remain, so the first goes (and only it)
        assertThat(window.keptFrom(300, 100)).isEqualTo(100);
        assertThat(window.size()).as("keptFrom changes nothing").isEqualTo(300);
        window.add(new RecentEventIds.Batch(300, ids(100)));
        assertThat(window.contains(first.getFirst())).isFalse();
        assertThat(window.contains(second.getLast())).isTrue();
        assertThat(window.oldestFirstOffset()).isEqualTo(100);
        assertThat(window.size()).isEqualTo(300);
    }

    @Test
    void shouldKeepABatchLargerThanTheCapacityAlone() {
        var window = new RecentEventIds(50);
        window.add(new RecentEventIds.Batch(0, ids(10)));
        assertThat(window.keptFrom(10, 80)).isEqualTo(10);
        window.add(new RecentEventIds.Batch(10, ids(80)));
        assertThat(window.size()).isEqualTo(80);
        assertThat(window.oldestFirstOffset()).isEqualTo(10);
    }

    @Test
    void shouldRebuildTheSameWindowFromItsStoredBatches() {
        List<UUID> a = ids(3);
        List<UUID> b = ids(2);
        byte[] stored = RecentEventIds.toBytes(a);
        assertThat(stored).hasSize(48);
        assertThat(RecentEventIds.fromBytes(stored)).containsExactlyElementsOf(a);
        var window = RecentEventIds.of(
                1000,
                List.of(
                        new RecentEventIds.Batch(7, RecentEventIds.fromBytes(stored)),
                        new RecentEventIds.Batch(12, RecentEventIds.fromBytes(RecentEventIds.toBytes(b)))));
        assertThat(window.size()).isEqualTo(5);
        assertThat(window.contains(a.get(1))).isTrue();
        assertThat(window.contains(b.get(1))).isTrue();
        assertThat(window.contains(UUID.randomUUID())).isFalse();
        assertThat(window.oldestFirstOffset()).isEqualTo(7);
    }

    @Test
    void shouldRefuseStoredBytesThatAreNotWholeIds() {
        assertThatThrownBy(() -> RecentEventIds.fromBytes(new byte[17])).hasMessageContaining("16 bytes each");
        assertThatThrownBy(() -> new RecentEventIds(0)).hasMessageContaining("at least 1");
    }

    @Test
    void shouldFindTheNilIdAndIdsThatDifferInOneHalfOnly() {
        var window = new RecentEventIds(10);
        UUID nil = new UUID(0, 0);
        UUID sameMost = new UUID(0, 1);
        UUID sameLeast = new UUID(1, 0);
        window.add(new RecentEventIds.Batch(0, List.of(nil, sameMost)));
        assertThat(window.contains(nil)).isTrue();
        assertThat(window.contains(sameMost)).isTrue();
        assertThat(window.contains(sameLeast)).isFalse();
    }

    /**
     * The window against a model written the obvious way (a hash set of the ids and a queue of the batches, the
     * first version of this class): random batch sizes from 1 to beyond the capacity, random and time-ordered ids
     * (version 7: the high half mostly a clock), and re-added ids; after every batch the sizes, the oldest offset and
     * membership of every id ever added (and of unseen ones) must agree.
     */
    @Test
    void shouldAgreeWithASetAndAQueueOverManyRandomBatches() {
        for (long seed = 1; seed <= 20; seed++) {
            var random = new SplittableRandom(seed);
            int capacity = 1 + random.nextInt(300);
            var window = new RecentEventIds(capacity);
            var model = new Model(capacity);
            List<UUID> everAdded = new ArrayList<>();
            long offset = 0;
            long clock = 0x0190_0000_0000_0000L;
            for (int b = 0; b < 200; b++) {
                int n = 1 + random.nextInt(random.nextInt(10) == 0 ? 2 * capacity : Math.max(1, capacity / 3));
                List<UUID> batch = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    UUID id;
                    if (!everAdded.isEmpty() && random.nextInt(50) == 0) {
                        id = everAdded.get(random.nextInt(everAdded.size())); // a re-add the listener never makes
                    } else if (seed % 2 == 0) {
                        id = new UUID(clock++ << 16 | 0x7000L, random.nextLong()); // time-ordered
                    } else {
                        id = new UUID(random.nextLong(), random.nextLong());
                    }
                    batch.add(id);
                }
                long first = offset;
                offset += n + random.nextInt(3); // skipped offsets: dead letters, duplicates
                assertThat(window.keptFrom(first, n))
                        .as("seed %d batch %d", seed, b)
                        .isEqualTo(model.keptFrom(first, n));
                window.add(new RecentEventIds.Batch(first, List.copyOf(batch)));
                model.add(first, batch);
                everAdded.addAll(batch);
                assertThat(window.size()).as("seed %d batch %d", seed, b).isEqualTo(model.size());
                assertThat(window.oldestFirstOffset()).isEqualTo(model.oldestFirstOffset());
                for (UUID id : everAdded) {
                    if (window.contains(id) != model.contains(id)) {
                        throw new AssertionError("seed " + seed + " batch " + b + ": " + id + " in window "
                                + window.contains(id) + ", in model " + model.contains(id));
                    }
                }
                assertThat(window.contains(new UUID(random.nextLong(), random.nextLong())))
                        .isFalse();
            }
        }
    }

    /** The reference: batches in a queue, ids counted in a multiset (an id added twice stays while either batch does). */
    private static final class Model {
        private final int capacity;
        private final ArrayDeque<List<UUID>> batches = new ArrayDeque<>();
        private final ArrayDeque<Long> firsts = new ArrayDeque<>();
        private final Map<UUID, Integer> ids = new HashMap<>();
        private int size;

        Model(int capacity) {
            this.capacity = capacity;
        }

        long keptFrom(long first, int adding) {
            long remaining = size + (long) adding;
            var f = firsts.iterator();
            for (List<UUID> b : batches) {
                long start = f.next();
                if (remaining - b.size() < capacity) return start;
                remaining -= b.size();
            }
            return first;
        }

        void add(long first, List<UUID> batch) {
            long keep = keptFrom(first, batch.size());
            while (!firsts.isEmpty() && firsts.peekFirst() < keep) {
                firsts.pollFirst();
                for (UUID id : batches.pollFirst()) {
                    ids.merge(id, -1, (a, d) -> a + d == 0 ? null : a + d);
                    size--;
                }
            }
            firsts.addLast(first);
            batches.addLast(batch);
            for (UUID id : batch) ids.merge(id, 1, Integer::sum);
            size += batch.size();
        }

        boolean contains(UUID id) {
            return ids.containsKey(id);
        }

        int size() {
            return size;
        }

        long oldestFirstOffset() {
            return firsts.isEmpty() ? Long.MAX_VALUE : firsts.peekFirst();
        }
    }
}
