package io.promptloop.benchmarks;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Command-line options of {@link IngestBenchmark} (picocli: {@code --name value} or {@code --name=value}). */
@Command(
        name = "java -jar benchmarks/target/benchmarks.jar",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description =
                "Benchmark of ingest-service against same-run JDBC and COPY baselines (see benchmarks/README.md).")
final class IngestOptions implements Harness.Validated {

    @Mixin
    final ServiceOptions service = new ServiceOptions("1g", 1_200);

    @Mixin
    final PeerOptions peer = new PeerOptions();

    @Option(
            names = "--events",
            paramLabel = "N",
            converter = Harness.Count.class,
            description = "TurnRecorded events to pre-produce and store (default ${DEFAULT-VALUE})")
    long events = 1_000_000;

    @Option(
            names = "--latency-seconds",
            paramLabel = "S",
            description = "fixed-rate latency phase length, 0 to skip (default ${DEFAULT-VALUE})")
    int latencySeconds = 30;

    @Option(
            names = "--latency-rate",
            paramLabel = "R",
            description = "events/s in the latency phase (default ${DEFAULT-VALUE})")
    int latencyRate = 5_000;

    @Option(
            names = "--concurrent-sessions",
            paramLabel = "C",
            description = "sessions interleaved in the stream (default ${DEFAULT-VALUE})")
    int concurrentSessions = 1_000;

    @Option(
            names = "--compression",
            paramLabel = "C",
            description = "producer compression.type (default ${DEFAULT-VALUE}: the test kit's broker has no"
                    + " lz4/snappy/zstd on its classpath; gzip works)")
    String compression = "none";

    @Option(
            names = "--heap-sampler",
            paramLabel = "M",
            description = "jstat (default: reads hsperfdata, no load on the service) or actuator (jvm.memory.used"
                    + " over HTTP Basic: one BCrypt check per request)")
    HeapSampler.Kind heapSampler = HeapSampler.Kind.jstat;

    @Option(
            names = "--profile",
            description = "record the service's throughput phase with JFR (jcmd) and print its hot methods (adds a"
                    + " little load: use for diagnosis, not for the figures)")
    boolean profile;

    @Option(
            names = "--copy-before",
            negatable = true,
            defaultValue = "true",
            fallbackValue = "true",
            description = "also time the COPY baseline before the service phase and compare the service with the"
                    + " mean of both COPY runs: this machine's speed drifts by 20-30 %% between phases (default"
                    + " ${DEFAULT-VALUE}; --no-copy-before saves about a minute)")
    boolean copyBefore = true;

    @Override
    public void validate() {
        Harness.positive("--events", events);
        Harness.nonNegative("--latency-seconds", latencySeconds);
        Harness.positive("--latency-rate", latencyRate);
        Harness.positive("--concurrent-sessions", concurrentSessions);
        service.validate();
        peer.validate();
    }

    boolean copyBefore() {
        return copyBefore;
    }

    long events() {
        return events;
    }

    int latencySeconds() {
        return latencySeconds;
    }

    int latencyRate() {
        return latencyRate;
    }

    int concurrentSessions() {
        return concurrentSessions;
    }

    String compression() {
        return compression;
    }

    HeapSampler.Kind heapSampler() {
        return heapSampler;
    }

    boolean profile() {
        return profile;
    }
}
