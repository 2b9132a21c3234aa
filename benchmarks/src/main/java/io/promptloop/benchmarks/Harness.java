package io.promptloop.benchmarks;

import io.apicurio.registry.serde.avro.AvroKafkaSerializer;
import io.promptloop.testkit.DatabaseLogin;
import io.promptloop.testkit.InfrastructureMode;
import io.promptloop.testkit.JarJvmOptions;
import io.promptloop.testkit.PromptloopInfrastructure;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipFile;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.DescribeConsumerGroupsOptions;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.AppInfoParser;
import picocli.CommandLine;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.ParameterException;

/**
 * What every benchmark of this module shares, once: the command line (picocli), the infrastructure and the
 * printed conditions <em>as really used</em> (embedded or external servers, their durability settings read from
 * the server, the broker's heap read from its command line), CPU attributed by process in both modes (the
 * processes listening on the servers' ports when they run on this machine), the service launcher, and the Kafka
 * and SQL helpers of the phases.
 */
final class Harness {

    /** Options that check their values after parsing. */
    interface Validated {
        /** Throws {@link IllegalArgumentException} naming the option when a value is out of range. */
        void validate();
    }

    /** A benchmark's body, run after its options parsed. */
    interface Body<O> {
        void run(O options) throws Exception;
    }

    /** A count such as {@code 1000000} or {@code 1_000_000}. */
    static final class Count implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return Long.parseLong(value.replace("_", ""));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("must be a whole number, was '" + value + "'");
            }
        }
    }

    static void positive(String option, long value) {
        if (value <= 0) throw new IllegalArgumentException(option + " must be positive, was " + value);
    }

    static void nonNegative(String option, long value) {
        if (value < 0) throw new IllegalArgumentException(option + " must not be negative, was " + value);
    }

    /**
     * Parses {@code args} into {@code options} (usage on --help, exit 2 with the usage on a bad option), then runs
     * {@code body} with quiet logging; exit 1 when it fails. Never returns.
     */
    static <O extends Validated> void main(String[] args, O options, Body<O> body) {
        CommandLine command = new CommandLine(options);
        try {
            command.parseArgs(args);
            if (command.isUsageHelpRequested()) {
                command.usage(System.out);
                System.exit(0);
            }
            options.validate();
        } catch (ParameterException | IllegalArgumentException e) {
            System.err.println(e.getMessage());
            command.usage(System.err);
            System.exit(2);
        }
        quietLogging();
        int exit = 0;
        try {
            body.run(options);
        } catch (Throwable e) {
            System.out.flush();
            System.err.println("benchmark failed: " + e);
            e.printStackTrace();
            exit = 1;
        }
        String end = InfrastructureMode.from(System.getenv()) == InfrastructureMode.EXTERNAL
                ? "external servers left running as they were, with the tables this run wrote"
                : "stopping the infrastructure (test kit shutdown hook: registry, Kafka, PostgreSQL; data removed)";
        out(end);
        System.exit(exit);
    }

    final PromptloopInfrastructure infra;
    final CpuMeter cpu = new CpuMeter();
    final int cpus = Runtime.getRuntime().availableProcessors();
    private final List<String> attribution = new ArrayList<>();
    /** What the last look at the consumer groups saw. */
    private String assignmentSeen = "never described";

    /** Starts (or connects to) the infrastructure, its start-up output in {@code logs}, and attributes its CPU. */
    Harness(Path logs) throws IOException {
        infra = startInfrastructure(logs.resolve("infrastructure-start.log"));
        out(String.format(
                Locale.ROOT,
                "infrastructure (%s): started and provisioned in %.1f s",
                infra.mode().name().toLowerCase(Locale.ROOT),
                infra.startupTime().toMillis() / 1e3));
        attributeCpu();
    }

    // --- conditions -------------------------------------------------------------------------------------------------

    /**
     * Prints the conditions of this run: machine, JVM, PostgreSQL (kind, durability settings as the server reports
     * them), Kafka, registry, the service, and which processes the CPU figures attribute to what.
     */
    void conditions(String service, Path serviceJar, List<String> serviceJvm, String topics, String serviceSettings)
            throws SQLException {
        out("conditions:");
        out(String.format(
                Locale.ROOT,
                "  machine: %d CPUs (%s), %.1f GiB RAM, %s %s; %s and this benchmark share these CPUs%s",
                cpus,
                cpuModel(),
                totalMemoryGiB(),
                System.getProperty("os.name"),
                System.getProperty("os.version"),
                service,
                attribution.stream().anyMatch(a -> a.contains("not on this machine"))
                        ? " (servers not on this machine do not)"
                        : " with the servers"));
        out(String.format(
                Locale.ROOT,
                "  benchmark JVM: %s %s, max heap %d MiB",
                System.getProperty("java.vm.name"),
                System.getProperty("java.runtime.version"),
                Runtime.getRuntime().maxMemory() >> 20));
        boolean embedded = infra.mode() == InfrastructureMode.EMBEDDED;
        try (Connection su = superuser();
                Statement s = su.createStatement()) {
            Map<String, String> settings = new LinkedHashMap<>();
            for (String setting : List.of(
                    "server_version",
                    "fsync",
                    "synchronous_commit",
                    "full_page_writes",
                    "shared_buffers",
                    "wal_level",
                    "max_wal_size",
                    "checkpoint_timeout",
                    "autovacuum",
                    "data_directory")) {
                try (ResultSet rs = s.executeQuery("SHOW " + setting)) {
                    rs.next();
                    settings.put(setting, rs.getString(1));
                }
            }
            boolean durable = settings.get("fsync").equals("on");
            out("  PostgreSQL " + settings.get("server_version") + ": "
                    + (embedded
                            ? "the test kit's embedded server (zonky binaries)"
                            : "an external server (" + InfrastructureMode.VARIABLE + "=" + infra.mode() + ")")
                    + " at " + hostAndPort(URI.create(infra.postgres().jdbcUrl().substring("jdbc:".length())))
                    + "; fsync=" + settings.get("fsync") + ", synchronous_commit=" + settings.get("synchronous_commit")
                    + (durable
                            ? " (durable commits)"
                            : " (not durable across a machine crash; faster than a production server)")
                    + fileSystem(settings.get("data_directory")));
            settings.remove("server_version");
            settings.remove("data_directory");
            List<String> shown = new ArrayList<>();
            settings.forEach((k, v) -> shown.add(k + "=" + v));
            out("    SHOW: " + String.join(", ", shown));
        }
        out("  Kafka: " + kafkaDescription(embedded) + ", client " + AppInfoParser.getVersion() + "; " + topics);
        out("  registry: "
                + (embedded ? "the test kit's Apicurio Registry (child JVM)" : "an external registry")
                + " at " + hostAndPort(URI.create(infra.registry().url())) + "; serde "
                + jarName(AvroKafkaSerializer.class)
                + ", Confluent wire format (Default4ByteIdHandler, contentId, no headers)");
        out("  " + service + ": " + shown(serviceJar) + ", child JVM with the jar's " + JarJvmOptions.RESOURCE + " ("
                + String.join(" ", JarJvmOptions.of(serviceJar)) + "), then " + String.join(" ", serviceJvm)
                + "; its application.yaml: " + serviceSettings);
        out("  CPU figures by process: " + String.join("; ", attribution));
    }

    private String kafkaDescription(boolean embedded) {
        String bootstrap = infra.kafkaBootstrapServers();
        String nodes;
        try (Admin admin = admin()) {
            nodes = admin.describeCluster().nodes().get(10, TimeUnit.SECONDS).size() + " broker(s)";
        } catch (Exception e) {
            nodes = "brokers not described (" + e.getMessage() + ")";
        }
        Optional<Long> pid = listeningPid(port(bootstrap.split(",")[0]));
        String heap = pid.map(p -> maxHeap(CpuMeter.commandLine(p))).orElse("");
        return (embedded ? "the test kit's single KRaft broker (child JVM" + heap + ")" : "an external cluster")
                + " at " + bootstrap + ", " + nodes
                + (!embedded && pid.isPresent() ? ", served on this machine by pid " + pid.get() + heap : "");
    }

    private static String maxHeap(String commandLine) {
        Matcher m = Pattern.compile("-Xmx(\\S+)").matcher(commandLine);
        String last = null;
        while (m.find()) last = m.group(1);
        return last == null ? ", default max heap" : ", -Xmx" + last;
    }

    private static String fileSystem(String dataDirectory) {
        try {
            Path dir = Path.of(dataDirectory);
            return Files.isDirectory(dir)
                    ? "; data directory on " + Files.getFileStore(dir).type() // no path: reports name no machine
                    : "";
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /**
     * Attributes CPU to PostgreSQL, Kafka and the registry by the processes listening on their ports (with
     * PostgreSQL's backends, the postmaster's children), in either mode; a server not on this machine is said so
     * and its CPU is not in the figures. This benchmark's own JVM is attributed too.
     */
    private void attributeCpu() {
        URI pg = URI.create(infra.postgres().jdbcUrl().substring("jdbc:".length()));
        attribute("postgres", hostAndPort(pg), pg.getPort() < 0 ? 5432 : pg.getPort(), true);
        String broker = infra.kafkaBootstrapServers().split(",")[0].strip();
        attribute("kafka", broker, port(broker), false);
        URI registry = URI.create(infra.registry().url());
        attribute("registry", hostAndPort(registry), registry.getPort(), false);
        cpu.add("benchmark", ProcessHandle.current().pid(), false);
        attribution.add("benchmark = this JVM (pid " + ProcessHandle.current().pid() + ")");
    }

    private void attribute(String group, String where, int port, boolean withDescendants) {
        Optional<Long> pid = listeningPid(port);
        if (pid.isPresent()) {
            cpu.add(group, pid.get(), withDescendants);
            String command = CpuMeter.commandLine(pid.get()).strip();
            String program = command.isEmpty()
                    ? "?"
                    : Path.of(command.split(" ")[0]).getFileName().toString();
            attribution.add(group + " = pid " + pid.get() + " (" + program + ", listening on " + where + ")"
                    + (withDescendants ? " and its children" : ""));
        } else {
            attribution.add(group + " at " + where + ": not on this machine (or not visible), not measured");
        }
    }

    /**
     * The process listening on TCP {@code port} on this machine, from {@code /proc/net/tcp[6]} and the processes'
     * socket descriptors (Linux; needs the right to read other processes' fds, e.g. root or the same user).
     */
    static Optional<Long> listeningPid(int port) {
        if (port <= 0) return Optional.empty();
        List<String> inodes = new ArrayList<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            try {
                for (String line : Files.readAllLines(Path.of(table))) {
                    String[] f = line.strip().split("\\s+");
                    if (f.length < 10 || !f[3].equals("0A")) continue; // 0A = LISTEN
                    String local = f[1];
                    int p = Integer.parseInt(local.substring(local.indexOf(':') + 1), 16);
                    if (p == port) inodes.add("socket:[" + f[9] + "]");
                }
            } catch (IOException | RuntimeException e) {
                // not Linux, or no IPv6
            }
        }
        if (inodes.isEmpty()) return Optional.empty();
        try (var processes = Files.list(Path.of("/proc"))) {
            for (Path proc : (Iterable<Path>) processes::iterator) {
                String name = proc.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) continue;
                try (var fds = Files.list(proc.resolve("fd"))) {
                    for (Path fd : (Iterable<Path>) fds::iterator) {
                        try {
                            if (inodes.contains(Files.readSymbolicLink(fd).toString())) {
                                return Optional.of(Long.parseLong(name));
                            }
                        } catch (IOException e) {
                            // closed meanwhile
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    // gone, or not ours to read
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    private static String hostAndPort(URI uri) {
        return uri.getHost() + ":" + uri.getPort();
    }

    private static int port(String hostAndPort) {
        try {
            return Integer.parseInt(
                    hostAndPort.substring(hostAndPort.lastIndexOf(':') + 1).strip());
        } catch (RuntimeException e) {
            return -1;
        }
    }

    /**
     * The lines of a service jar's {@code application.yaml} that start with one of {@code keys}, trimmed, {@code
     * "key: value"} shown as {@code "key value"}.
     */
    static List<String> settings(Path jar, List<String> keys) {
        List<String> found = new ArrayList<>();
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            var entry = zip.getEntry("BOOT-INF/classes/application.yaml");
            if (entry == null) return List.of("(application.yaml not found in the jar)");
            String yaml = new String(zip.getInputStream(entry).readAllBytes(), StandardCharsets.UTF_8);
            for (String line : yaml.split("\\R")) {
                String trimmed = line.strip();
                if (keys.stream().anyMatch(trimmed::startsWith)) found.add(trimmed.replace(": ", " "));
            }
        } catch (IOException e) {
            return List.of("(cannot read " + jar + ": " + e.getMessage() + ")");
        }
        return found;
    }

    /** The whole-number value of {@code key} among {@link #settings} lines, or {@code otherwise}. */
    static int setting(List<String> settings, String key, int otherwise) {
        Pattern setting = Pattern.compile(Pattern.quote(key) + "\\s+(\\d+)(\\s+#.*)?"); // a comment may follow
        return settings.stream()
                .map(setting::matcher)
                .filter(Matcher::matches)
                .map(m -> Integer.parseInt(m.group(1)))
                .findFirst()
                .orElse(otherwise);
    }

    // --- the service ------------------------------------------------------------------------------------------------

    /**
     * Starts a service jar as a child JVM with the test kit's Spring properties for {@code login}, one benchmark
     * user, plain console logs and {@code properties}; its CPU attributed under {@code name}.
     */
    ServiceProcess startService(
            String name, Path jar, List<String> jvm, String login, Map<String, Object> properties, Path log)
            throws IOException {
        Map<String, Object> all = new LinkedHashMap<>(infra.springProperties(login));
        all.put("promptloop.security.users[0].name", ServiceProcess.USER);
        all.put("promptloop.security.users[0].password", "{noop}" + ServiceProcess.PASSWORD);
        all.put("promptloop.security.users[0].roles", "OPERATOR");
        all.put("logging.structured.format.console", "");
        all.putAll(properties);
        ServiceProcess service = ServiceProcess.start(name, jar, jvm, all, log);
        Runtime.getRuntime().addShutdownHook(new Thread(service::close, "bench-stop-" + name));
        cpu.add(name, service.pid(), false);
        return service;
    }

    // --- Kafka ------------------------------------------------------------------------------------------------------

    Admin admin() {
        return Admin.create(
                Map.<String, Object>of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafkaBootstrapServers()));
    }

    /** The producer settings both benchmarks publish with (acks=all, the registry's Confluent wire format). */
    Map<String, Object> producerConfig(int lingerMs, int batchBytes) {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafkaBootstrapServers());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.LINGER_MS_CONFIG, lingerMs);
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, batchBytes);
        config.put("apicurio.registry.url", infra.registry().apiV3Url());
        config.put("apicurio.registry.id-handler", "io.apicurio.registry.serde.Default4ByteIdHandler");
        config.put("apicurio.registry.use-id", "contentId");
        config.put("apicurio.registry.headers.enabled", false);
        config.put("apicurio.registry.auto-register", true);
        config.put("apicurio.registry.auto-register.if-exists", "FIND_OR_CREATE_VERSION");
        return config;
    }

    static int partitions(Admin admin, String topic) {
        try {
            return admin.describeTopics(List.of(topic))
                    .allTopicNames()
                    .get(30, TimeUnit.SECONDS)
                    .get(topic)
                    .partitions()
                    .size();
        } catch (Exception e) {
            throw new IllegalStateException("cannot describe topic " + topic, e);
        }
    }

    /** Records on {@code topic} (the sum of its end offsets; e.g. a dead-letter topic's count), or -1. */
    static long records(Admin admin, String topic) {
        try {
            int count = partitions(admin, topic);
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int p = 0; p < count; p++) latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
            return admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS).values().stream()
                    .mapToLong(r -> r.offset())
                    .sum();
        } catch (Exception e) {
            return -1;
        }
    }

    /**
     * Whether the consumer groups on the broker together have all {@code partitions} partitions of {@code topic}
     * assigned; {@link #assignmentSeen()} says what was seen.
     */
    boolean allPartitionsAssigned(Admin admin, String topic, int partitions) {
        try {
            List<String> ids = admin.listGroups().all().get(2, TimeUnit.SECONDS).stream()
                    .map(GroupListing::groupId)
                    .toList();
            if (ids.isEmpty()) {
                assignmentSeen = "no consumer group yet";
                return false;
            }
            Map<String, ConsumerGroupDescription> groups = admin.describeConsumerGroups(
                            ids, new DescribeConsumerGroupsOptions().timeoutMs(1_000))
                    .all()
                    .get(2, TimeUnit.SECONDS);
            long assigned = 0;
            List<String> seen = new ArrayList<>();
            for (ConsumerGroupDescription group : groups.values()) {
                long mine = group.members().stream()
                        .flatMap(m -> m.assignment().topicPartitions().stream())
                        .filter(tp -> tp.topic().equals(topic))
                        .count();
                assigned += mine;
                if (mine > 0) {
                    seen.add(group.groupId() + " (" + group.groupState() + ", "
                            + group.members().size() + " members, " + mine + " " + topic + " partitions)");
                }
            }
            assignmentSeen = seen.isEmpty() ? "no group has " + topic + " partitions yet" : String.join("; ", seen);
            return assigned >= partitions;
        } catch (ExecutionException | java.util.concurrent.TimeoutException | RuntimeException e) {
            assignmentSeen = String.valueOf(e);
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    String assignmentSeen() {
        return assignmentSeen;
    }

    // --- SQL --------------------------------------------------------------------------------------------------------

    Connection superuser() throws SQLException {
        DatabaseLogin login = infra.superuserLogin();
        return DriverManager.getConnection(login.jdbcUrl(), login.user(), login.password());
    }

    // --- output and small helpers -----------------------------------------------------------------------------------

    static void out(String line) {
        System.out.println(line);
        System.out.flush();
    }

    /** The run's header line. */
    static void header(String what) {
        out("== promptloop " + what + " benchmark, " + Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                + " ==");
    }

    static String fmt(double seconds) {
        return String.format(Locale.ROOT, "%.1f", seconds);
    }

    static long micros(Instant instant) {
        return instant.getEpochSecond() * 1_000_000L + instant.getNano() / 1_000;
    }

    /** A row of a result table: method | rows | seconds | rows per second. */
    static String row(String method, long rows, double seconds) {
        return method + "|" + rows + "|" + seconds + "|" + (rows / seconds);
    }

    /** A path as the report prints it: relative to the working directory when inside it, so reports name no machine. */
    static String shown(Path path) {
        Path here = Path.of("").toAbsolutePath();
        Path absolute = path.toAbsolutePath().normalize();
        return absolute.startsWith(here)
                ? here.relativize(absolute).toString()
                : path.getFileName().toString();
    }

    /** The file name of the jar a class comes from (it carries the version), or "?". */
    static String jarName(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain()
                            .getCodeSource()
                            .getLocation()
                            .toURI())
                    .getFileName()
                    .toString();
        } catch (Exception e) {
            return "?";
        }
    }

    static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).strip())
                    .findFirst()
                    .orElse("?");
        } catch (IOException e) {
            return "?";
        }
    }

    static double totalMemoryGiB() {
        try {
            return Files.readAllLines(Path.of("/proc/meminfo")).stream()
                            .filter(l -> l.startsWith("MemTotal:"))
                            .mapToLong(l -> Long.parseLong(l.replaceAll("\\D", "")))
                            .findFirst()
                            .orElse(0)
                    / 1024.0
                    / 1024.0;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    static String jdkTool(String name) {
        return Path.of(System.getProperty("java.home"), "bin", name).toString();
    }

    /** {@code benchmarks/target}: where this class was loaded from (the jar or target/classes). */
    static Path targetDirectory() {
        try {
            return Path.of(Harness.class
                            .getProtectionDomain()
                            .getCodeSource()
                            .getLocation()
                            .toURI())
                    .toAbsolutePath()
                    .getParent();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A sibling module's executable jar, e.g. {@code ingest-service/target/ingest-service.jar}. */
    static Path moduleJar(String module) {
        return targetDirectory().getParent().getParent().resolve(module + "/target/" + module + ".jar");
    }

    /** JUL keeps loggers weakly: hold the ones whose level is set. */
    private static final List<Logger> QUIETED = new ArrayList<>();

    static void quietLogging() {
        Logger root = Logger.getLogger("");
        root.setLevel(Level.WARNING);
        for (Handler handler : root.getHandlers()) handler.setLevel(Level.WARNING);
        // the test kit's broker start-up polls with an AdminClient that warns until the broker listens; the
        // serde warns about its shared Vert.x instance
        for (String name : List.of("org.apache.kafka", "io.apicurio")) {
            Logger logger = Logger.getLogger(name);
            logger.setLevel(Level.SEVERE);
            QUIETED.add(logger);
        }
    }

    /** Starts the test kit's infrastructure with System.out (Liquibase prints its update summary there) in a log. */
    private static PromptloopInfrastructure startInfrastructure(Path log) throws IOException {
        Files.createDirectories(log.getParent());
        PrintStream console = System.out;
        try (PrintStream file = new PrintStream(Files.newOutputStream(log), true, StandardCharsets.UTF_8)) {
            System.setOut(file);
            return PromptloopInfrastructure.shared();
        } finally {
            System.setOut(console);
        }
    }

    /** Waits up to {@code timeout} for {@code condition}, polling every {@code every}. */
    static boolean poll(Duration timeout, Duration every, java.util.function.BooleanSupplier condition)
            throws InterruptedException {
        long until = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < until) {
            if (condition.getAsBoolean()) return true;
            Thread.sleep(every.toMillis());
        }
        return condition.getAsBoolean();
    }

    // --- moved from the ingest benchmark: SQL and steady-state figures both benchmarks use ---------------------

    /** A latency histogram in µs up to 10 minutes, 3 significant digits. */
    static Histogram latencyHistogram() {
        return new Histogram(TimeUnit.MINUTES.toMicros(10), 3);
    }

    /** Records a latency in µs, clamped to the histogram's range (a negative one, from clock skew, as 0). */
    static void recordLatency(Histogram h, long micros) {
        h.recordValue(Math.min(Math.max(0, micros), h.getHighestTrackableValue()));
    }

    static long single(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static void checkpoint(Connection su) throws SQLException {
        try (Statement s = su.createStatement()) {
            s.execute("CHECKPOINT");
        }
    }

    static String currentLsn(Connection su) throws SQLException {
        try (Statement s = su.createStatement();
                ResultSet rs = s.executeQuery("SELECT pg_current_wal_lsn()::text")) {
            rs.next();
            return rs.getString(1);
        }
    }

    static long walSince(Connection su, String lsn) throws SQLException {
        try (PreparedStatement ps =
                su.prepareStatement("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), ?::pg_lsn)::bigint")) {
            ps.setString(1, lsn);
            return single(ps);
        }
    }

    /** {rows, seconds} between the first samples at or above 10 % and 90 % of n. */
    static double[] steadyState(List<long[]> samples, long n) {
        long[] low = null;
        long[] high = null;
        for (long[] s : samples) {
            if (low == null && s[1] >= n / 10) low = s;
            if (high == null && s[1] >= n * 9 / 10) high = s;
        }
        if (low == null || high == null || high[0] <= low[0]) return null;
        return new double[] {high[1] - low[1], (high[0] - low[0]) / 1e9};
    }
}
