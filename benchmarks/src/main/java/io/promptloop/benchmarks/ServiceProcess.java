package io.promptloop.benchmarks;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * ingest-service as a child JVM ({@code java -Xmx.. -jar ingest-service.jar --key=value ...}), its output in a log
 * file, its actuator metrics read over HTTP Basic. Stopped by its own handle (SIGTERM, then SIGKILL after a
 * grace period); a small shell watchdog ends it if this JVM dies without running its shutdown hooks.
 */
final class ServiceProcess implements AutoCloseable {

    static final String USER = "bench";
    static final String PASSWORD = "bench";
    private static final Pattern MEASUREMENT =
            Pattern.compile("\"statistic\"\\s*:\\s*\"([A-Z_]+)\"\\s*,\\s*\"value\"\\s*:\\s*([-0-9.Ee+]+|\"NaN\")");

    private final Process process;
    private final Optional<Process> watchdog;
    private final Path log;
    private final int port;
    private final long startedNanos;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    private ServiceProcess(Process process, Optional<Process> watchdog, Path log, int port, long startedNanos) {
        this.process = process;
        this.watchdog = watchdog;
        this.log = log;
        this.port = port;
        this.startedNanos = startedNanos;
    }

    static ServiceProcess start(Path jar, String maxHeap, Map<String, Object> properties, int port, Path log)
            throws IOException {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " does not exist: build it with `./mvnw -pl benchmarks -am "
                    + "-DskipTests install` (or pass --service-jar)");
        }
        Files.createDirectories(log.toAbsolutePath().getParent());
        List<String> command = new ArrayList<>(
                List.of(javaExecutable(), "-Xmx" + maxHeap, "-XX:+ExitOnOutOfMemoryError", "-jar", jar.toString()));
        Map<String, Object> all = new LinkedHashMap<>(properties);
        all.put("server.port", port);
        // health and metrics on the API port (behind its users), where the benchmark reads them
        all.put("management.server.port", port);
        all.put("management.endpoints.web.exposure.include", "health,info,prometheus,metrics");
        properties(all).forEach(command::add);
        long started = System.nanoTime();
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        return new ServiceProcess(process, watch(process.pid()), log, port, started);
    }

    /** The {@code --key=value} arguments for Spring properties. */
    static List<String> properties(Map<String, Object> properties) {
        List<String> args = new ArrayList<>();
        properties.forEach((k, v) -> args.add("--" + k + "=" + v));
        return args;
    }

    long pid() {
        return process.pid();
    }

    long startedNanos() {
        return startedNanos;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    Path log() {
        return log;
    }

    /** The statistics of an actuator metric, e.g. {VALUE=1.2E8} or {COUNT=.., TOTAL_TIME=.., MAX=..}; empty if down. */
    Map<String, Double> metric(String nameAndTags) {
        try {
            HttpRequest request = HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + port + "/actuator/metrics/" + nameAndTags))
                    .timeout(Duration.ofSeconds(2))
                    .header(
                            "Authorization",
                            "Basic "
                                    + Base64.getEncoder()
                                            .encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8)))
                    .GET()
                    .build();
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) return Map.of();
            return measurements(response.body());
        } catch (IOException e) {
            return Map.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Map.of();
        }
    }

    OptionalDouble heapUsedBytes() {
        Double value = metric("jvm.memory.used?tag=area:heap").get("VALUE");
        return value == null ? OptionalDouble.empty() : OptionalDouble.of(value);
    }

    static Map<String, Double> measurements(String json) {
        Map<String, Double> values = new LinkedHashMap<>();
        Matcher m = MEASUREMENT.matcher(json);
        while (m.find()) {
            if (!m.group(2).startsWith("\"")) values.put(m.group(1), Double.parseDouble(m.group(2)));
        }
        return values;
    }

    /**
     * SIGTERM (graceful shutdown), SIGKILL if it has not ended after {@code grace}.
     *
     * @return how it ended, e.g. "exit 143 after 2.1 s"
     */
    String stop(Duration grace) {
        long from = System.nanoTime();
        try {
            if (process.isAlive()) {
                process.destroy();
                if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(10, TimeUnit.SECONDS);
                    return "killed (SIGKILL) after ignoring SIGTERM for " + grace.toSeconds() + " s";
                }
            }
            return String.format(
                    java.util.Locale.ROOT,
                    "exit %d after %.1f s",
                    process.exitValue(),
                    (System.nanoTime() - from) / 1e9);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            return "killed (interrupted)";
        } finally {
            watchdog.ifPresent(Process::destroy);
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) stop(Duration.ofSeconds(40));
    }

    /** The last lines of the service's log, for error messages. */
    String tail(int lines) {
        try (RandomAccessFile raf = new RandomAccessFile(log.toFile(), "r")) {
            long from = Math.max(0, raf.length() - 16_384);
            byte[] bytes = new byte[(int) (raf.length() - from)];
            raf.seek(from);
            raf.readFully(bytes);
            String[] all = new String(bytes, StandardCharsets.UTF_8).split("\\R");
            return String.join("\n", java.util.Arrays.copyOfRange(all, Math.max(0, all.length - lines), all.length));
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e.getMessage() + ")";
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    static String javaExecutable() {
        return ProcessHandle.current()
                .info()
                .command()
                .filter(c -> Files.isExecutable(Path.of(c)))
                .orElseGet(() ->
                        Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /** Ends {@code pid} (TERM, then KILL) once this JVM is gone; exits by itself when the child is gone. */
    private static Optional<Process> watch(long pid) {
        if (!Files.isExecutable(Path.of("/bin/sh"))) return Optional.empty();
        String script = "p=$1; c=$2; "
                + "while kill -0 \"$p\" 2>/dev/null && kill -0 \"$c\" 2>/dev/null; do sleep 1; done; "
                + "if kill -0 \"$c\" 2>/dev/null; then kill -TERM \"$c\"; sleep 20; kill -KILL \"$c\" 2>/dev/null; fi";
        try {
            return Optional.of(new ProcessBuilder(
                            "/bin/sh",
                            "-c",
                            script,
                            "bench-watchdog",
                            Long.toString(ProcessHandle.current().pid()),
                            Long.toString(pid))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start());
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
