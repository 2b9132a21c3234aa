package io.promptloop.benchmarks;

import static io.promptloop.benchmarks.Harness.checkpoint;
import static io.promptloop.benchmarks.Harness.currentLsn;
import static io.promptloop.benchmarks.Harness.out;
import static io.promptloop.benchmarks.Harness.row;
import static io.promptloop.benchmarks.Harness.shown;
import static io.promptloop.benchmarks.Harness.single;
import static io.promptloop.benchmarks.Harness.walSince;

import io.promptloop.testkit.ChildProcess;
import io.promptloop.testkit.DatabaseLogin;
import io.promptloop.testkit.FreePorts;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The ingest benchmark's peer phase: what a user would pick instead of ingest-service — Kafka Connect (a standalone
 * worker, child JVM started by the test kit's {@link ChildProcess}) with Debezium's JDBC sink connector — writing
 * the same rows into the same PostgreSQL, into a table created {@code LIKE} the turns table. The rows are published
 * to their own topic as Kafka Connect JSON with schemas ({@code JsonConverter}, {@code schemas.enable=true}), with
 * Debezium's semantic types for uuid ({@code io.debezium.data.Uuid}), jsonb ({@code io.debezium.data.Json}) and
 * timestamptz ({@code io.debezium.time.ZonedTimestamp}); the sink upserts on the primary key {@code id}. Each
 * {@link Config} is one worker run into a fresh table with a fresh consumer group; its table's content hash is
 * compared with the service's.
 */
final class ConnectPeer {

    static final String TOPIC = "bench-peer-turns";
    static final String CONNECTOR_CLASS = "io.debezium.connector.jdbc.JdbcSinkConnector";
    private static final String SERVICE_TABLE = "conversation.tuning_conversation_turns";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** One sink configuration: the knobs the issue asks to try. */
    record Config(int batchSize, int tasks, int maxPollRecords, boolean unnest) {

        static final String DEFAULT = "batch.size=2000,tasks.max=3,max.poll.records=2000,unnest=true";

        /** {@code batch.size=N,tasks.max=N,max.poll.records=N,unnest=true|false}; missing keys take the default's. */
        static Config parse(String spec) {
            Map<String, String> values = new LinkedHashMap<>(); // in this order in the error message
            values.put("batch.size", "2000");
            values.put("tasks.max", "3");
            values.put("max.poll.records", "2000");
            values.put("unnest", "true");
            for (String part : spec.split(",")) {
                String[] kv = part.strip().split("=", 2);
                if (kv.length != 2 || !values.containsKey(kv[0].strip())) {
                    throw new IllegalArgumentException("--peer-config: '" + part.strip() + "' is not one of "
                            + String.join("=.., ", values.keySet()) + "=.. (in '" + spec + "')");
                }
                values.put(kv[0].strip(), kv[1].strip());
            }
            String unnest = values.get("unnest");
            if (!unnest.equals("true") && !unnest.equals("false")) {
                throw new IllegalArgumentException("--peer-config: unnest must be true or false, was '" + unnest + "'");
            }
            return new Config(
                    positive(values, "batch.size"),
                    positive(values, "tasks.max"),
                    positive(values, "max.poll.records"),
                    Boolean.parseBoolean(unnest));
        }

        private static int positive(Map<String, String> values, String key) {
            try {
                int value = Integer.parseInt(values.get(key).replace("_", ""));
                Harness.positive("--peer-config " + key, value);
                return value;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        "--peer-config: " + key + " must be a whole number, was '" + values.get(key) + "'");
            }
        }

        String describe() {
            return "batch.size=" + batchSize + ", tasks.max=" + tasks + ", consumer.override.max.poll.records="
                    + maxPollRecords + ", dialect.postgres.unnest.insert.enabled=" + unnest;
        }
    }

    private final Harness harness;
    private final PeerOptions options;
    private final String compression;
    private final int timeoutSeconds;
    private final Consumer<String> table;
    private final Consumer<String> details;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    /**
     * @param table receives result rows ({@link Harness#row}) for the benchmark's table
     * @param details receives detail lines for the report
     */
    ConnectPeer(
            Harness harness,
            PeerOptions options,
            String compression,
            int timeoutSeconds,
            Consumer<String> table,
            Consumer<String> details) {
        this.harness = harness;
        this.options = options;
        this.compression = compression;
        this.timeoutSeconds = timeoutSeconds;
        this.table = table;
        this.details = details;
    }

    /** Runs every configuration on the first {@code events.count()} events; the service's table must be complete. */
    void run(Connection su, TurnEvents events, int partitions) throws Exception {
        Path parts = options.parts().toAbsolutePath().normalize();
        Path lib = parts.resolve("lib");
        Path plugins = parts.resolve("plugins");
        if (!Files.isDirectory(lib) || !Files.isDirectory(plugins.resolve("debezium-connector-jdbc"))) {
            throw new IllegalStateException("--peer connect: no Kafka Connect parts in " + parts
                    + " (lib/ and plugins/debezium-connector-jdbc/): build them with"
                    + " `./mvnw -B -f benchmarks/connect-peer/pom.xml package` or pass --peer-parts");
        }
        long n = events.count();
        // the latency phase's rows come after these n in ingested_at order: ranks n/10 and 9n/10 are the throughput
        // phase's
        double[] serviceSteady = steadyByIngestedAt(su, SERVICE_TABLE, "", n);
        publish(events, partitions);
        details.accept("peer: Kafka Connect " + version(lib, "connect-runtime-") + " standalone worker (child JVM -Xmx"
                + options.heap + ", classpath " + shown(lib) + ") + Debezium JDBC sink "
                + version(plugins.resolve("debezium-connector-jdbc"), "debezium-connector-jdbc-")
                + " (plugin archive unpacked into plugin.path " + shown(plugins) + "); topic " + TOPIC + " ("
                + partitions + " partitions, the same rows as Connect JSON with schemas, keyed by session id);"
                + " insert.mode=upsert, primary.key.mode=record_value, primary.key.fields=id, schema.evolution=none;"
                + " progress polled every 200 ms as pg_stat_user_tables.n_tup_ins (flushed by the sink's backends at"
                + " most once a second while busy, so the end is seen up to ~1 s late), count(*) checked at the end");
        details.accept(String.format(
                Locale.ROOT,
                "  ingest-service's rows (throughput phase) by ingested_at (each row's transaction start), the"
                        + " same measure as the peer's below: 10%% -> 90%% %,.0f rows in %.1f s = %,.0f rows/s",
                serviceSteady[0],
                serviceSteady[1],
                serviceSteady[0] / serviceSteady[1]));
        List<Config> configs = options.configs();
        double best = 0;
        String bestLabel = "";
        for (int i = 0; i < configs.size(); i++) {
            double steady = runOne(su, events, i + 1, configs.get(i), lib, plugins);
            if (steady > best) {
                best = steady;
                bestLabel = "#" + (i + 1) + " (" + configs.get(i).describe() + ")";
            }
        }
        if (best > 0) {
            double serviceRate = serviceSteady[0] / serviceSteady[1];
            details.accept(String.format(
                    Locale.ROOT,
                    "  => steady 10%% -> 90%% by ingested_at: ingest-service %,.0f rows/s vs the peer's best %s"
                            + " %,.0f rows/s: service %.2fx the peer",
                    serviceRate,
                    bestLabel,
                    best,
                    serviceRate / best));
        }
    }

    /** Publishes the rows as Connect JSON with schemas (not timed). */
    private void publish(TurnEvents events, int partitions) throws Exception {
        try (Admin admin = harness.admin()) {
            if (!admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(TOPIC)) {
                admin.createTopics(List.of(new NewTopic(TOPIC, partitions, (short) 1)))
                        .all()
                        .get(30, TimeUnit.SECONDS);
            }
        }
        Map<String, Object> config = harness.producerConfig(20, 512 * 1024);
        config.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 128L * 1024 * 1024);
        config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, compression);
        config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 4 * 1024 * 1024);
        AtomicReference<Exception> failure = new AtomicReference<>();
        Callback callback = (metadata, e) -> {
            if (e != null) failure.compareAndSet(null, e);
        };
        long bytes = 0;
        long started = System.nanoTime();
        String schema = JSON.writeValueAsString(schema());
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
            for (long i = 0; i < events.count() && failure.get() == null; i++) {
                TurnRow row = TurnRow.of(events.event(i));
                String value = envelope(schema, row);
                bytes += value.length();
                producer.send(new ProducerRecord<>(TOPIC, row.sessionId().toString(), value), callback);
            }
            producer.flush();
        }
        if (failure.get() != null) throw new IllegalStateException("publishing to " + TOPIC + " failed", failure.get());
        double seconds = (System.nanoTime() - started) / 1e9;
        out(String.format(
                Locale.ROOT,
                "peer: published %,d rows to %s as Connect JSON with schemas in %.1f s (%.0f bytes/value on average,"
                        + " the schema in each)",
                events.count(),
                TOPIC,
                seconds,
                (double) bytes / events.count()));
    }

    /** The Connect schema of a row (JsonConverter's JSON form), Debezium's semantic types on uuid/jsonb/timestamptz. */
    static ObjectNode schema() {
        ObjectNode schema = JSON.createObjectNode();
        schema.put("type", "struct");
        schema.put("name", "promptloop.bench.TurnRow");
        schema.put("optional", false);
        ArrayNode fields = schema.putArray("fields");
        field(fields, "id", "string", false, "io.debezium.data.Uuid");
        field(fields, "session_id", "string", false, "io.debezium.data.Uuid");
        field(fields, "turn_number", "int32", false, null);
        field(fields, "user_message", "string", false, null);
        field(fields, "agent_response", "string", false, null);
        field(fields, "occurred_at", "string", false, "io.debezium.time.ZonedTimestamp");
        field(fields, "processing_time_ms", "int32", true, null);
        field(fields, "search_results", "string", true, "io.debezium.data.Json");
        field(fields, "avg_similarity", "double", true, null);
        field(fields, "total_chunks", "int32", true, null);
        field(fields, "confidence_score", "double", true, null);
        field(fields, "template_used", "string", true, null);
        field(fields, "instruction_id", "string", true, "io.debezium.data.Uuid");
        field(fields, "metadata", "string", false, "io.debezium.data.Json");
        return schema;
    }

    private static void field(ArrayNode fields, String name, String type, boolean optional, String semantic) {
        ObjectNode f = fields.addObject();
        f.put("field", name);
        f.put("type", type);
        f.put("optional", optional);
        if (semantic != null) {
            f.put("name", semantic);
            f.put("version", 1);
        }
    }

    /** {@code {"schema":..., "payload":...}} of one row, {@code schema} already serialized. */
    static String envelope(String schema, TurnRow row) {
        ObjectNode p = JSON.createObjectNode();
        p.put("id", row.id().toString());
        p.put("session_id", row.sessionId().toString());
        p.put("turn_number", row.turnNumber());
        p.put("user_message", row.userMessage());
        p.put("agent_response", row.agentResponse());
        p.put("occurred_at", row.occurredAt().toString()); // ISO-8601 with offset Z, as ZonedTimestamp carries
        p.put("processing_time_ms", row.processingTimeMs());
        p.put("search_results", row.searchResults());
        p.put("avg_similarity", row.avgSimilarity());
        p.put("total_chunks", row.totalChunks());
        p.put("confidence_score", row.confidenceScore());
        p.put("template_used", row.templateUsed());
        p.put(
                "instruction_id",
                row.instructionId() == null ? null : row.instructionId().toString());
        p.put("metadata", row.metadata());
        return "{\"schema\":" + schema + ",\"payload\":" + JSON.writeValueAsString(p) + "}";
    }

    /** The worker's properties (standalone mode). */
    static Properties workerProperties(
            String bootstrapServers, int restPort, Path offsets, Path plugins, Config config) {
        Properties p = new Properties();
        p.setProperty("bootstrap.servers", bootstrapServers);
        p.setProperty("key.converter", "org.apache.kafka.connect.storage.StringConverter");
        p.setProperty("value.converter", "org.apache.kafka.connect.json.JsonConverter");
        p.setProperty("value.converter.schemas.enable", "true");
        p.setProperty("offset.storage.file.filename", offsets.toString());
        p.setProperty("offset.flush.interval.ms", "10000");
        p.setProperty("plugin.path", plugins.toString());
        p.setProperty("listeners", "http://127.0.0.1:" + restPort);
        p.setProperty("rest.advertised.host.name", "127.0.0.1");
        p.setProperty("rest.advertised.port", Integer.toString(restPort));
        // lets the connector set its consumer's max.poll.records (consumer.override.*)
        p.setProperty("connector.client.config.override.policy", "All");
        return p;
    }

    /** The Debezium JDBC sink connector's properties. */
    static Properties connectorProperties(String name, DatabaseLogin login, String table, Config config) {
        Properties p = new Properties();
        p.setProperty("name", name);
        p.setProperty("connector.class", CONNECTOR_CLASS);
        p.setProperty("tasks.max", Integer.toString(config.tasks()));
        p.setProperty("topics", TOPIC);
        p.setProperty("connection.url", login.jdbcUrl());
        p.setProperty("connection.username", login.user());
        p.setProperty("connection.password", login.password());
        p.setProperty("insert.mode", "upsert");
        p.setProperty("primary.key.mode", "record_value");
        p.setProperty("primary.key.fields", "id");
        p.setProperty("schema.evolution", "none");
        p.setProperty("delete.enabled", "false");
        p.setProperty("collection.name.format", table);
        p.setProperty("use.time.zone", "UTC");
        p.setProperty("batch.size", Integer.toString(config.batchSize()));
        p.setProperty("dialect.postgres.unnest.insert.enabled", Boolean.toString(config.unnest()));
        p.setProperty("consumer.override.max.poll.records", Integer.toString(config.maxPollRecords()));
        return p;
    }

    /** One worker run; returns its steady rows/s by ingested_at, or 0 when it did not complete. */
    private double runOne(Connection su, TurnEvents events, int index, Config config, Path lib, Path plugins)
            throws Exception {
        long n = events.count();
        String name = "peer-" + index;
        String peerTable = Baselines.createTable(su, "turns_connect_" + index);
        Path dir = Files.createTempDirectory("promptloop-connect-");
        int port = FreePorts.orFree(0);
        Path worker = write(
                dir.resolve("worker.properties"),
                workerProperties(
                        harness.infra.kafkaBootstrapServers(), port, dir.resolve("connect.offsets"), plugins, config));
        Path connector = write(
                dir.resolve("connector.properties"),
                connectorProperties(name, harness.infra.superuserLogin(), peerTable, config));
        Path log = Harness.targetDirectory().resolve("bench-logs").resolve("connect-" + index + ".log");
        Files.deleteIfExists(log);
        out("peer #" + index + ": " + config.describe());
        checkpoint(su);
        String lsn = currentLsn(su);
        CpuMeter.Snapshot cpuStart = harness.cpu.snapshot();
        long launched = System.nanoTime();
        ChildProcess child = ChildProcess.start(
                "kafka-connect",
                List.of(
                        ChildProcess.javaExecutable(),
                        "-Xmx" + options.heap,
                        "-XX:+ExitOnOutOfMemoryError",
                        "-Dorg.slf4j.simpleLogger.defaultLogLevel=info",
                        "-Dorg.slf4j.simpleLogger.showDateTime=true",
                        "-cp",
                        lib + "/*",
                        "org.apache.kafka.connect.cli.ConnectStandalone",
                        worker.toString(),
                        connector.toString()),
                dir,
                log);
        Thread hook = new Thread(() -> child.stop(Duration.ofSeconds(30)), "bench-stop-" + name);
        Runtime.getRuntime().addShutdownHook(hook);
        harness.cpu.add("kafka-connect", child.pid(), false);
        List<long[]> samples = new ArrayList<>();
        long firstRow = -1;
        long end = -1;
        long rows = 0;
        long deadline = launched + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        long nextPoll = System.nanoTime();
        long nextStatus = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        long nextProgress = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        CpuMeter.Snapshot cpuEnd;
        Map<String, Long> threadsEnd;
        try (PreparedStatement inserted = su.prepareStatement(
                        "SELECT coalesce(n_tup_ins, 0) FROM pg_stat_user_tables WHERE relid = ?::regclass");
                PreparedStatement count = su.prepareStatement("SELECT count(*) FROM " + peerTable)) {
            inserted.setString(1, peerTable);
            while (true) {
                if (!child.isAlive()) {
                    throw new IllegalStateException("the Connect worker exited (" + child.exitDescription()
                            + "); last lines of " + shown(log) + ":\n" + ChildProcess.tail(log, 40));
                }
                long now = System.nanoTime();
                if (now >= nextPoll) {
                    rows = single(inserted);
                    long at = System.nanoTime();
                    samples.add(new long[] {at, rows});
                    if (rows > 0 && firstRow < 0) firstRow = at;
                    if (rows >= n && single(count) >= n) {
                        end = at;
                        break;
                    }
                    nextPoll += TimeUnit.MILLISECONDS.toNanos(200);
                }
                if (now >= nextStatus) {
                    failedTask(port, name).ifPresent(trace -> {
                        throw new IllegalStateException(
                                "the Debezium JDBC sink task failed (" + config.describe() + "): " + trace);
                    });
                    nextStatus += TimeUnit.SECONDS.toNanos(2);
                }
                if (now > nextProgress) {
                    out(String.format(Locale.ROOT, "  ... %,d of %,d rows stored", rows, n));
                    nextProgress += TimeUnit.SECONDS.toNanos(30);
                }
                if (now > deadline) break;
                LockSupport.parkNanos(Math.max(TimeUnit.MILLISECONDS.toNanos(10), nextPoll - System.nanoTime()));
            }
            cpuEnd = harness.cpu.snapshot();
            threadsEnd = CpuMeter.threadTicks(child.pid());
        } finally {
            out("stopping the Connect worker (SIGTERM)");
            boolean graceful = child.stop(Duration.ofSeconds(30));
            Runtime.getRuntime().removeShutdownHook(hook);
            deleteTree(dir); // the properties (with the database password) and the offsets file
            details.accept("peer #" + index + " (" + config.describe() + "), worker pid " + child.pid() + ", REST on"
                    + " 127.0.0.1:" + port + ", log " + shown(log) + "; stop: "
                    + (graceful ? child.exitDescription() : "killed after ignoring SIGTERM for 30 s"));
        }
        long wal = walSince(su, lsn);
        if (end < 0) {
            details.accept(
                    String.format(Locale.ROOT, "  TIMED OUT after %d s with %,d of %,d rows", timeoutSeconds, rows, n));
            dropTable(su, peerTable);
            return 0;
        }
        String label = "peer #" + index + " Connect + Debezium JDBC sink";
        double fromLaunch = (end - launched) / 1e9;
        table.accept(row(label + ", from worker launch", n, fromLaunch));
        double[] polled = Harness.steadyState(samples, n);
        if (polled != null) table.accept(row("  same, steady state (10% -> 90% of rows)", (long) polled[0], polled[1]));
        double[] steady = steadyByIngestedAt(su, peerTable, "", n);
        details.accept(String.format(
                Locale.ROOT,
                "  %.1f s from worker launch to %,d rows (first row %.1f s after launch); steady 10%% -> 90%% by"
                        + " ingested_at: %,.0f rows in %.1f s = %,.0f rows/s",
                fromLaunch,
                n,
                (firstRow - launched) / 1e9,
                steady[0],
                steady[1],
                steady[0] / steady[1]));
        details.accept("  CPU from worker launch to the last row: " + CpuMeter.report(cpuStart, cpuEnd, harness.cpus));
        details.accept(
                "  Connect worker threads by CPU (digits -> N): " + CpuMeter.topThreads(Map.of(), threadsEnd, 8));
        details.accept(
                String.format(Locale.ROOT, "  WAL: %.0f MiB, %,.0f bytes/row", wal / 1048576.0, (double) wal / n));
        Fingerprint peer = fingerprint(su, peerTable, "");
        // the service's table also holds the latency phase's rows: compared on the peer's ids, with both counts
        Fingerprint service = fingerprint(su, SERVICE_TABLE, " WHERE id IN (SELECT id FROM " + peerTable + ")");
        details.accept(String.format(
                Locale.ROOT,
                "  table %s: count(*) %,d, content hash %d, %.0f MiB with indexes; ingest-service's (throughput"
                        + " phase rows, matched by id): count %,d, hash %d => %s",
                peerTable,
                peer.rows(),
                peer.hash(),
                peer.bytes() / 1048576.0,
                service.rows(),
                service.hash(),
                peer.rows() == n && service.rows() == n && peer.hash() == service.hash() ? "EQUAL" : "DIFFERENT"));
        dropTable(su, peerTable); // ~2 GiB each: one at a time
        return steady[0] / steady[1];
    }

    /** The trace of a FAILED connector or task, from the worker's REST API; empty while running or not yet up. */
    private Optional<String> failedTask(int port, String name) {
        try {
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/connectors/" + name + "/status"))
                            .timeout(Duration.ofSeconds(2))
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) return Optional.empty();
            JsonNode status = JSON.readTree(response.body());
            List<JsonNode> states = new ArrayList<>();
            states.add(status.path("connector"));
            status.path("tasks").forEach(states::add);
            for (JsonNode s : states) {
                if (s.path("state").asString("").equals("FAILED")) {
                    return Optional.of(s.path("trace").asString("(no trace)"));
                }
            }
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    private record Fingerprint(long rows, long hash, long bytes) {}

    /** Row count and the hash over the columns the service writes, as the benchmark's other tables are compared. */
    private static Fingerprint fingerprint(Connection su, String table, String where) throws SQLException {
        try (Statement s = su.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*), coalesce(sum(hashtext(concat_ws('|', " + TurnRow.COLUMNS
                        + "))), 0), pg_total_relation_size('" + table + "') FROM " + table + where)) {
            rs.next();
            return new Fingerprint(rs.getLong(1), rs.getLong(2), rs.getLong(3));
        }
    }

    /**
     * {rows, seconds} between the rows at ranks n/10 and 9n/10 by {@code ingested_at} (the default now(): each
     * row's transaction start), the same measure for the service and the peer.
     */
    private static double[] steadyByIngestedAt(Connection su, String table, String where, long n) throws SQLException {
        try (PreparedStatement ps = su.prepareStatement("SELECT extract(epoch FROM ingested_at) FROM " + table + where
                + " ORDER BY ingested_at OFFSET ? LIMIT 1")) {
            ps.setLong(1, n / 10);
            double low = epoch(ps);
            ps.setLong(1, n * 9 / 10);
            double high = epoch(ps);
            return new double[] {n * 9 / 10 - n / 10, high - low};
        }
    }

    private static double epoch(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) throw new IllegalStateException("fewer rows than expected");
            return rs.getDouble(1);
        }
    }

    private static void dropTable(Connection su, String table) throws SQLException {
        try (Statement s = su.createStatement()) {
            s.execute("DROP TABLE IF EXISTS " + table);
        }
    }

    private static void deleteTree(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder())
                    .forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            out("  (could not remove " + dir.getFileName() + ": " + e.getMessage() + ")");
        }
    }

    private static Path write(Path file, Properties properties) {
        StringWriter text = new StringWriter();
        try {
            properties.store(text, "written by the ingest benchmark's peer phase");
            Files.writeString(file, text.toString(), StandardCharsets.UTF_8);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The version in a jar's file name, e.g. 4.3.0 from connect-runtime-4.3.0.jar, or "?". */
    private static String version(Path dir, String prefix) throws IOException {
        try (var files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString())
                    .filter(f -> f.startsWith(prefix) && f.endsWith(".jar"))
                    .map(f -> f.substring(prefix.length(), f.length() - ".jar".length()))
                    .findFirst()
                    .orElse("?");
        }
    }
}
