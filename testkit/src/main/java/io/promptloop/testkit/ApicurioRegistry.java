package io.promptloop.testkit;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Apicurio Registry (the reference schema registry, DESIGN.md "Avro and the schema registry") in a
 * child JVM running the server that Apicurio publishes on Maven Central, unpacked at build time. Both of its
 * listeners are bound to 127.0.0.1 (the management one would otherwise take 0.0.0.0:9000). After start the
 * global compatibility rule is BACKWARD, not the server's default NONE, so the tests hold schemas to the
 * same rule as production.
 *
 * <p>Storage is in memory unless {@link Settings#sqlStorage()} names a PostgreSQL database (the dev stack
 * does, so that schema ids survive restarts).
 */
public final class ApicurioRegistry implements ManagedRegistry, AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ApicurioRegistry.class.getName());
    private static final Duration STOP_GRACE = Duration.ofSeconds(20);

    private final Settings settings;
    private final TestkitBuild build;
    private final int port;
    private final int managementPort;
    private final Path workDirectory;
    private final Path logFile;
    private ChildProcess process;

    /**
     * How to run the registry.
     *
     * @param port HTTP API port on 127.0.0.1; 0 chooses a free one once, kept across restarts
     * @param managementPort health endpoint port on 127.0.0.1; 0 chooses a free one
     * @param workDirectory the process's working directory; temporary when null
     * @param logFile the registry's log; {@code apicurio-registry.log} in the work directory when null
     * @param sqlStorage PostgreSQL database to store artifacts in; in-memory storage when null
     * @param startupTimeout how long {@link #start()} waits for readiness
     * @param maxHeap the child JVM's {@code -Xmx}, e.g. {@code 512m}
     */
    public record Settings(
            int port,
            int managementPort,
            Path workDirectory,
            Path logFile,
            DatabaseLogin sqlStorage,
            Duration startupTimeout,
            String maxHeap) {

        /** Free ports, in-memory storage, 512 MB heap. */
        public static Settings defaults() {
            return new Settings(0, 0, null, null, null, Duration.ofSeconds(120), "512m");
        }

        public Settings withPorts(int port, int managementPort) {
            return new Settings(port, managementPort, workDirectory, logFile, sqlStorage, startupTimeout, maxHeap);
        }

        public Settings withWorkDirectory(Path workDirectory) {
            return new Settings(port, managementPort, workDirectory, logFile, sqlStorage, startupTimeout, maxHeap);
        }

        public Settings withLogFile(Path logFile) {
            return new Settings(port, managementPort, workDirectory, logFile, sqlStorage, startupTimeout, maxHeap);
        }

        public Settings withSqlStorage(DatabaseLogin sqlStorage) {
            return new Settings(port, managementPort, workDirectory, logFile, sqlStorage, startupTimeout, maxHeap);
        }
    }

    public ApicurioRegistry(Settings settings) {
        this.settings = settings;
        this.build = TestkitBuild.load();
        this.port = FreePorts.orFree(settings.port());
        this.managementPort = FreePorts.orFree(settings.managementPort());
        this.workDirectory = Directories.createOrTemporary(settings.workDirectory(), "promptloop-apicurio-");
        this.logFile = settings.logFile() != null
                ? settings.logFile().toAbsolutePath()
                : workDirectory.resolve("apicurio-registry.log");
    }

    /** Starts the registry, waits until it is ready and sets the global compatibility rule to BACKWARD. */
    public synchronized void start() {
        if (process != null && process.isAlive()) {
            return;
        }
        long started = System.nanoTime();
        List<String> command = new ArrayList<>(List.of(
                ChildProcess.javaExecutable(),
                "-Xmx" + settings.maxHeap(),
                "-XX:+ExitOnOutOfMemoryError",
                "-Djava.awt.headless=true",
                "-Dquarkus.http.host=127.0.0.1",
                "-Dquarkus.http.port=" + port,
                "-Dquarkus.management.host=127.0.0.1",
                "-Dquarkus.management.port=" + managementPort));
        if (settings.sqlStorage() != null) {
            command.addAll(List.of(
                    "-Dapicurio.storage.kind=sql",
                    "-Dapicurio.storage.sql.kind=postgresql",
                    "-Dapicurio.datasource.url=" + settings.sqlStorage().jdbcUrl(),
                    "-Dapicurio.datasource.username=" + settings.sqlStorage().user(),
                    "-Dapicurio.datasource.password=" + settings.sqlStorage().password()));
        }
        command.addAll(List.of("-jar", build.apicurioRunJar().toString()));
        process = ChildProcess.start("apicurio-registry", command, workDirectory, logFile);
        awaitReady();
        setGlobalCompatibility();
        LOG.log(
                System.Logger.Level.INFO,
                "Apicurio Registry {0} started on {1} in {2} ms ({3} storage, log: {4})",
                build.apicurioVersion(),
                url(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started),
                settings.sqlStorage() == null ? "in-memory" : "PostgreSQL",
                logFile);
    }

    /** Stops the registry (SIGTERM, then SIGKILL after 20 s). In-memory artifacts are lost. */
    public synchronized void stop() {
        stop(STOP_GRACE);
    }

    /** Stops the registry: SIGTERM, then SIGKILL of its process tree after {@code grace}. */
    public synchronized void stop(Duration grace) {
        if (process != null) {
            process.stop(grace);
            process = null;
            LOG.log(System.Logger.Level.INFO, "Apicurio Registry on {0} stopped", url());
        }
    }

    /** Stops the registry and removes a temporary work directory (with the log, unless that is elsewhere). */
    @Override
    public synchronized void close() {
        stop();
        if (settings.workDirectory() == null) {
            Directories.deleteRecursively(workDirectory);
        }
    }

    @Override
    public String url() {
        return "http://127.0.0.1:" + port;
    }

    /** Base URL of the management interface: {@code /health/ready}, {@code /metrics}. */
    public String managementUrl() {
        return "http://127.0.0.1:" + managementPort;
    }

    public Path logFile() {
        return logFile;
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** The process of the last {@link #start()}, alive or not; empty before the first start and after a stop. */
    public synchronized java.util.Optional<ChildProcess> process() {
        return java.util.Optional.ofNullable(process);
    }

    /**
     * BACKWARD as the global rule. Ready on its health endpoint, the registry has once closed the first connection to
     * its API without an answer ("header parser received no bytes"), so a request that got no answer at all is sent
     * again, at most three times (a rule the first attempt did create answers 409 and is updated instead).
     */
    private void setGlobalCompatibility() {
        for (int attempt = 1; ; attempt++) {
            try {
                new RegistryClient(this).setGlobalCompatibilityApicurio("BACKWARD");
                return;
            } catch (RuntimeException e) {
                if (attempt >= 3 || !(e.getCause() instanceof java.io.IOException)) {
                    throw failure("did not take the global compatibility rule: " + e.getMessage(), e);
                }
                LOG.log(System.Logger.Level.WARNING, "registry start: {0}; sending it again", e.getMessage());
            }
        }
    }

    private void awaitReady() {
        RegistryClient client = new RegistryClient(this);
        long deadline = System.nanoTime() + settings.startupTimeout().toNanos();
        try {
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw failure("exited with code " + process.exitCode().orElse(-1), null);
                }
                if (client.probe(managementUrl() + "/health/ready")
                        .filter(RegistryClient.Response::ok)
                        .isPresent()) {
                    return;
                }
                Thread.sleep(200);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failure("interrupted while starting", e);
        }
        throw failure("was not ready within " + settings.startupTimeout(), null);
    }

    private IllegalStateException failure(String what, Exception cause) {
        String tail = ChildProcess.tail(logFile, 60);
        process.stop(Duration.ofSeconds(5));
        process = null;
        return new IllegalStateException(
                "Apicurio Registry on " + url() + " " + what + "; last lines of " + logFile + ":\n" + tail, cause);
    }
}
