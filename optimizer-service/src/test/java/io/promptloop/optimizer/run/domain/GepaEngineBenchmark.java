package io.promptloop.optimizer.run.domain;

import java.util.SplittableRandom;

/**
 * Benchmark, not a test: the cost of one GEPA iteration's front update and parent choice for 1,000 candidates x
 * 1,000 validation examples, next to a baseline measured in the same run (one pass over the score matrix, the least
 * any front computation must do). Run after {@code ./mvnw -pl optimizer-service test-compile}:
 *
 * <pre>java -cp optimizer-service/target/classes:optimizer-service/target/test-classes \
 *     io.promptloop.optimizer.run.domain.GepaEngineBenchmark [candidates] [examples] [repetitions]</pre>
 */
public final class GepaEngineBenchmark {

    public static void main(String[] args) {
        int candidates = args.length > 0 ? Integer.parseInt(args[0]) : 1_000;
        int examples = args.length > 1 ? Integer.parseInt(args[1]) : 1_000;
        int repetitions = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        System.out.printf(
                "GEPA engine benchmark: %d candidates x %d examples, %d repetitions, %d CPUs, %s %s%n",
                candidates,
                examples,
                repetitions,
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.name"),
                System.getProperty("java.version"));
        for (String kind : new String[] {"uniform scores in [0,1]", "scores in 11 steps (many ties)"}) {
            double[][] scores = matrix(candidates, examples, kind.startsWith("scores in 11"));
            long baseline = time(repetitions, () -> {
                double sum = 0;
                for (double[] row : scores) sum += ParetoFront.mean(row);
                return (int) sum;
            });
            SplittableRandom random = new SplittableRandom(1);
            long front = time(repetitions, () -> ParetoFront.of(scores).sample(random));
            ParetoFront f = ParetoFront.of(scores);
            System.out.printf(
                    "  %-32s front size %4d | baseline matrix pass %8.2f ms | front update + parent choice %8.2f ms (%.1fx)%n",
                    kind, f.frequency().size(), baseline / 1e6, front / 1e6, (double) front / baseline);
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
    private static long time(int repetitions, java.util.function.IntSupplier work) {
        int sink = 0;
        for (int i = 0; i < repetitions; i++) sink += work.getAsInt();
        long[] samples = new long[repetitions];
        for (int i = 0; i < repetitions; i++) {
            long start = System.nanoTime();
            sink += work.getAsInt();
            samples[i] = System.nanoTime() - start;
        }
        if (sink == 42) System.out.print("");
        java.util.Arrays.sort(samples);
        return samples[repetitions / 2];
    }
}
