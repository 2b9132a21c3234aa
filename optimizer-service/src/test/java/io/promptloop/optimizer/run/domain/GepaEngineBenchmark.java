package io.promptloop.optimizer.run.domain;

import io.promptloop.optimizer.run.domain.Decision.NeedReflection;
import io.promptloop.optimizer.run.domain.Decision.NeedScores;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import java.util.stream.IntStream;

/**
 * Benchmark, not a test. Two parts, each "before" (the code before issue 12, kept verbatim in {@link
 * FromScratchParetoFront} and {@link ReplayingGepaEngine}) beside "after" in the same run:
 *
 * <ol>
 *   <li>one GEPA iteration's front update + parent choice for 1,000 candidates x 1,000 validation examples, next to
 *       a baseline (one pass over the score matrix, the least any from-scratch front computation must do): before,
 *       the fronts of the whole matrix; after, the 1,000th candidate added to the kept fronts ({@link
 *       IncrementalFront}), the selection and the draw;
 *   <li>the engine's step at run length: a run whose every child is accepted, stepped to 20 and to 2,000 accepted
 *       candidates; timed, the step that takes in the last child's validation (accept it, update the fronts, choose
 *       the next parent, ask for its minibatch scores): before, the replay from the start; after, the kept engine;
 *       and, for a replica that resumes the run, one replay with the new engine.
 * </ol>
 *
 * Run after {@code mvnl -pl optimizer-service -am test-compile}:
 *
 * <pre>java -cp optimizer-service/target/classes:optimizer-service/target/test-classes \
 *     io.promptloop.optimizer.run.domain.GepaEngineBenchmark [candidates] [examples] [repetitions] [run-examples]</pre>
 */
public final class GepaEngineBenchmark {

    public static void main(String[] args) {
        int candidates = args.length > 0 ? Integer.parseInt(args[0]) : 1_000;
        int examples = args.length > 1 ? Integer.parseInt(args[1]) : 1_000;
        int repetitions = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        int runExamples = args.length > 3 ? Integer.parseInt(args[3]) : 100;
        System.out.printf(
                "GEPA engine benchmark, %s: %d CPUs, %s %s, -Xmx %d MiB%n",
                Instant.now(),
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.name"),
                System.getProperty("java.version"),
                Runtime.getRuntime().maxMemory() >> 20);
        System.out.println("load average at start (1/5/15 min): " + BenchmarkConditions.loadAverage()
                + " — the machine is shared: other engineers' builds run beside this benchmark");
        long cpuStart = BenchmarkConditions.processCpuNanos();
        long wallStart = System.nanoTime();

        System.out.printf(
                "%nFront update + parent choice, %d candidates x %d examples, median of %d (after as many warm-up calls)%n",
                candidates, examples, repetitions);
        for (String kind : new String[] {"uniform scores in [0,1]", "scores in 11 steps (many ties)"}) {
            double[][] scores = matrix(candidates, examples, kind.startsWith("scores in 11"));
            long baseline = time(repetitions, () -> {
                double sum = 0;
                for (double[] row : scores) sum += ParetoFront.mean(row);
                return (int) sum;
            });
            SplittableRandom random = new SplittableRandom(1);
            long before =
                    time(repetitions, () -> FromScratchParetoFront.of(scores).sample(random));
            IncrementalFront upToLast = new IncrementalFront(FrontierType.INSTANCE, examples);
            for (int c = 0; c < candidates - 1; c++) upToLast.add(scores[c], Map.of());
            long after = time(repetitions, upToLast::copy, front -> {
                front.add(scores[candidates - 1], Map.of());
                return front.select().sample(random);
            });
            long rebuild = time(repetitions, () -> ParetoFront.of(scores).sample(random));
            var expected = FromScratchParetoFront.of(scores).frequency();
            IncrementalFront check = upToLast.copy();
            check.add(scores[candidates - 1], Map.of());
            boolean same =
                    new ArrayList<>(check.select().frequency().entrySet()).equals(new ArrayList<>(expected.entrySet()));
            System.out.printf(
                    "  %-32s front size %4d (same selection before/after: %s)%n"
                            + "    baseline matrix pass                  %9.3f ms%n"
                            + "    before: fronts of the whole matrix     %9.3f ms (%.1fx baseline)%n"
                            + "    after: add to the kept fronts, select  %9.3f ms (%.2fx baseline, before/after %.0fx)%n"
                            + "    after, rebuilt from the matrix (resume) %8.3f ms%n",
                    kind,
                    expected.size(),
                    same,
                    baseline / 1e6,
                    before / 1e6,
                    (double) before / baseline,
                    after / 1e6,
                    (double) after / baseline,
                    (double) before / after,
                    rebuild / 1e6);
        }

        System.out.printf(
                "%nEngine step at run length (%d validation examples, 30 train, minibatch 3, uniform validation scores,"
                        + " every child accepted)%n",
                runExamples);
        for (int length : new int[] {20, 2_000}) {
            StepAt step = stepAt(length, runExamples);
            Decision expected = new ReplayingGepaEngine().decide(step.snapshot());
            boolean same = expected.equals(step.kept().copy().decide(step.snapshot()));
            int replayReps = length > 200 ? 3 : repetitions;
            long before = time(
                    replayReps,
                    () -> new ReplayingGepaEngine().decide(step.snapshot()).hashCode());
            long after = time(
                    repetitions,
                    step.kept()::copy,
                    engine -> engine.decide(step.snapshot()).hashCode());
            long resume = time(
                    length > 200 ? 5 : repetitions,
                    () -> new GepaEngine().decide(step.snapshot()).hashCode());
            System.out.printf(
                    "  %,5d accepted candidates, %,5d iterations (same decision before/after: %s)%n"
                            + "    before: replay from the start          %11.3f ms (median of %d)%n"
                            + "    after: kept engine, one step           %11.3f ms (median of %d)%n"
                            + "    after: resume, one replay              %11.3f ms%n",
                    length,
                    step.snapshot().iterationsStarted(),
                    same,
                    before / 1e6,
                    replayReps,
                    after / 1e6,
                    repetitions,
                    resume / 1e6);
        }
        double wall = (System.nanoTime() - wallStart) / 1e9;
        System.out.printf(
                "%nload average at end (1/5/15 min): %s; this JVM used %.1f CPU-s in %.1f s of wall time%n",
                BenchmarkConditions.loadAverage(), (BenchmarkConditions.processCpuNanos() - cpuStart) / 1e9, wall);
    }

    /** A run stepped (with the new engine) until its {@code length}-th candidate's validation is in. */
    record StepAt(RunSnapshot snapshot, GepaEngine kept) {}

    private static StepAt stepAt(int length, int validationExamples) {
        List<String> train = IntStream.range(0, 30).mapToObj(i -> "t" + i).toList();
        List<String> validation =
                IntStream.range(0, validationExamples).mapToObj(i -> "v" + i).toList();
        GepaConfig config = new GepaConfig(Integer.MAX_VALUE, 3, 42, 0, null, 1.0);
        List<Candidate> candidates =
                new ArrayList<>(List.of(new Candidate(0, "seed", List.of(), Candidate.Origin.SEED)));
        List<Integer> depth = new ArrayList<>(List.of(0));
        Map<Integer, Map<String, Double>> scores = new HashMap<>();
        Map<Integer, Integer> reflections = new HashMap<>();
        SplittableRandom random = new SplittableRandom(7);
        GepaEngine kept = new GepaEngine();
        int iterationsStarted = 0;
        int spent = 0;
        int accepted = 1;
        for (; ; ) {
            RunSnapshot snapshot = new RunSnapshot(
                    config,
                    train,
                    validation,
                    candidates,
                    scores,
                    reflections,
                    iterationsStarted,
                    spent,
                    Duration.ZERO);
            if (accepted == length) return new StepAt(snapshot, kept);
            Decision d = kept.decide(snapshot);
            switch (d) {
                case NeedScores n -> {
                    iterationsStarted = Math.max(iterationsStarted, n.iteration() + 1);
                    spent += n.exampleIds().size();
                    for (String id : n.exampleIds()) {
                        // on train, every child beats its parent by a little (so it is accepted); validation uniform
                        double s = id.startsWith("t") ? 0.3 + depth.get(n.candidate()) * 1e-4 : random.nextDouble();
                        scores.computeIfAbsent(n.candidate(), k -> new HashMap<>())
                                .put(id, s);
                    }
                    if (n.purpose() == Decision.Purpose.CHILD_VALIDATION) accepted++;
                }
                case NeedReflection r -> {
                    iterationsStarted = Math.max(iterationsStarted, r.iteration() + 1);
                    int index = candidates.size();
                    candidates.add(new Candidate(index, "c" + index, List.of(r.parent()), Candidate.Origin.REFLECTION));
                    depth.add(depth.get(r.parent()) + 1);
                    reflections.put(r.iteration(), index);
                }
                default -> throw new IllegalStateException("unexpected " + d);
            }
        }
    }

    private static double[][] matrix(int candidates, int examples, boolean coarse) {
        SplittableRandom random = new SplittableRandom(42);
        double[][] m = new double[candidates][examples];
        for (double[] row : m) {
            for (int e = 0; e < examples; e++) row[e] = coarse ? random.nextInt(11) / 10.0 : random.nextDouble();
        }
        return m;
    }

    /** Median wall time of one call, in nanoseconds, after a warm-up of the same number of calls. */
    private static long time(int repetitions, IntSupplier work) {
        return time(repetitions, () -> null, ignored -> work.getAsInt());
    }

    /**
     * Median wall time of {@code work} on a fresh state from {@code prepare} (prepared outside the timed region),
     * after a warm-up of the same number of calls.
     */
    private static <S> long time(int repetitions, Supplier<S> prepare, java.util.function.ToIntFunction<S> work) {
        int sink = 0;
        for (int i = 0; i < repetitions; i++) sink += work.applyAsInt(prepare.get());
        long[] samples = new long[repetitions];
        for (int i = 0; i < repetitions; i++) {
            S state = prepare.get();
            long start = System.nanoTime();
            sink += work.applyAsInt(state);
            samples[i] = System.nanoTime() - start;
        }
        if (sink == 42) System.out.print("");
        Arrays.sort(samples);
        return samples[repetitions / 2];
    }
}
