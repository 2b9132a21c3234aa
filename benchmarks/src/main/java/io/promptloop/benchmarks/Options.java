package io.promptloop.benchmarks;

import java.nio.file.Path;

/**
 * Command-line options of {@link IngestBenchmark}: {@code --name value} or {@code --name=value}.
 *
 * @param events TurnRecorded events pre-produced, stored by the service and by each baseline
 * @param latencySeconds how long the fixed-rate latency phase publishes (0 skips it)
 * @param latencyRate events per second in the latency phase
 * @param seed what the generated events are made from
 * @param concurrentSessions sessions whose turns are interleaved
 * @param serviceHeap the service JVM's -Xmx
 * @param timeoutSeconds how long the service may take to store the pre-produced events
 * @param serviceJar ingest-service's executable jar; null: ingest-service/target/ingest-service.jar
 * @param compression the producers' compression.type
 * @param heapSampler how the service's heap is sampled every 500 ms: jstat (default) or actuator
 * @param profile whether to record the service's throughput phase with JDK Flight Recorder (via jcmd)
 */
record Options(
        long events,
        int latencySeconds,
        int latencyRate,
        long seed,
        int concurrentSessions,
        String serviceHeap,
        int timeoutSeconds,
        Path serviceJar,
        String compression,
        String heapSampler,
        boolean profile,
        boolean help) {

    static final String USAGE = """
            usage: java -jar benchmarks/target/benchmarks.jar [options]
              --events N               TurnRecorded events to pre-produce and store (default 1000000)
              --latency-seconds S      fixed-rate latency phase length, 0 to skip (default 30)
              --latency-rate R         events/s in the latency phase (default 5000)
              --seed X                 seed of the generated events (default 42)
              --concurrent-sessions C  sessions interleaved in the stream (default 1000)
              --service-heap H         ingest-service -Xmx (default 1g)
              --timeout-seconds T      limit for the service to store the events (default 1200)
              --service-jar PATH       default ingest-service/target/ingest-service.jar next to this module
              --compression C          producer compression.type (default none: the test kit's broker has no
                                       lz4/snappy/zstd on its classpath; gzip works)
              --heap-sampler M         jstat (default: reads hsperfdata, no load on the service) or actuator
                                       (jvm.memory.used over HTTP Basic: one BCrypt check per request)
              --profile                record the service's throughput phase with JFR (jcmd) and print its hot
                                       methods (adds a little load: use for diagnosis, not for the figures)
            """;

    static Options parse(String... args) {
        long events = 1_000_000;
        int latencySeconds = 30;
        int latencyRate = 5_000;
        long seed = 42;
        int concurrentSessions = 1_000;
        String serviceHeap = "1g";
        int timeoutSeconds = 1_200;
        Path serviceJar = null;
        String compression = "none";
        String heapSampler = "jstat";
        boolean profile = false;
        boolean help = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--help") || arg.equals("-h")) {
                help = true;
                continue;
            }
            if (arg.equals("--profile")) {
                profile = true;
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
                    case "events" -> events = positive(name, Long.parseLong(value.replace("_", "")));
                    case "latency-seconds" -> latencySeconds = (int) nonNegative(name, Integer.parseInt(value));
                    case "latency-rate" -> latencyRate = (int) positive(name, Integer.parseInt(value));
                    case "seed" -> seed = Long.parseLong(value);
                    case "concurrent-sessions" -> concurrentSessions = (int) positive(name, Integer.parseInt(value));
                    case "service-heap" -> serviceHeap = value;
                    case "timeout-seconds" -> timeoutSeconds = (int) positive(name, Integer.parseInt(value));
                    case "service-jar" -> serviceJar = Path.of(value);
                    case "compression" -> compression = value;
                    case "heap-sampler" -> {
                        if (!value.equals("jstat") && !value.equals("actuator")) {
                            throw new IllegalArgumentException("--heap-sampler must be jstat or actuator");
                        }
                        heapSampler = value;
                    }
                    default -> throw new IllegalArgumentException("unknown option --" + name);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--" + name + " must be a number, was '" + value + "'");
            }
        }
        return new Options(
                events,
                latencySeconds,
                latencyRate,
                seed,
                concurrentSessions,
                serviceHeap,
                timeoutSeconds,
                serviceJar,
                compression,
                heapSampler,
                profile,
                help);
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
