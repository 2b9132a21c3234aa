package io.promptloop.abtest.observation.domain;

import java.lang.management.ManagementFactory;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * Benchmark, not a test: the de-duplication window's heap per id and its time per observation (a look-up, then the
 * batch added), against the same-run baseline of the first version's structure (a {@code HashSet<UUID>} of the ids
 * and a queue of the batches, which keeps every id as an object for the window's length).
 *
 * <pre>
 * ./mvnw -pl abtest-service -am test-compile
 * java -XX:+UseSerialGC -Xmx2g -cp abtest-service/target/test-classes:abtest-service/target/classes \
 *     io.promptloop.abtest.observation.domain.RecentEventIdsBenchmark [ids-per-partition] [batch] [partitions] [rounds]
 * </pre>
 *
 * Heap: used heap after repeated {@code System.gc()} with the windows alive, minus before them, divided by the ids
 * they hold (approximate: {@code Runtime} figures; run with {@code -XX:+UseSerialGC} for stable ones). Time: random
 * ids generated inside the clock for both alike; each round builds fresh windows.
 */
public final class RecentEventIdsBenchmark {

    private RecentEventIdsBenchmark() {}

    /** The first version's structure, the baseline. */
    private static final class HashSetWindow implements Window {
        private final int capacity;
        private final ArrayDeque<List<UUID>> batches = new ArrayDeque<>();
        private final Set<UUID> ids = new HashSet<>();

        HashSetWindow(int capacity) {
            this.capacity = capacity;
        }

        @Override
        public boolean contains(UUID id) {
            return ids.contains(id);
        }

        @Override
        public void add(long firstOffset, List<UUID> batch) {
            while (!batches.isEmpty()
                    && ids.size() + batch.size() - batches.peekFirst().size() >= capacity) {
                batches.pollFirst().forEach(ids::remove);
            }
            batches.addLast(batch);
            ids.addAll(batch);
        }

        @Override
        public int size() {
            return ids.size();
        }
    }

    private interface Window {
        boolean contains(UUID id);

        void add(long firstOffset, List<UUID> batch);

        int size();
    }

    public static void main(String[] args) {
        int capacity = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 1_000;
        int partitions = args.length > 2 ? Integer.parseInt(args[2]) : 6;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        long perRound = 5L * capacity * partitions;
        System.out.printf(
                Locale.ROOT,
                "de-duplication window: %,d ids per partition, batches of %,d, %d partitions, %,d ids per round; %s %s,"
                        + " %d CPUs, %s%n",
                capacity,
                batch,
                partitions,
                perRound,
                System.getProperty("java.vm.name"),
                System.getProperty("java.vm.version"),
                Runtime.getRuntime().availableProcessors(),
                ManagementFactory.getRuntimeMXBean().getInputArguments());
        for (int round = 1; round <= rounds; round++) {
            for (String kind : List.of("HashSet<UUID> (baseline)", "RecentEventIds")) {
                long before = usedAfterGc();
                Window[] windows = new Window[partitions];
                for (int p = 0; p < partitions; p++)
                    windows[p] = kind.startsWith("Hash") ? new HashSetWindow(capacity) : ours(capacity);
                SplittableRandom random = new SplittableRandom(round);
                long found = 0;
                long start = System.nanoTime();
                long offset = 0;
                for (long n = 0; n < perRound; n += batch) {
                    Window w = windows[(int) ((n / batch) % partitions)];
                    List<UUID> ids = new ArrayList<>(batch);
                    for (int i = 0; i < batch; i++) {
                        UUID id = new UUID(random.nextLong(), random.nextLong());
                        if (w.contains(id)) found++;
                        ids.add(id);
                    }
                    w.add(offset, ids);
                    offset += batch;
                }
                long nanos = System.nanoTime() - start;
                long held = 0;
                for (Window w : windows) held += w.size();
                long heap = usedAfterGc() - before;
                System.out.printf(
                        Locale.ROOT,
                        "round %d %-26s %,6.0f ns per observation (look-up + add), heap %,7.1f MB for %,d ids held ="
                                + " %5.1f bytes/id (%d found)%n",
                        round,
                        kind,
                        nanos / (double) perRound,
                        heap / 1e6,
                        held,
                        heap / (double) held,
                        found);
                if (windows[0].size() < 0) System.out.println("unreachable"); // keeps the windows alive to here
            }
        }
    }

    private static Window ours(int capacity) {
        RecentEventIds w = new RecentEventIds(capacity);
        return new Window() {
            public boolean contains(UUID id) {
                return w.contains(id);
            }

            public void add(long firstOffset, List<UUID> batch) {
                w.add(new RecentEventIds.Batch(firstOffset, batch));
            }

            public int size() {
                return w.size();
            }
        };
    }

    private static long usedAfterGc() {
        Runtime runtime = Runtime.getRuntime();
        for (int i = 0; i < 5; i++) System.gc();
        return runtime.totalMemory() - runtime.freeMemory();
    }
}
