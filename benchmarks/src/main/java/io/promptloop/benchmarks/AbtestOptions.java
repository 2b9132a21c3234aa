package io.promptloop.benchmarks;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Command-line options of {@link AbtestBenchmark}: {@code --name value} or {@code --name=value}.
 *
 * @param observations observations pre-produced for the throughput phase, counted by the service and by each baseline
 * @param tests running tests the pre-produced observations belong to (their ids are picked so that each lands on
 *     another partition of ab-observations, round robin)
 * @param latencyRate observations per second fed to each decision-latency test
 * @param latencyTests decision-latency repetitions (a fresh test each) per analysis interval
 * @param latencyMaxObservations at most this many observations per latency test (bounds the phase)
 * @param analysisIntervals promptloop.abtest.analysis.interval of the latency phase, one service run each
 * @param relayInterval promptloop.abtest.relay.interval of every service run
 * @param seed what the generated observations are made from
 * @param serviceHeap the service JVM's -Xmx
 * @param timeoutSeconds how long the service may take to count the pre-produced observations
 * @param serviceJar abtest-service's executable jar; null: abtest-service/target/abtest-service.jar
 */
record AbtestOptions(
        long observations,
        int tests,
        int latencyRate,
        int latencyTests,
        int latencyMaxObservations,
        List<Duration> analysisIntervals,
        Duration relayInterval,
        long seed,
        String serviceHeap,
        int timeoutSeconds,
        Path serviceJar,
        boolean help) {

    static final String USAGE = """
            usage: java -cp benchmarks/target/benchmarks.jar io.promptloop.benchmarks.AbtestBenchmark [options]
              --observations N         observations to pre-produce and count (default 200000; 0 skips the
                                       throughput phase)
              --tests T                running tests they belong to, one key each (default 6 = partitions of
                                       ab-observations)
              --latency-rate R         observations/s fed to each decision-latency test (default 500)
              --latency-tests K        decision-latency repetitions per analysis interval, a fresh test each
                                       (default 5; 0 skips the latency phase)
              --latency-max M          at most M observations per latency test (default 10000)
              --analysis-interval L    comma-separated promptloop.abtest.analysis.interval values, one service
                                       run of the latency phase each (default 2s,200ms; 2s is the service's
                                       default)
              --relay-interval D       promptloop.abtest.relay.interval (default 200ms, the service's default)
              --seed X                 seed of the generated observations (default 42)
              --service-heap H         abtest-service -Xmx (default 512m)
              --timeout-seconds T      limit for the service to count the pre-produced observations (default 900)
              --service-jar PATH       default abtest-service/target/abtest-service.jar next to this module
            """;

    static AbtestOptions parse(String... args) {
        long observations = 200_000;
        int tests = 6;
        int latencyRate = 500;
        int latencyTests = 5;
        int latencyMax = 10_000;
        List<Duration> intervals = List.of(Duration.ofSeconds(2), Duration.ofMillis(200));
        Duration relay = Duration.ofMillis(200);
        long seed = 42;
        String serviceHeap = "512m";
        int timeoutSeconds = 900;
        Path serviceJar = null;
        boolean help = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--help") || arg.equals("-h")) {
                help = true;
                continue;
            }
            if (!arg.startsWith("--")) throw new IllegalArgumentException("unexpected argument '" + arg + "'");
            String name;
            String value;
            int eq = arg.indexOf('=');
            if (eq > 0) {
                name = arg.substring(2, eq);
                value = arg.substring(eq + 1);
            } else {
                name = arg.substring(2);
                if (i + 1 >= args.length) throw new IllegalArgumentException("--" + name + " needs a value");
                value = args[++i];
            }
            try {
                switch (name) {
                    case "observations" -> observations = nonNegative(name, Long.parseLong(value.replace("_", "")));
                    case "tests" -> tests = (int) positive(name, Integer.parseInt(value));
                    case "latency-rate" -> latencyRate = (int) positive(name, Integer.parseInt(value));
                    case "latency-tests" -> latencyTests = (int) nonNegative(name, Integer.parseInt(value));
                    case "latency-max" -> latencyMax = (int) positive(name, Integer.parseInt(value.replace("_", "")));
                    case "analysis-interval", "analysis-intervals" -> {
                        List<Duration> parsed = new ArrayList<>();
                        for (String part : value.split(",")) parsed.add(duration(name, part.strip()));
                        intervals = List.copyOf(parsed);
                    }
                    case "relay-interval" -> relay = duration(name, value);
                    case "seed" -> seed = Long.parseLong(value);
                    case "service-heap" -> serviceHeap = value;
                    case "timeout-seconds" -> timeoutSeconds = (int) positive(name, Integer.parseInt(value));
                    case "service-jar" -> serviceJar = Path.of(value);
                    default -> throw new IllegalArgumentException("unknown option --" + name);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--" + name + " must be a number, was '" + value + "'");
            }
        }
        return new AbtestOptions(
                observations,
                tests,
                latencyRate,
                latencyTests,
                latencyMax,
                intervals,
                relay,
                seed,
                serviceHeap,
                timeoutSeconds,
                serviceJar,
                help);
    }

    /** {@code 200ms}, {@code 2s}, {@code 1m}: the Spring Boot duration forms this benchmark passes on. */
    static Duration duration(String name, String value) {
        var m = java.util.regex.Pattern.compile("(\\d+)(ms|s|m)")
                .matcher(value.strip().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("--" + name + " must look like 200ms, 2s or 1m, was '" + value + "'");
        }
        long amount = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            default -> Duration.ofMinutes(amount);
        };
        if (d.isZero()) throw new IllegalArgumentException("--" + name + " must be positive");
        return d;
    }

    /** The Spring Boot form of a duration: {@code 200ms} or {@code 2s}. */
    static String spring(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }

    private static long positive(String name, long value) {
        if (value <= 0) throw new IllegalArgumentException("--" + name + " must be positive, was " + value);
        return value;
    }

    private static long nonNegative(String name, long value) {
        if (value < 0) throw new IllegalArgumentException("--" + name + " must not be negative, was " + value);
        return value;
    }
}
