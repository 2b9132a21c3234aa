package io.promptloop.benchmarks;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The options every service benchmark takes (a picocli mixin): the seed, the service JVM's heap, jar and extra
 * properties, and how long its main phase may take. Each benchmark sets its own defaults through the constructor.
 */
final class ServiceOptions {

    @Option(names = "--seed", paramLabel = "X", description = "seed of the generated events (default ${DEFAULT-VALUE})")
    long seed = 42;

    @Option(names = "--service-heap", paramLabel = "H", description = "the service's -Xmx (default ${DEFAULT-VALUE})")
    String serviceHeap;

    @Option(
            names = "--timeout-seconds",
            paramLabel = "T",
            description = "limit for the service to take in the pre-produced events (default ${DEFAULT-VALUE})")
    int timeoutSeconds;

    @Option(
            names = "--service-jar",
            paramLabel = "PATH",
            description = "the service's executable jar (default <service>/target/<service>.jar next to this module)")
    Path serviceJar;

    @Option(
            names = "--service-property",
            paramLabel = "K=V",
            description = "a property passed to every run of the service (--K=V), e.g."
                    + " spring.kafka.consumer.max-poll-records=5000; repeatable (default: none, the jar's"
                    + " application.yaml)")
    java.util.Map<String, String> serviceProperties = new java.util.LinkedHashMap<>();

    @Option(
            names = "--service-jvm-option",
            paramLabel = "OPT",
            description = "an option for the service's JVM, after -Xmx, e.g. -XX:G1HeapRegionSize=4m; repeatable"
                    + " (default: none)")
    java.util.List<String> serviceJvmOptions = new java.util.ArrayList<>();

    ServiceOptions(String serviceHeap, int timeoutSeconds) {
        this.serviceHeap = serviceHeap;
        this.timeoutSeconds = timeoutSeconds;
    }

    /** The service JVM's options: -Xmx and those given with --service-jvm-option. */
    java.util.List<String> jvm() {
        java.util.List<String> jvm = new java.util.ArrayList<>();
        jvm.add("-Xmx" + serviceHeap);
        jvm.addAll(serviceJvmOptions);
        return jvm;
    }

    void validate() {
        Harness.positive("--timeout-seconds", timeoutSeconds);
    }
}
