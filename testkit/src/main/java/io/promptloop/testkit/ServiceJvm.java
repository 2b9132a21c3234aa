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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A promptloop service jar running as a child JVM (a replica of its own) with Spring properties as arguments, on
 * free API and management ports, logging to a file: for tests that kill a replica, run several at once, or stop
 * one with SIGTERM. Close it to kill the JVM.
 */
public final class ServiceJvm implements AutoCloseable {

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final Process process;
    private final int port;
    private final int managementPort;
    private final Path log;

    private ServiceJvm(String name, Process process, int port, int managementPort, Path log) {
        this.name = name;
        this.process = process;
        this.port = port;
        this.managementPort = managementPort;
        this.log = log;
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
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "-Xmx" + maxHeap, "-jar", jar.toString()));
        properties.forEach((k, v) -> {
            if (!k.equals("server.port") && !k.equals("management.server.port")) command.add("--" + k + "=" + v);
        });
        command.add("--server.port=" + port);
        command.add("--management.server.port=" + managementPort);
        command.addAll(List.of(extraArguments));
        try {
            Path log = Files.createDirectories(Path.of("target", "promptloop-testkit"))
                    .resolve(name + ".log");
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            return new ServiceJvm(name, process, port, managementPort, log);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + name, e);
        }
    }

    public String name() {
        return name;
    }

    public Process process() {
        return process;
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
        return log;
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
                throw new IllegalStateException(name + " exited with " + process.exitValue() + ":\n" + tail());
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

    /** SIGKILL, as a node failure would. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** SIGTERM, then waits up to {@code timeout}; returns whether the JVM ended in that time. */
    public boolean terminate(Duration timeout) throws InterruptedException {
        process.destroy();
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The last lines of the log, for failure messages. */
    public String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) kill();
    }
}
