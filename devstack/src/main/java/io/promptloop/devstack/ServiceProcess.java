package io.promptloop.devstack;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A promptloop service ({@code java -jar <service>.jar}) that the dev stack started: configured by
 * environment variables, its output appended to its own log file, stopped by its own pid only. A small
 * shell watchdog ends it if the dev stack dies without running its shutdown hook (kill -9), so that no
 * service outlives the stack.
 */
final class ServiceProcess {

    private static final Duration POLL = Duration.ofMillis(500);

    private final String name;
    private final int port;
    private final int managementPort;
    private final Process process;
    private final Path logFile;
    private final Optional<Process> watchdog;

    private ServiceProcess(
            String name, int port, int managementPort, Process process, Path logFile, Optional<Process> watchdog) {
        this.name = name;
        this.port = port;
        this.managementPort = managementPort;
        this.process = process;
        this.logFile = logFile;
        this.watchdog = watchdog;
    }

    /**
     * Starts {@code java -jar jar} with {@code environment} added to this JVM's environment.
     *
     * @param port the HTTP port the service is told to listen on
     * @param managementPort its health and metrics port (for readiness)
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
        List<String> command = List.of(
                javaExecutable(),
                "-Xmx" + maxHeap,
                "-XX:+ExitOnOutOfMemoryError",
                "-Djava.awt.headless=true",
                "-jar",
                jar.toAbsolutePath().toString());
        try {
            Files.createDirectories(logFile.toAbsolutePath().getParent());
            Files.writeString(
                    logFile,
                    "==== " + Instant.now() + " promptloop dev stack starts " + name + " on port " + port + "\n",
                    StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(workingDirectory.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(nullDevice()));
            builder.environment().putAll(environment);
            builder.environment().put("SERVER_PORT", Integer.toString(port));
            builder.environment().put("MANAGEMENT_SERVER_PORT", Integer.toString(managementPort));
            Process process = builder.start();
            return new ServiceProcess(name, port, managementPort, process, logFile, watch(process.pid()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + ": " + String.join(" ", command), e);
        }
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
        return logFile;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Completes when the process exits, with its exit code. */
    java.util.concurrent.CompletableFuture<Integer> onExit() {
        return process.onExit().thenApply(Process::exitValue);
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
                throw new IllegalStateException(name + " exited with code " + process.exitValue()
                        + " while starting; last lines of " + logFile + ":\n" + tail(logFile, 40));
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
                + ": " + lastAnswer + "); last lines of " + logFile + ":\n" + tail(logFile, 40));
    }

    /** SIGTERM (Spring Boot shuts down gracefully), then SIGKILL if it is still running after {@code grace}. */
    void stop(Duration grace) {
        try {
            if (process.isAlive()) {
                process.destroy();
                if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                    System.err.println("devstack: " + name + " (pid " + process.pid() + ") ignored SIGTERM for "
                            + grace.toSeconds() + " s: killing it");
                    process.destroyForcibly();
                    process.waitFor(10, TimeUnit.SECONDS);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        } finally {
            watchdog.ifPresent(Process::destroy);
        }
    }

    /**
     * Ends {@code childPid} once this JVM is gone: SIGTERM, then SIGKILL 30 s later. Exits as soon as the
     * child is gone, so a recycled pid is never signalled. Unix only.
     */
    private static Optional<Process> watch(long childPid) {
        if (!Files.isExecutable(Path.of("/bin/sh"))) {
            return Optional.empty();
        }
        String script = "p=$1; c=$2; "
                + "while kill -0 \"$p\" 2>/dev/null && kill -0 \"$c\" 2>/dev/null; do sleep 1; done; "
                + "if kill -0 \"$c\" 2>/dev/null; then kill -TERM \"$c\"; sleep 30; kill -KILL \"$c\" 2>/dev/null; fi";
        try {
            return Optional.of(new ProcessBuilder(
                            "/bin/sh",
                            "-c",
                            script,
                            "promptloop-watchdog",
                            Long.toString(ProcessHandle.current().pid()),
                            Long.toString(childPid))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectInput(ProcessBuilder.Redirect.from(nullDevice()))
                    .start());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The last lines of a log file, for error messages. */
    static String tail(Path file, int lines) {
        if (!Files.isRegularFile(file)) {
            return "(no log file " + file + ")";
        }
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            long length = raf.length();
            long from = Math.max(0, length - 16_384);
            byte[] bytes = new byte[(int) (length - from)];
            raf.seek(from);
            raf.readFully(bytes);
            List<String> all = new ArrayList<>(List.of(new String(bytes, StandardCharsets.UTF_8).split("\\R")));
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e.getMessage() + ")";
        }
    }

    /** The JDK running the dev stack: the services need Java 21+ too. */
    static String javaExecutable() {
        return ProcessHandle.current()
                .info()
                .command()
                .filter(command -> Files.isExecutable(Path.of(command)))
                .orElseGet(() ->
                        Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    private static File nullDevice() {
        return new File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
    }
}
