package io.promptloop.benchmarks;

import io.promptloop.testkit.ChildProcess;
import io.promptloop.testkit.FreePorts;
import io.promptloop.testkit.JarJvmOptions;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A service jar as a child JVM ({@code java -Xmx.. -jar <service>.jar --key=value ...}) started by the test kit's
 * one launcher ({@link ChildProcess}: log file, stop by pid, watchdog if this JVM dies), its actuator read over
 * HTTP Basic on the API port.
 */
final class ServiceProcess implements AutoCloseable {

    static final String USER = "bench";
    static final String PASSWORD = "bench";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final ChildProcess child;
    private final int port;
    private final long startedNanos;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    private ServiceProcess(ChildProcess child, int port, long startedNanos) {
        this.child = child;
        this.port = port;
        this.startedNanos = startedNanos;
    }

    /** Starts {@code jar} on a free port with {@code properties} as {@code --key=value} arguments. */
    static ServiceProcess start(String name, Path jar, List<String> jvm, Map<String, Object> properties, Path log)
            throws IOException {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " does not exist: build it with `./mvnw -pl benchmarks -am "
                    + "-DskipTests package` (or pass --service-jar)");
        }
        int port = FreePorts.orFree(0);
        // -Xmx and --service-jvm-option after the jar's own options, so that an option given here wins
        List<String> command = JarJvmOptions.javaCommand(jar, List.of("-XX:+ExitOnOutOfMemoryError"), jvm);
        Map<String, Object> all = new LinkedHashMap<>(properties);
        all.put("server.port", port);
        // health and metrics on the API port (behind its users), where the benchmark reads them
        all.put("management.server.port", port);
        all.put("management.endpoints.web.exposure.include", "health,info,prometheus,metrics");
        all.forEach((k, v) -> command.add("--" + k + "=" + v));
        Files.deleteIfExists(log);
        long started = System.nanoTime();
        ChildProcess child = ChildProcess.start(name, command, Path.of("").toAbsolutePath(), log);
        return new ServiceProcess(child, port, started);
    }

    long pid() {
        return child.pid();
    }

    int port() {
        return port;
    }

    long startedNanos() {
        return startedNanos;
    }

    boolean isAlive() {
        return child.isAlive();
    }

    Path log() {
        return child.logFile();
    }

    /** {@code Basic ...} for the benchmark's user. */
    static String basic() {
        return "Basic " + Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
    }

    /** The statistics of an actuator metric, e.g. {VALUE=1.2E8} or {COUNT=.., TOTAL_TIME=.., MAX=..}; empty if down. */
    Map<String, Double> metric(String nameAndTags) {
        try {
            HttpRequest request = HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + port + "/actuator/metrics/" + nameAndTags))
                    .timeout(Duration.ofSeconds(2))
                    .header("Authorization", basic())
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

    /** The {@code measurements} of an actuator metric response, by statistic; non-numeric values left out. */
    static Map<String, Double> measurements(String json) {
        Map<String, Double> values = new LinkedHashMap<>();
        try {
            for (JsonNode m : JSON.readTree(json).path("measurements")) {
                JsonNode value = m.path("value");
                if (value.isNumber()) values.put(m.path("statistic").asString(), value.asDouble());
            }
        } catch (JacksonException e) {
            return Map.of();
        }
        return values;
    }

    /**
     * SIGTERM (graceful shutdown), SIGKILL of it and its children if it has not ended after {@code grace}.
     *
     * @return how it ended, e.g. "exit code 143 after 2.1 s"
     */
    String stop(Duration grace) {
        long from = System.nanoTime();
        boolean graceful = child.stop(grace);
        return graceful
                ? String.format(
                        Locale.ROOT, "%s after %.1f s", child.exitDescription(), (System.nanoTime() - from) / 1e9)
                : "killed (SIGKILL) after ignoring SIGTERM for " + grace.toSeconds() + " s";
    }

    @Override
    public void close() {
        if (child.isAlive()) stop(Duration.ofSeconds(40));
    }

    /** The last lines of the service's log, for error messages. */
    String tail(int lines) {
        return ChildProcess.tail(child.logFile(), lines);
    }
}
