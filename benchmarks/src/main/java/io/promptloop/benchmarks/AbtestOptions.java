package io.promptloop.benchmarks;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Command-line options of {@link AbtestBenchmark} (picocli: {@code --name value} or {@code --name=value}). */
@Command(
        name = "java -cp benchmarks/target/benchmarks.jar io.promptloop.benchmarks.AbtestBenchmark",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = "Benchmark of abtest-service: observation intake against same-run JDBC baselines, and the"
                + " decision latency (see benchmarks/README.md).")
final class AbtestOptions implements Harness.Validated {

    @Mixin
    final ServiceOptions service = new ServiceOptions("512m", 900);

    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m)");

    @Option(
            names = "--observations",
            paramLabel = "N",
            converter = Harness.Count.class,
            description = "observations to pre-produce and count (default ${DEFAULT-VALUE}; 0 skips the throughput"
                    + " phase)")
    long observations = 200_000;

    @Option(
            names = "--warm-observations",
            paramLabel = "W",
            converter = Harness.Count.class,
            description = "observations of other tests produced before the N and counted first, so that the N are"
                    + " timed in a JVM whose JIT has compiled the intake (default ${DEFAULT-VALUE}: none, the N are"
                    + " timed from a cold start)")
    long warmObservations = 0;

    @Option(
            names = "--tests",
            paramLabel = "T",
            description = "running tests they belong to, one key each (default ${DEFAULT-VALUE} = partitions of"
                    + " ab-observations)")
    int tests = 6;

    @Option(
            names = "--latency-rate",
            paramLabel = "R",
            description = "observations/s fed to each decision-latency test (default ${DEFAULT-VALUE})")
    int latencyRate = 500;

    @Option(
            names = "--latency-tests",
            paramLabel = "K",
            description = "decision-latency repetitions per analysis interval, a fresh test each (default"
                    + " ${DEFAULT-VALUE}; 0 skips the latency phase)")
    int latencyTests = 5;

    @Option(
            names = "--latency-max",
            paramLabel = "M",
            converter = Harness.Count.class,
            description = "at most M observations per latency test (default ${DEFAULT-VALUE})")
    long latencyMaxObservations = 10_000;

    @Option(
            names = {"--analysis-interval", "--analysis-intervals"},
            paramLabel = "L",
            split = ",",
            converter = SpringDuration.class,
            description = "promptloop.abtest.analysis.interval values, one service run of the latency phase each"
                    + " (default 2s,200ms; 2s is the service's default)")
    List<Duration> analysisIntervals = List.of(Duration.ofSeconds(2), Duration.ofMillis(200));

    @Option(
            names = "--relay-interval",
            paramLabel = "D",
            converter = SpringDuration.class,
            description = "promptloop.abtest.relay.interval (default 200ms, the service's default)")
    Duration relayInterval = Duration.ofMillis(200);

    @Override
    public void validate() {
        Harness.nonNegative("--observations", observations);
        Harness.nonNegative("--warm-observations", warmObservations);
        Harness.positive("--tests", tests);
        Harness.positive("--latency-rate", latencyRate);
        Harness.nonNegative("--latency-tests", latencyTests);
        Harness.positive("--latency-max", latencyMaxObservations);
        service.validate();
        if (analysisIntervals.isEmpty()) throw new IllegalArgumentException("--analysis-interval needs a value");
    }

    /** {@code 200ms}, {@code 2s}, {@code 1m}: the Spring Boot duration forms this benchmark passes on. */
    static final class SpringDuration implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            Matcher m = DURATION.matcher(value.strip().toLowerCase(Locale.ROOT));
            if (!m.matches()) {
                throw new IllegalArgumentException("must look like 200ms, 2s or 1m, was '" + value + "'");
            }
            long amount = Long.parseLong(m.group(1));
            Duration d = switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                default -> Duration.ofMinutes(amount);
            };
            if (d.isZero()) throw new IllegalArgumentException("must be positive, was '" + value + "'");
            return d;
        }
    }

    /** The Spring Boot form of a duration: {@code 200ms} or {@code 2s}. */
    static String spring(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }

    long observations() {
        return observations;
    }

    long warmObservations() {
        return warmObservations;
    }

    int tests() {
        return tests;
    }

    int latencyRate() {
        return latencyRate;
    }

    int latencyTests() {
        return latencyTests;
    }

    int latencyMaxObservations() {
        return Math.toIntExact(latencyMaxObservations);
    }

    List<Duration> analysisIntervals() {
        return analysisIntervals;
    }

    java.util.Map<String, String> serviceProperties() {
        return service.serviceProperties;
    }

    Duration relayInterval() {
        return relayInterval;
    }
}
