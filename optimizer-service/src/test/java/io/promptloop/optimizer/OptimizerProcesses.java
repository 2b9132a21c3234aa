package io.promptloop.optimizer;

import io.promptloop.testkit.ServiceJvm;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Optimizer replicas as child JVMs of the built service jar, on the test kit's infrastructure: for tests that kill
 * a replica or run several at once. Close it to kill every replica it started.
 */
public final class OptimizerProcesses implements AutoCloseable {

    private final List<ServiceJvm> started = new ArrayList<>();

    /** Starts {@code target/optimizer-service.jar} and waits until it is ready. */
    public ServiceJvm start(String name) {
        ServiceJvm jvm = ServiceJvm.start(
                name, Path.of("target", "optimizer-service.jar"), "512m", OptimizerTestSupport.serviceProperties());
        started.add(jvm);
        return jvm.awaitReady(Duration.ofMinutes(2));
    }

    @Override
    public void close() {
        started.forEach(ServiceJvm::close);
    }
}
