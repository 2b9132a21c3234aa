package io.promptloop.deploy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * docker-compose (Debian's, 1.29) against podman's Docker-compatible socket, for one project name. podman runs
 * no healthchecks by itself without systemd, so while the stack runs, every container of the project gets a
 * thread that calls {@code podman healthcheck run} at the container's healthcheck interval, as a Docker engine
 * would: that is what lets {@code depends_on: condition: service_healthy} proceed.
 */
final class Compose implements AutoCloseable {

    static final Path SOCKET = Path.of("/run/podman/podman.sock");

    private final Path projectDirectory;
    private final String project;
    private final List<String> files;
    private final Map<String, String> environment;
    private final Path logFile;
    private volatile boolean checking;
    private Thread healthchecks;

    Compose(Path projectDirectory, String project, List<String> files, Map<String, String> environment, Path logFile) {
        this.projectDirectory = projectDirectory;
        this.project = project;
        this.files = files;
        this.environment = new LinkedHashMap<>(environment);
        this.environment.put("DOCKER_HOST", "unix://" + SOCKET);
        this.logFile = logFile;
    }

    /** Why the rehearsal cannot run here, or null when it can. */
    static String unavailableReason() {
        if (!Files.exists(SOCKET)) {
            return SOCKET + " does not exist: run tools/setup/deploy.sh as root (podman, docker-compose, base images)";
        }
        for (String tool : List.of("/usr/bin/podman", "/usr/bin/docker-compose")) {
            if (!Files.isExecutable(Path.of(tool))) {
                return tool + " is missing: run tools/setup/deploy.sh as root";
            }
        }
        return null;
    }

    /**
     * Null when podman's API answers on {@link #SOCKET}, else why not. A socket file nobody answers on (the
     * {@code podman system service} that tools/setup/deploy.sh started has gone) is an error, not a reason to skip.
     */
    static String apiProblem() {
        try (var channel = java.nio.channels.SocketChannel.open(java.net.UnixDomainSocketAddress.of(SOCKET))) {
            channel.write(java.nio.ByteBuffer.wrap(
                    "GET /_ping HTTP/1.0\r\nHost: d\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
            var buffer = java.nio.ByteBuffer.allocate(256);
            channel.read(buffer);
            String reply = new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII);
            return reply.startsWith("HTTP/1.") && reply.contains(" 200 ")
                    ? null
                    : "podman's API on " + SOCKET + " answered: "
                            + reply.lines().findFirst().orElse("");
        } catch (IOException e) {
            return "podman's API on " + SOCKET + " does not answer (" + e.getMessage()
                    + "): run tools/setup/deploy.sh as root, which starts podman system service";
        }
    }

    /** {@code docker-compose up -d} with the healthcheck loop running; fails with the compose output. */
    void up(Duration timeout) {
        startHealthchecks();
        compose(timeout, "up", "-d");
    }

    /** {@code docker-compose down}: containers and network go, named volumes stay. */
    void down(Duration timeout) {
        compose(timeout, "down");
    }

    /** {@code docker-compose run --rm <service>}; returns the exit code and the output. */
    Result run(String service, Duration timeout) {
        return exec(timeout, composeCommand("run", "--rm", "-T", service));
    }

    void compose(Duration timeout, String... arguments) {
        Result result = exec(timeout, composeCommand(arguments));
        if (result.exit() != 0) {
            throw new IllegalStateException("docker-compose " + String.join(" ", arguments) + " failed (exit "
                    + result.exit() + "):\n" + result.output() + "\n--- logs ---\n" + logs());
        }
    }

    /** The health of a service's container as podman reports it: healthy, unhealthy, starting, or "" (none). */
    String health(String service) {
        Result result = exec(
                Duration.ofSeconds(30),
                List.of("podman", "inspect", "--format", "{{.State.Health.Status}}", container(service)));
        return result.exit() == 0 ? result.output().strip() : "absent";
    }

    String container(String service) {
        return project + "_" + service + "_1";
    }

    /** The last lines of every container's log, for failure messages. */
    String logs() {
        return exec(Duration.ofSeconds(60), composeCommand("logs", "--no-color", "--tail=60"))
                .output();
    }

    @Override
    public void close() {
        checking = false;
        try {
            compose(Duration.ofMinutes(3), "down", "--volumes");
        } catch (RuntimeException e) {
            System.err.println("Compose: cleaning up " + project + " failed: " + e.getMessage());
        }
    }

    private void startHealthchecks() {
        if (checking) {
            return;
        }
        checking = true;
        Set<String> watched = ConcurrentHashMap.newKeySet();
        healthchecks = Thread.ofPlatform().daemon().name("podman-healthchecks").start(() -> {
            while (checking) {
                Result names = exec(
                        Duration.ofSeconds(30),
                        List.of(
                                "podman",
                                "ps",
                                "--filter",
                                "label=com.docker.compose.project=" + project,
                                "--format",
                                "{{.Names}}"));
                for (String name : names.output().strip().split("\\s+")) {
                    if (!name.isBlank() && watched.add(name)) {
                        Thread.ofVirtual().name("healthcheck-" + name).start(() -> checkEvery(name));
                    }
                }
                if (!pause(Duration.ofSeconds(1))) {
                    return;
                }
            }
        });
    }

    /**
     * What a Docker engine does for a container with a healthcheck: run it every {@code interval} of the
     * container's own healthcheck (so {@code retries} × {@code interval} is the grace the compose file gives),
     * for as long as a container of that name exists (down/up recreates it under the same name).
     */
    private void checkEvery(String container) {
        Result configured = exec(
                Duration.ofSeconds(30),
                List.of("podman", "inspect", "--format", "{{.Config.Healthcheck.Interval}}", container));
        if (configured.exit() != 0) {
            return; // no healthcheck (the migrations): podman cannot print the interval of none
        }
        Duration interval;
        try {
            // Go's duration as podman prints it: 5s, 1m30s
            String printed =
                    configured.output().strip().lines().reduce((a, b) -> b).orElse("");
            interval = Duration.parse("PT" + printed.toUpperCase(java.util.Locale.ROOT));
        } catch (java.time.format.DateTimeParseException e) {
            interval = Duration.ofSeconds(5);
        }
        while (checking && pause(interval)) {
            exec(Duration.ofSeconds(60), List.of("podman", "healthcheck", "run", container));
        }
    }

    private static boolean pause(Duration duration) {
        try {
            Thread.sleep(duration);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private List<String> composeCommand(String... arguments) {
        List<String> command = new ArrayList<>(List.of("docker-compose", "--no-ansi", "-p", project));
        for (String file : files) {
            command.add("-f");
            command.add(file);
        }
        command.addAll(List.of(arguments));
        return command;
    }

    record Result(int exit, String output) {}

    private Result exec(Duration timeout, List<String> command) {
        try {
            Path output = Files.createTempFile("compose-", ".out");
            try {
                ProcessBuilder builder = new ProcessBuilder(command)
                        .directory(projectDirectory.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(output.toFile());
                builder.environment().putAll(environment);
                Process process = builder.start();
                boolean finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
                if (!finished) {
                    process.destroyForcibly();
                }
                String text = Files.readString(output, StandardCharsets.UTF_8);
                if (logFile != null) {
                    Files.writeString(
                            logFile,
                            "$ " + String.join(" ", command) + "\n" + text + "\n",
                            java.nio.file.StandardOpenOption.CREATE,
                            java.nio.file.StandardOpenOption.APPEND);
                }
                return new Result(finished ? process.exitValue() : -1, finished ? text : text + "\n(timed out)");
            } finally {
                Files.deleteIfExists(output);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + command, e);
        }
    }
}
