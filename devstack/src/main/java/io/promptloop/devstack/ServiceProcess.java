package io.promptloop.devstack;

import io.promptloop.testkit.ChildProcess;
import io.promptloop.testkit.JarJvmOptions;
import java.io.IOException;
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
 * A promptloop service ({@code java -jar <service>.jar}) that the dev stack started with the test kit's launcher
 * ({@link ChildProcess}): configured by environment variables, its output appended to its own log file, stopped by
 * its own pid only, and ended by the launcher's watchdog if the dev stack dies without stopping it (kill -9).
 */
final class ServiceProcess {

    private static final Duration POLL = Duration.ofMillis(500);

    private final String name;
    private final int port;
    private final int managementPort;
    private final ChildProcess process;

    private ServiceProcess(String name, int port, int managementPort, ChildProcess process) {
        this.name = name;
        this.port = port;
        this.managementPort = managementPort;
        this.process = process;
    }

    /**
     * Starts {@code java -jar jar} with {@code environment} added to this JVM's environment.
     *
     * @param port the API's HTTP port the service is told to listen on
     * @param managementPort the management port it is told to serve health on (for readiness)
     */
    static ServiceProcess start(
            String name,
            Path jar,
            int port,
            int managementPort,
            Map<String, String> environment,
            Path workingDirectory,
            Path logFile,
            String maxHeap) {
        List<String> command = JarJvmOptions.javaCommand(
                jar.toAbsolutePath(),
                List.of("-Xmx" + maxHeap, "-XX:+ExitOnOutOfMemoryError", "-Djava.awt.headless=true"),
                List.of());
        try {
            Files.createDirectories(logFile.toAbsolutePath().getParent());
            Files.writeString(
                    logFile,
                    "==== " + Instant.now() + " promptloop dev stack starts " + name + " on port " + port + "\n",
                    java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot write " + logFile, e);
        }
        return new ServiceProcess(
                name, port, managementPort, ChildProcess.start(name, command, environment, workingDirectory, logFile));
    }

    String name() {
        return name;
    }

    int port() {
        return port;
    }

    /** Health and metrics, no credentials. */
    int managementPort() {
        return managementPort;
    }

    long pid() {
        return process.pid();
    }

    Path logFile() {
        return process.logFile();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    ChildProcess process() {
        return process;
    }

    /**
     * Waits until {@code GET /actuator/health/readiness} answers 200.
     *
     * @throws IllegalStateException with the log's last lines if the service exits or is not ready in time
     */
    void awaitReady(Duration timeout) {
        URI readiness = URI.create("http://127.0.0.1:" + managementPort + "/actuator/health/readiness");
        HttpClient http = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(2))
                .version(HttpClient.Version.HTTP_1_1)
                .build();
        long deadline = System.nanoTime() + timeout.toNanos();
        String lastAnswer = "no answer";
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(
                        name + " exited with code " + process.exitCode().orElse(-1) + " while starting; last lines of "
                                + logFile() + ":\n" + ChildProcess.tail(logFile(), 40));
            }
            try {
                HttpResponse<String> response = http.send(
                        HttpRequest.newBuilder(readiness)
                                .timeout(Duration.ofSeconds(3))
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return;
                }
                lastAnswer = "HTTP " + response.statusCode() + " " + response.body();
            } catch (IOException e) {
                lastAnswer = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + name, e);
            }
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + name, e);
            }
        }
        throw new IllegalStateException(name + " was not ready within " + timeout.toSeconds() + " s (" + readiness
                + ": " + lastAnswer + "); last lines of " + logFile() + ":\n" + ChildProcess.tail(logFile(), 40));
    }

    /** SIGTERM (Spring Boot shuts down gracefully), then SIGKILL of its process tree after {@code grace}. */
    void stop(Duration grace) {
        process.stop(grace);
    }
}
