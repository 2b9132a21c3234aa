package io.promptloop.optimizer.reflection.domain;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Candidate instructions that show the agent demonstrations taken from its own high-scoring traces.
 *
 * <p>The traces at or above the score threshold form the pool, best score first (ties by example id; one per
 * example). The first candidate appends the top {@code maxDemos} of the pool; the following ones are
 * alternative demo sets, each a seeded shuffle of the pool cut to a size drawn uniformly from 1 to
 * {@code maxDemos}, shown best first. Source: Khattab et al., "DSPy: Compiling Declarative Language Model Calls
 * into Self-Improving Pipelines" (2023), teleprompters {@code BootstrapFewShot} (demonstrations from traces
 * that pass the metric) and {@code BootstrapFewShotWithRandomSearch} (seeded shuffles and random demo counts
 * as alternative candidates).
 */
public final class BootstrapFewShot {

    public static final String EXAMPLES_HEADER = "Examples of good answers:";
    public static final int DEFAULT_MAX_DEMOS = 4;
    public static final double DEFAULT_THRESHOLD = 0.8;

    /** Draws per wanted candidate before giving up: small pools have few distinct demo sets. */
    private static final int ATTEMPTS_PER_CANDIDATE = 32;

    private static final Comparator<ReflectionExample> BEST_FIRST =
            Comparator.comparingDouble(ReflectionExample::score).reversed().thenComparing(ReflectionExample::exampleId);

    private final String baseInstruction;
    private final List<ReflectionExample> pool;
    private final int maxDemos;
    private final long seed;

    public BootstrapFewShot(String baseInstruction, List<ReflectionExample> traces, long seed) {
        this(baseInstruction, traces, DEFAULT_MAX_DEMOS, DEFAULT_THRESHOLD, seed);
    }

    /**
     * @param baseInstruction the instruction to extend; an examples block it already ends with is replaced
     * @param traces evaluated examples; those with a blank output are never shown
     * @param maxDemos most demonstrations per candidate
     * @param threshold lowest score of a trace that may serve as a demonstration
     * @param seed seed of the alternative demo sets
     */
    public BootstrapFewShot(
            String baseInstruction, List<ReflectionExample> traces, int maxDemos, double threshold, long seed) {
        Objects.requireNonNull(baseInstruction, "baseInstruction");
        if (maxDemos < 1) throw new IllegalArgumentException("maxDemos must be >= 1, was " + maxDemos);
        if (!Double.isFinite(threshold)) throw new IllegalArgumentException("threshold must be finite");
        this.baseInstruction = withoutExamples(baseInstruction);
        this.maxDemos = maxDemos;
        this.seed = seed;
        Map<String, ReflectionExample> bestPerExample = new LinkedHashMap<>();
        traces.stream()
                .filter(t -> t.score() >= threshold && !t.output().isBlank())
                .sorted(BEST_FIRST)
                .forEach(t -> bestPerExample.putIfAbsent(t.exampleId(), t));
        this.pool = List.copyOf(bestPerExample.values());
    }

    /** The traces that may serve as demonstrations, best first. */
    public List<ReflectionExample> pool() {
        return pool;
    }

    /**
     * Up to {@code count} distinct candidate instructions; the first holds the top-scoring demo set. Empty when no
     * trace reaches the threshold. The same seed gives the same list, and a longer list extends a shorter one.
     */
    public List<String> candidates(int count) {
        if (count < 0) throw new IllegalArgumentException("count must be >= 0, was " + count);
        if (count == 0 || pool.isEmpty()) return List.of();
        int most = Math.min(maxDemos, pool.size());
        Set<String> candidates = new LinkedHashSet<>();
        candidates.add(render(baseInstruction, pool.subList(0, most)));
        SplittableRandom random = new SplittableRandom(seed);
        for (int attempt = 0; candidates.size() < count && attempt < ATTEMPTS_PER_CANDIDATE * count; attempt++) {
            List<ReflectionExample> shuffled = new ArrayList<>(pool);
            for (int i = shuffled.size() - 1; i > 0; i--) { // Fisher–Yates
                int j = random.nextInt(i + 1);
                shuffled.set(j, shuffled.set(i, shuffled.get(j)));
            }
            int size = 1 + random.nextInt(most);
            List<ReflectionExample> demos = new ArrayList<>(shuffled.subList(0, size));
            demos.sort(BEST_FIRST);
            candidates.add(render(baseInstruction, demos));
        }
        return List.copyOf(candidates);
    }

    /** The instruction followed by an examples block of Input:/Output: pairs. */
    static String render(String instruction, List<ReflectionExample> demos) {
        StringBuilder s = new StringBuilder(instruction.stripTrailing());
        if (!s.isEmpty()) s.append("\n\n");
        s.append(EXAMPLES_HEADER).append('\n');
        for (int i = 0; i < demos.size(); i++) {
            if (i > 0) s.append('\n');
            s.append("Input: ").append(demos.get(i).input().strip()).append('\n');
            s.append("Output: ").append(demos.get(i).output().strip()).append('\n');
        }
        return s.toString().stripTrailing();
    }

    /** A candidate of this kind re-bootstrapped gets a fresh examples block, not a second one. */
    private static String withoutExamples(String instruction) {
        if (instruction.startsWith(EXAMPLES_HEADER + "\n")) return "";
        int block = instruction.indexOf("\n\n" + EXAMPLES_HEADER + "\n");
        return block < 0 ? instruction : instruction.substring(0, block);
    }
}
