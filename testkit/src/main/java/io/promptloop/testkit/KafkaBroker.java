package io.promptloop.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Uuid;

/**
 * A real Apache Kafka broker (KRaft combined mode: broker and controller in one single-node JVM) in a child
 * process, so that tests and the dev stack exercise the same broker code as production without Docker. The
 * child's classpath is the Kafka server resolved from Maven Central at build time (see {@code
 * testkit-build.properties}); its log goes to {@code kafka.log}, not the test console.
 *
 * <p>{@link #stop()} and {@link #start()} may be called repeatedly: the broker comes back on the same ports
 * with the same data, which is how tests simulate a broker restart. {@link #close()} stops it for good and
 * removes a temporary data directory.
 */
public final class KafkaBroker implements ManagedKafka, AutoCloseable {

    private static final System.Logger LOG = System.getLogger(KafkaBroker.class.getName());
    private static final Duration STOP_GRACE = Duration.ofSeconds(30);

    private final Settings settings;
    private final TestkitBuild build;
    private final int port;
    private final int controllerPort;
    private final Path dataDirectory;
    private final Path logFile;
    private ChildProcess process;

    /**
     * How to run the broker.
     *
     * @param port client (PLAINTEXT) port on 127.0.0.1; 0 chooses a free one once, kept across restarts
     * @param controllerPort KRaft controller port on 127.0.0.1; 0 chooses a free one
     * @param dataDirectory where config and log segments live; kept when given, temporary when null
     * @param logFile the broker's own log; {@code kafka.log} in the data directory when null
     * @param startupTimeout how long {@link #start()} waits for the broker to answer
     * @param maxHeap the child JVM's {@code -Xmx}, e.g. {@code 512m}
     */
    public record Settings(
            int port, int controllerPort, Path dataDirectory, Path logFile, Duration startupTimeout, String maxHeap) {

        /** Free ports, a temporary data directory, 512 MB heap. */
        public static Settings defaults() {
            return new Settings(0, 0, null, null, Duration.ofSeconds(90), "512m");
        }

        public Settings withPorts(int port, int controllerPort) {
            return new Settings(port, controllerPort, dataDirectory, logFile, startupTimeout, maxHeap);
        }

        public Settings withDataDirectory(Path dataDirectory) {
            return new Settings(port, controllerPort, dataDirectory, logFile, startupTimeout, maxHeap);
        }

        public Settings withLogFile(Path logFile) {
            return new Settings(port, controllerPort, dataDirectory, logFile, startupTimeout, maxHeap);
        }
    }

    public KafkaBroker(Settings settings) {
        this.settings = settings;
        this.build = TestkitBuild.load();
        this.port = FreePorts.orFree(settings.port());
        this.controllerPort = FreePorts.orFree(settings.controllerPort());
        this.dataDirectory = Directories.createOrTemporary(settings.dataDirectory(), "promptloop-kafka-");
        this.logFile =
                settings.logFile() != null ? settings.logFile().toAbsolutePath() : dataDirectory.resolve("kafka.log");
    }

    /** Formats the storage on first use, starts the broker and waits until it answers an AdminClient. */
    @Override
    public synchronized void start() {
        if (process != null && process.isAlive()) {
            return;
        }
        long started = System.nanoTime();
        Path serverProperties = writeConfiguration();
        String classpath = build.kafkaClasspath();
        formatStorageIfNeeded(classpath, serverProperties);
        List<String> command = new ArrayList<>(List.of(
                ChildProcess.javaExecutable(),
                "-Xmx" + settings.maxHeap(),
                "-XX:+ExitOnOutOfMemoryError",
                "-Djava.awt.headless=true",
                "-Dlog4j2.configurationFile=" + dataDirectory.resolve("log4j2.properties"),
                "-cp",
                classpath,
                "kafka.Kafka",
                serverProperties.toString()));
        process = ChildProcess.start("kafka", command, dataDirectory, logFile);
        awaitReady();
        LOG.log(
                System.Logger.Level.INFO,
                "Kafka {0} broker started on {1} in {2} ms (log: {3})",
                build.kafkaVersion(),
                bootstrapServers(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started),
                logFile);
    }

    /** Stops the broker (SIGTERM, then SIGKILL after 30 s), keeping ports and data. */
    @Override
    public synchronized void stop() {
        stop(STOP_GRACE);
    }

    /**
     * Stops the broker: SIGTERM, then SIGKILL of its process tree after {@code grace}; keeps ports and data. A
     * broker that already died is only forgotten.
     */
    public synchronized void stop(Duration grace) {
        if (process != null) {
            process.stop(grace);
            process = null;
            LOG.log(System.Logger.Level.INFO, "Kafka broker on {0} stopped", bootstrapServers());
        }
    }

    /** Stops the broker and removes a temporary data directory (with the log, unless that is elsewhere). */
    @Override
    public synchronized void close() {
        stop();
        if (settings.dataDirectory() == null) {
            Directories.deleteRecursively(dataDirectory);
        }
    }

    @Override
    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public int controllerPort() {
        return controllerPort;
    }

    public Path dataDirectory() {
        return dataDirectory;
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

    private Path writeConfiguration() {
        Path segments = dataDirectory.resolve("kafka-logs");
        // A static voter set (rather than --standalone) keeps a persistent data directory usable when the
        // controller port changes between runs of the dev stack.
        Map<String, String> server = new LinkedHashMap<>();
        server.put("process.roles", "broker,controller");
        server.put("node.id", "1");
        server.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        server.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        server.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        server.put("controller.listener.names", "CONTROLLER");
        server.put("inter.broker.listener.name", "PLAINTEXT");
        server.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        server.put("log.dirs", segments.toString());
        // Topics come from the catalogue only: a typo in a test must fail, not create a topic.
        server.put("auto.create.topics.enable", "false");
        server.put("num.partitions", "3");
        server.put("offsets.topic.replication.factor", "1");
        server.put("offsets.topic.num.partitions", "10");
        server.put("transaction.state.log.replication.factor", "1");
        server.put("transaction.state.log.min.isr", "1");
        server.put("transaction.state.log.num.partitions", "10");
        server.put("share.coordinator.state.topic.replication.factor", "1");
        server.put("share.coordinator.state.topic.min.isr", "1");
        server.put("group.initial.rebalance.delay.ms", "0");

        String log4j = String.join(
                "\n",
                "status = warn",
                "appender.out.type = Console",
                "appender.out.name = out",
                "appender.out.layout.type = PatternLayout",
                "appender.out.layout.pattern = [%d] %p %m (%c)%n",
                "rootLogger.level = WARN",
                "rootLogger.appenderRef.out.ref = out",
                // startup and shutdown milestones, for the log tail in error messages
                "logger.raft.name = kafka.server.KafkaRaftServer",
                "logger.raft.level = INFO",
                "logger.broker.name = kafka.server.BrokerServer",
                "logger.broker.level = INFO",
                "logger.controller.name = kafka.server.ControllerServer",
                "logger.controller.level = INFO",
                "");
        try {
            StringBuilder properties = new StringBuilder("# written by the promptloop testkit on every start\n");
            server.forEach((key, value) ->
                    properties.append(key).append('=').append(value).append('\n'));
            Path serverProperties = dataDirectory.resolve("server.properties");
            Files.writeString(serverProperties, properties);
            Files.writeString(dataDirectory.resolve("log4j2.properties"), log4j);
            return serverProperties;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the broker configuration to " + dataDirectory, e);
        }
    }

    private void formatStorageIfNeeded(String classpath, Path serverProperties) {
        if (Files.exists(dataDirectory.resolve("kafka-logs").resolve("meta.properties"))) {
            return;
        }
        List<String> command = List.of(
                ChildProcess.javaExecutable(),
                "-Xmx256m",
                "-Dlog4j2.configurationFile=" + dataDirectory.resolve("log4j2.properties"),
                "-cp",
                classpath,
                "kafka.tools.StorageTool",
                "format",
                "--cluster-id",
                Uuid.randomUuid().toString(),
                "--config",
                serverProperties.toString(),
                "--ignore-formatted");
        int exit = ChildProcess.run("kafka-storage-format", command, dataDirectory, logFile, Duration.ofMinutes(2));
        if (exit != 0) {
            throw new IllegalStateException("formatting Kafka storage in " + dataDirectory + " failed (exit " + exit
                    + "); last lines of " + logFile + ":\n" + ChildProcess.tail(logFile, 40));
        }
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + settings.startupTimeout().toNanos();
        Map<String, Object> config = Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3_000,
                AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 200);
        Exception last = null;
        try (Admin admin = Admin.create(config)) {
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw failure("exited with code " + process.exitCode().orElse(-1), null);
                }
                try {
                    if (!admin.describeCluster(new DescribeClusterOptions().timeoutMs(3_000))
                            .nodes()
                            .get(4, TimeUnit.SECONDS)
                            .isEmpty()) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    last = e;
                }
                Thread.sleep(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failure("interrupted while starting", e);
        }
        throw failure("did not answer within " + settings.startupTimeout(), last);
    }

    private IllegalStateException failure(String what, Exception cause) {
        String tail = ChildProcess.tail(logFile, 60);
        process.stop(Duration.ofSeconds(5));
        process = null;
        return new IllegalStateException(
                "Kafka broker on " + bootstrapServers() + " " + what + "; last lines of " + logFile + ":\n" + tail,
                cause);
    }
}
