package io.promptloop.optimizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Optimizer replicas as child JVMs of the built service jar, on the test kit's infrastructure: for tests that kill
 * a replica or run several at once. Close it to kill every replica it started.
 */
public final class OptimizerProcesses implements AutoCloseable {

    private final List<Process> started = new ArrayList<>();

    /** Starts {@code target/optimizer-service.jar} on {@code port}, logging to {@code target/promptloop-testkit/<name>.log}. */
    public Process start(String name, int port) {
        Path jar = Path.of("target", "optimizer-service.jar");
        assertThat(jar).as("the service jar is built before integration tests").exists();
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "-Xmx512m", "-jar", jar.toString()));
        OptimizerTestSupport.serviceProperties().forEach((k, v) -> command.add("--" + k + "=" + v));
        command.add("--server.port=" + port);
        try {
            Path log = Files.createDirectories(Path.of("target", "promptloop-testkit"))
                    .resolve(name + ".log");
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            started.add(process);
            return process;
        } catch (java.io.IOException e) {
            throw new IllegalStateException("could not start " + name, e);
        }
    }

    public static void awaitReady(int port) {
        await().atMost(Duration.ofMinutes(2))
                .pollInterval(Duration.ofMillis(250))
                .ignoreExceptions()
                .until(() -> OptimizerTestSupport.call(port, "GET", "/actuator/health/readiness", null, null)
                                .statusCode()
                        == 200);
    }

    public static int freePort() {
        try (var socket = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** SIGKILL, as a node failure would. */
    public static void kill(Process process) throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        for (Process p : started) kill(p);
    }
}
