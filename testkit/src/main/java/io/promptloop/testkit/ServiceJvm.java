package io.promptloop.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A promptloop service jar running as a child JVM (a replica of its own) with Spring properties as arguments, on
 * free API and management ports, logging to a file: for tests that kill a replica, run several at once, or stop
 * one with SIGTERM. Close it to kill the JVM. Launched and ended through {@link ChildProcess}, the test kit's one
 * process launcher (so a test JVM that dies leaves no replica behind).
 */
public final class ServiceJvm implements AutoCloseable {

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final ChildProcess process;
    private final int port;
    private final int managementPort;

    private ServiceJvm(String name, ChildProcess process, int port, int managementPort) {
        this.name = name;
        this.process = process;
        this.port = port;
        this.managementPort = managementPort;
    }

    /**
     * Starts {@code jar} with {@code properties} (as {@code --key=value}) plus {@code extraArguments}, logging to
     * {@code target/promptloop-testkit/<name>.log}.
     */
    public static ServiceJvm start(
            String name, Path jar, String maxHeap, Map<String, ?> properties, String... extraArguments) {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: the service jar is built before integration tests");
        }
        int port = FreePorts.orFree(0);
        int managementPort = FreePorts.orFree(0);
        List<String> command = JarJvmOptions.javaCommand(jar, List.of("-Xmx" + maxHeap), List.of());
        properties.forEach((k, v) -> {
            if (!k.equals("server.port") && !k.equals("management.server.port")) command.add("--" + k + "=" + v);
        });
        command.add("--server.port=" + port);
        command.add("--management.server.port=" + managementPort);
        command.addAll(List.of(extraArguments));
        Path log = Path.of("target", "promptloop-testkit", name + ".log");
        try {
            Files.deleteIfExists(log); // a fresh log per start: tail() shows this JVM only
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the old log " + log, e);
        }
        return new ServiceJvm(name, ChildProcess.start(name, command, Path.of("."), log), port, managementPort);
    }

    public String name() {
        return name;
    }

    public ChildProcess process() {
        return process;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The API port. */
    public int port() {
        return port;
    }

    /** The management port: health and metrics, no credentials. */
    public int managementPort() {
        return managementPort;
    }

    public Path log() {
        return process.logFile();
    }

    /** The HTTP status of {@code GET /actuator/health/readiness}, or -1 when nothing answers. */
    public int readinessStatus() {
        try {
            var request = HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + managementPort + "/actuator/health/readiness"))
                    .timeout(Duration.ofSeconds(3))
                    .build();
            return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** Waits until readiness answers 200; fails with the end of the log if the JVM dies or time runs out. */
    public ServiceJvm awaitReady(Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " ended (" + process.exitDescription() + "):\n" + tail());
            }
            if (readinessStatus() == 200) return this;
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
        throw new IllegalStateException(name + " was not ready within " + timeout + ":\n" + tail());
    }

    /** SIGKILL, as a node failure would; returns once the JVM is gone. */
    public void kill() {
        ChildProcess.killTree(process.handle());
    }

    /**
     * SIGTERM, then waits up to {@code timeout}; returns whether the JVM ended in that time (if it did not, it is
     * killed, so a failing test leaves nothing running).
     */
    public boolean terminate(Duration timeout) {
        return process.stop(timeout);
    }

    /** The last lines of the log, for failure messages. */
    public String tail() {
        return ChildProcess.tail(process.logFile(), 40);
    }

    @Override
    public void close() {
        if (process.isAlive()) kill();
        process.stop(Duration.ZERO); // ends the watchdog too
    }
}
