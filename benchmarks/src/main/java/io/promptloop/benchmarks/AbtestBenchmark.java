package io.promptloop.benchmarks;

import static io.promptloop.benchmarks.Harness.fmt;
import static io.promptloop.benchmarks.Harness.micros;
import static io.promptloop.benchmarks.Harness.out;
import static io.promptloop.benchmarks.Harness.row;
import static io.promptloop.benchmarks.Harness.shown;

import io.apicurio.registry.serde.avro.AvroKafkaDeserializer;
import io.apicurio.registry.serde.avro.AvroKafkaSerializer;
import io.promptloop.avro.abtest.AbDecisionEvent;
import io.promptloop.avro.abtest.TestConcluded;
import io.promptloop.avro.observation.ObservationRecorded;
import io.promptloop.avro.routing.InstructionRouting;
import io.promptloop.schemas.Topics;
import io.promptloop.testkit.DatabaseLogin;
import io.promptloop.testkit.PromptloopInfrastructure;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;

/**
 * Benchmark (not a test) of abtest-service (DESIGN.md "A/B service" and "Measuring"; issue 4: "observations/s
 * through the service and the time from the decisive observation to the routing update"). In one run: start the
 * test kit's Kafka, PostgreSQL 17 and registry; (1) throughput: pre-produce N observations for a few running
 * tests that cannot conclude, start abtest-service as a child JVM and time it counting them, then count the same
 * observations with the least JDBC work on the same PostgreSQL; (2) decision latency: for each analysis interval,
 * start the service, feed fresh tests with a real effect at a fixed rate and time the decisive observation to the
 * {@code rolled_out} routing record. See benchmarks/README.md.
 */
public final class AbtestBenchmark {

    static final String OBSERVATIONS = Topics.AB_OBSERVATIONS.name();
    static final String ROUTING = Topics.INSTRUCTION_ROUTING.name();
    static final String DECISIONS = Topics.AB_DECISIONS.name();
    /** The service's defaults (AbtestProperties); the throughput phase runs with them. */
    static final Duration DEFAULT_ANALYSIS_INTERVAL = Duration.ofSeconds(2);
    /** How often the throughput phase reads the count. */
    private static final long POLL_MILLIS = 100;
    /** The throughput phase's two parts: the warm-up's tests and observations get seeds of their own. */
    private enum Part {
        WARM_UP("warm-up", 0x3A7DL),
        MEASURED("throughput", 0);

        final String label;
        final long seedMix;

        Part(String label, long seedMix) {
            this.label = label;
            this.seedMix = seedMix;
        }
    }

    private static final Observations.Arm EVEN = new Observations.Arm(0.70, 0.10, 0.95, 250);
    private static final Observations.Arm LATENCY_BASELINE = new Observations.Arm(0.60, 0.15, 0.97, 300);
    private static final Observations.Arm LATENCY_TREATMENT = new Observations.Arm(0.72, 0.15, 0.97, 300);

    private final AbtestOptions options;
    private Harness harness;
    private CpuMeter cpu;
    private final List<String> table = new ArrayList<>();
    private final List<String> details = new ArrayList<>();
    private final List<String> latencySummary = new ArrayList<>();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private PromptloopInfrastructure infra;
    private int cpus;
    private int partitions;
    private int maxPollRecords = 1000;

    private AbtestBenchmark(AbtestOptions options) {
        this.options = options;
    }

    public static void main(String[] args) {
        Harness.main(args, new AbtestOptions(), options -> new AbtestBenchmark(options).run());
    }

    private void run() throws Exception {
        Path serviceJar =
                options.service.serviceJar != null ? options.service.serviceJar : Harness.moduleJar("abtest-service");
        Path logs = Harness.targetDirectory().resolve("bench-logs");
        Harness.header("abtest-service");
        out(String.format(
                Locale.ROOT,
                "options: --observations %d --warm-observations %d --tests %d --latency-rate %d --latency-tests %d --latency-max %d "
                        + "--analysis-interval %s --relay-interval %s --seed %d --service-heap %s",
                options.observations(),
                options.warmObservations(),
                options.tests(),
                options.latencyRate(),
                options.latencyTests(),
                options.latencyMaxObservations(),
                String.join(
                        ",",
                        options.analysisIntervals().stream()
                                .map(AbtestOptions::spring)
                                .toList()),
                AbtestOptions.spring(options.relayInterval()),
                options.service.seed,
                options.service.serviceHeap));
        harness = new Harness(logs);
        infra = harness.infra;
        cpu = harness.cpu;
        cpus = harness.cpus;
        try (Admin admin = harness.admin()) {
            partitions = Harness.partitions(admin, OBSERVATIONS);
            conditions(serviceJar, admin);
            try (Connection su = harness.superuser()) {
                if (options.observations() > 0) throughput(serviceJar, logs, su, admin);
                if (options.latencyTests() > 0) {
                    for (Duration interval : options.analysisIntervals()) {
                        latency(serviceJar, logs, su, admin, interval);
                    }
                }
            }
        }
        printReport();
    }

    // --- conditions ---------------------------------------------------------------------------------------------

    private void conditions(Path serviceJar, Admin admin) throws SQLException {
        List<String> settings = Harness.settings(
                serviceJar, List.of("concurrency:", "max-poll-records:", "isolation-level:", "maximum-pool-size:"));
        maxPollRecords = Harness.setting(settings, "max-poll-records", maxPollRecords);
        String pollOverride = options.serviceProperties().get("spring.kafka.consumer.max-poll-records");
        if (pollOverride != null) maxPollRecords = Integer.parseInt(pollOverride.strip());
        if (!options.serviceProperties().isEmpty()) {
            settings = new ArrayList<>(settings);
            settings.add("overridden by --service-property: " + options.serviceProperties());
        }
        harness.conditions(
                "abtest-service",
                serviceJar,
                options.service.jvm(),
                OBSERVATIONS + ": " + partitions + " partitions, " + ROUTING + ": "
                        + Harness.partitions(admin, ROUTING) + " partitions (compacted), " + DECISIONS + ": "
                        + Harness.partitions(admin, DECISIONS) + " partitions",
                String.join(", ", settings) + " (listener concurrency = consumers of " + OBSERVATIONS
                        + "; max-poll-records = observations per batch and transaction at most); relay interval "
                        + AbtestOptions.spring(options.relayInterval()));
    }

    // --- the service --------------------------------------------------------------------------------------------

    private Map<String, Object> serviceProperties(Duration analysisInterval) {
        Map<String, Object> properties = new java.util.LinkedHashMap<>(options.serviceProperties());
        properties.put("promptloop.abtest.analysis.interval", AbtestOptions.spring(analysisInterval));
        properties.put("promptloop.abtest.relay.interval", AbtestOptions.spring(options.relayInterval()));
        return properties;
    }

    private ServiceProcess startService(Path jar, Path log, Duration analysisInterval) throws IOException {
        ServiceProcess service = harness.startService(
                "abtest-service", jar, options.service.jvm(), "abtest_app", serviceProperties(analysisInterval), log);
        out("abtest-service: pid " + service.pid() + ", -Xmx" + options.service.serviceHeap + ", port " + service.port()
                + ", analysis interval " + AbtestOptions.spring(analysisInterval) + ", log " + shown(log));
        this.service = service;
        return service;
    }

    /** The service the phases talk to. */
    private ServiceProcess service;

    private boolean healthy() {
        try {
            HttpRequest request = HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + service.port() + "/actuator/health/readiness"))
                    .timeout(Duration.ofSeconds(2))
                    .GET()
                    .build();
            return http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    // --- (1) throughput -----------------------------------------------------------------------------------------

    private void throughput(Path serviceJar, Path logs, Connection su, Admin admin) throws Exception {
        long n = options.observations();
        long w = options.warmObservations();
        List<Observations.Test> warmTests = List.of();
        if (w > 0) {
            // produced first: every partition holds the warm-up observations before the measured ones
            warmTests = createThroughputTests(su, options.tests(), Part.WARM_UP);
            produce(
                    new Observations(options.service.seed ^ Part.WARM_UP.seedMix, warmTests, EVEN, EVEN),
                    w,
                    Part.WARM_UP);
        }
        List<Observations.Test> tests = createThroughputTests(su, options.tests(), Part.MEASURED);
        Observations stream = new Observations(options.service.seed, tests, EVEN, EVEN);
        produce(stream, n, Part.MEASURED);
        Harness.checkpoint(su);
        String lsn = Harness.currentLsn(su);
        Path serviceLog = logs.resolve("abtest-service-throughput.log");
        ServiceProcess service = startService(serviceJar, serviceLog, DEFAULT_ANALYSIS_INTERVAL);
        HeapSampler heap = HeapSampler.jstat(service);
        Object[] ids = tests.stream().map(Observations.Test::id).toArray();
        String countedSql = "SELECT coalesce(sum(n), 0) FROM abtest.variant_statistics WHERE test_id = ANY(?)";
        try (service;
                heap;
                PreparedStatement progress = su.prepareStatement(countedSql);
                PreparedStatement warmProgress = su.prepareStatement(countedSql)) {
            progress.setArray(1, su.createArrayOf("uuid", ids));
            warmProgress.setArray(
                    1,
                    su.createArrayOf(
                            "uuid",
                            warmTests.stream().map(Observations.Test::id).toArray()));
            CpuMeter.Snapshot cpuWarm = null;
            Map<String, Long> threadsWarm = Map.of();
            long warmEnd = -1;
            long countedAtWarmEnd = 0;
            CpuMeter.Snapshot cpuStart = cpu.snapshot();
            CpuMeter.Snapshot cpuAssigned = null;
            Map<String, Long> threadsAssigned = Map.of();
            long start = service.startedNanos();
            long deadline = start + TimeUnit.SECONDS.toNanos(options.service.timeoutSeconds);
            long assigned = -1;
            long countedAtAssigned = 0;
            long firstCounted = -1;
            long end = -1;
            long counted = 0;
            List<long[]> samples = new ArrayList<>();
            long nextPoll = System.nanoTime();
            long nextProgress = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (true) {
                if (!service.isAlive()) {
                    throw new IllegalStateException(
                            "abtest-service exited; last lines of " + service.log() + ":\n" + service.tail(40));
                }
                long now = System.nanoTime();
                if (assigned < 0 && harness.allPartitionsAssigned(admin, OBSERVATIONS, partitions)) {
                    assigned = System.nanoTime();
                    cpuAssigned = cpu.snapshot();
                    threadsAssigned = CpuMeter.threadTicks(service.pid());
                    countedAtAssigned = Harness.single(progress);
                    out(String.format(
                            Locale.ROOT,
                            "abtest-service: all %d %s partitions assigned %.1f s after process start (%,d counted "
                                    + "by then): %s",
                            partitions,
                            OBSERVATIONS,
                            (assigned - start) / 1e9,
                            countedAtAssigned,
                            harness.assignmentSeen()));
                }
                if (now >= nextPoll) {
                    // the warm-up's count first: once it is complete, the measured count read after it bounds what
                    // was counted of the measured observations before the warm part began
                    long warmCounted = w > 0 && warmEnd < 0 ? Harness.single(warmProgress) : w;
                    counted = Harness.single(progress);
                    long at = System.nanoTime();
                    samples.add(new long[] {at, counted});
                    if (warmCounted + counted > 0 && firstCounted < 0) {
                        firstCounted = at;
                        if (cpuAssigned == null) cpuAssigned = cpu.snapshot();
                    }
                    if (w > 0 && warmEnd < 0 && warmCounted >= w) {
                        warmEnd = at;
                        countedAtWarmEnd = counted;
                        cpuWarm = cpu.snapshot();
                        threadsWarm = CpuMeter.threadTicks(service.pid());
                    }
                    if (counted >= n && (w == 0 || warmEnd >= 0)) {
                        end = at;
                        break;
                    }
                    nextPoll += TimeUnit.MILLISECONDS.toNanos(POLL_MILLIS);
                }
                if (now > nextProgress) {
                    out(String.format(Locale.ROOT, "  ... %,d of %,d observations counted", counted, n));
                    nextProgress += TimeUnit.SECONDS.toNanos(30);
                }
                if (now > deadline) break;
                long sleep = assigned < 0
                        ? TimeUnit.MILLISECONDS.toNanos(100)
                        : Math.max(TimeUnit.MILLISECONDS.toNanos(10), nextPoll - System.nanoTime());
                LockSupport.parkNanos(sleep);
            }
            CpuMeter.Snapshot cpuEnd = cpu.snapshot();
            Map<String, Long> threadsEnd = CpuMeter.threadTicks(service.pid());
            HeapSampler.Peak peak = heap.takePeak();
            long wal = Harness.walSince(su, lsn);
            if (end < 0) {
                throw new IllegalStateException(String.format(
                        Locale.ROOT,
                        "abtest-service counted %,d of %,d observations within %d s; see %s",
                        counted,
                        n,
                        options.service.timeoutSeconds,
                        serviceLog));
            }
            if (assigned < 0) {
                out("  (assignment of " + OBSERVATIONS + " not observed; last seen: " + harness.assignmentSeen()
                        + "; timing from the first counted observation instead)");
                assigned = firstCounted;
            }
            double fromAssigned = (end - assigned) / 1e9;
            double fromFirst = (end - firstCounted) / 1e9;
            if (w == 0) {
                table.add(row("abtest-service, Kafka -> PostgreSQL, from partitions assigned", n, fromAssigned));
                table.add(row(
                        "  same, from the first counted observation (poll every " + POLL_MILLIS + " ms)",
                        n,
                        fromFirst));
                double[] steady = Harness.steadyState(samples, n);
                if (steady != null) {
                    table.add(row("  same, steady state (10% -> 90% counted)", (long) steady[0], steady[1]));
                }
                table.add(row("  same, from `java -jar` (JVM + Spring start included)", n, (end - start) / 1e9));
            } else {
                table.add(row(
                        "abtest-service, from partitions assigned to the warm-up counted (cold JVM)",
                        w + countedAtWarmEnd,
                        (warmEnd - assigned) / 1e9));
                warmRate = (n - countedAtWarmEnd) / ((end - warmEnd) / 1e9);
                table.add(row(
                        "  same, warm JVM: the measured observations counted after the warm-up",
                        n - countedAtWarmEnd,
                        (end - warmEnd) / 1e9));
                table.add(
                        row("  same, all from `java -jar` (JVM + Spring start included)", w + n, (end - start) / 1e9));
            }
            long storedOffsets;
            double scoreSum;
            try (PreparedStatement ps = su.prepareStatement(
                    "SELECT (SELECT coalesce(sum(next_offset), 0) FROM abtest.observation_offsets WHERE topic = ?),"
                            + " (SELECT sum(score_sum) FROM abtest.variant_statistics WHERE test_id = ANY(?))")) {
                ps.setString(1, OBSERVATIONS);
                ps.setArray(2, su.createArrayOf("uuid", ids));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    storedOffsets = rs.getLong(1);
                    scoreSum = rs.getDouble(2);
                }
            }
            serviceScoreSum = scoreSum;
            details.add(String.format(
                    Locale.ROOT,
                    "abtest-service (throughput phase, %s s from assignment to %,d counted%s; first counted %.1f s"
                            + " after process start; progress = sum(variant_statistics.n), updated in the transaction"
                            + " that stores the partitions' next offsets, polled every %d ms):",
                    fmt(fromAssigned),
                    n,
                    w == 0
                            ? ""
                            : String.format(
                                    Locale.ROOT,
                                    " after %,d warm-up observations of %d other tests, produced before them",
                                    w,
                                    warmTests.size()),
                    (firstCounted - start) / 1e9,
                    POLL_MILLIS));
            details.add(String.format(
                    Locale.ROOT,
                    "  check: stored next offsets of %s summed over its partitions %,d (records read, warm-up"
                            + " included), sum(variant_statistics.n) %,d, sum(score_sum) %.6f; dead-lettered %d (%s)",
                    OBSERVATIONS,
                    storedOffsets,
                    counted,
                    scoreSum,
                    Harness.records(admin, Topics.AB_OBSERVATIONS.deadLetterTopic()),
                    Topics.AB_OBSERVATIONS.deadLetterTopic()));
            details.add("  heap: peak used " + peak.describe() + "; -Xmx" + options.service.serviceHeap);
            if (cpuWarm != null) {
                details.add("  CPU of the warm part (from the warm-up counted to the last count): "
                        + CpuMeter.report(cpuWarm, cpuEnd, cpus));
                details.add("  abtest-service threads by CPU in the warm part (digits -> N): "
                        + CpuMeter.topThreads(threadsWarm, threadsEnd, 8));
            }
            if (cpuAssigned != null) {
                details.add("  CPU from assignment to the last count: " + CpuMeter.report(cpuAssigned, cpuEnd, cpus));
                details.add(String.format(
                        Locale.ROOT,
                        "  CPU before that (JVM and Spring start-up, group join): abtest-service %.1f cpu-s",
                        CpuMeter.seconds(cpuStart, cpuAssigned, "abtest-service")));
            }
            details.add("  abtest-service threads by CPU from assignment (digits -> N): "
                    + CpuMeter.topThreads(threadsAssigned, threadsEnd, 8));
            details.add(String.format(
                    Locale.ROOT,
                    "  WAL: %.0f MiB, %,.0f bytes/observation (statistics updates, stored offsets, de-duplication window rows, interim analyses)",
                    wal / 1048576.0,
                    (double) wal / n));
            listenerFigures(service, n, fromAssigned);
            try (Statement s = su.createStatement();
                    ResultSet rs = s.executeQuery("SELECT count(*) FROM abtest.ab_interim_analyses"
                            + " WHERE test_id = ANY('{"
                            + String.join(
                                    ",",
                                    tests.stream().map(t -> t.id().toString()).toList()) + "}'::uuid[])")) {
                rs.next();
                details.add("  interim analyses stored meanwhile (a look per test every 2 s while new observations"
                        + " arrived; none concluded: min sample 1,000,000): " + rs.getLong(1));
            }
            out("stopping abtest-service (SIGTERM)");
            details.add("  abtest-service stop: " + service.stop(Duration.ofSeconds(60)));
        }
        runBaselines(su, stream, n, tests);
    }

    private double serviceScoreSum;
    /** The warm service's rate (obs/s) when the run had a warm-up, else NaN. */
    private double warmRate = Double.NaN;

    /** Tests created by SQL as running, ids chosen so that test t's key lands on partition t mod partitions. */
    private List<Observations.Test> createThroughputTests(Connection su, int count, Part part) throws SQLException {
        List<Observations.Test> tests = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(options.service.seed ^ 0x7E57L ^ part.seedMix);
        List<String> where = new ArrayList<>();
        for (int t = 0; t < count; t++) {
            int partition = t % partitions;
            UUID id;
            do {
                id = TurnEvents.uuid(random.nextLong(), random.nextLong());
            } while (partitionOf(id.toString()) != partition);
            String agent = "bench-" + part.label + "-" + t + "-" + id.toString().substring(0, 8);
            UUID baseline = instruction(su, agent, 1, "Answer the question.", true);
            UUID treatment = instruction(su, agent, 2, "Answer the question precisely.", false);
            try (PreparedStatement ps = su.prepareStatement("""
                    INSERT INTO abtest.prompt_ab_tests (test_id, agent_name, predictor_name, baseline_instruction_id,
                        treatment_instruction_id, status, started_at, min_sample_per_variant, max_sample_per_variant)
                    VALUES (?, ?, 'answer', ?, ?, 'running', now(), 1000000, 2000000) RETURNING salt
                    """)) {
                ps.setObject(1, id);
                ps.setString(2, agent);
                ps.setObject(3, baseline);
                ps.setObject(4, treatment);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    tests.add(new Observations.Test(id, rs.getString(1), agent, 0.5));
                }
            }
            where.add("test " + (t + 1) + " -> partition " + partition);
        }
        out(part.label + " tests: " + count + " tests created by SQL as 'running' (split 0.5, sequential, min sample"
                + " 1,000,000 per variant so that none concludes), keys = test ids: " + String.join(", ", where));
        return tests;
    }

    /** Kafka's default partitioner for a String key. */
    private int partitionOf(String key) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    private static UUID instruction(Connection su, String agent, int version, String text, boolean active)
            throws SQLException {
        try (PreparedStatement ps = su.prepareStatement("""
                INSERT INTO optimizer.optimized_instructions (agent_name, predictor_name, version, instruction_text,
                    instruction_hash, optimizer_type, is_active, activated_at)
                VALUES (?, 'answer', ?, ?, ?, 'manual', ?, CASE WHEN ? THEN now() END) RETURNING instruction_id
                """)) {
            ps.setString(1, agent);
            ps.setInt(2, version);
            ps.setString(3, text);
            ps.setString(4, sha256(text));
            ps.setBoolean(5, active);
            ps.setBoolean(6, active);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getObject(1, UUID.class);
            }
        }
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private Map<String, Object> producerConfig(int lingerMs) {
        Map<String, Object> config = harness.producerConfig(lingerMs, 256 * 1024);
        config.put("apicurio.registry.dereference-schema", true);
        return config;
    }

    private KafkaProducer<String, ObservationRecorded> producer(int lingerMs, LongAdder bytes) {
        Map<String, Object> config = producerConfig(lingerMs);
        AvroKafkaSerializer<ObservationRecorded> avro = new AvroKafkaSerializer<>();
        avro.configure(config, false);
        return new KafkaProducer<>(config, new StringSerializer(), (topic, data) -> {
            byte[] value = avro.serialize(topic, data);
            if (value != null && bytes != null) bytes.add(value.length);
            return value;
        });
    }

    private void produce(Observations stream, long n, Part part) throws Exception {
        LongAdder bytes = new LongAdder();
        AtomicReference<Exception> failure = new AtomicReference<>();
        Callback callback = (metadata, e) -> {
            if (e != null) failure.compareAndSet(null, e);
        };
        long started = System.nanoTime();
        try (KafkaProducer<String, ObservationRecorded> producer = producer(20, bytes)) {
            for (long i = 0; i < n && failure.get() == null; i++) {
                ObservationRecorded o = stream.observation(i);
                producer.send(new ProducerRecord<>(OBSERVATIONS, o.getTestId(), o), callback);
            }
            producer.flush();
        }
        if (failure.get() != null) throw new IllegalStateException("publishing failed", failure.get());
        double seconds = (System.nanoTime() - started) / 1e9;
        out(String.format(
                Locale.ROOT,
                "%s workload: %,d ObservationRecorded events, round robin over %d tests (%,d each), unit u<i> assigned"
                        + " by SHA-256(salt:unit), score ~ N(0.70, 0.10), success 95%%, latency ~ N(250, 50) ms,"
                        + " seed %d; Avro value %.0f bytes on average (Confluent framing included)",
                part.label,
                n,
                stream.tests().size(),
                n / stream.tests().size(),
                options.service.seed ^ part.seedMix,
                bytes.doubleValue() / n));
        out(String.format(
                Locale.ROOT,
                "pre-produced to %s in %.1f s (%,.0f/s; one producer, acks=all, linger.ms=20, keyed by test id)",
                OBSERVATIONS,
                seconds,
                n / seconds));
    }

    private void listenerFigures(ServiceProcess service, long n, double wall) {
        Map<String, Double> listener = service.metric("spring.kafka.listener");
        Map<String, Double> pool = service.metric("hikaricp.connections.usage");
        Double calls = listener.get("COUNT");
        Double total = listener.get("TOTAL_TIME");
        if (calls == null || total == null || calls == 0) {
            details.add("  listener timer spring.kafka.listener: not available");
            return;
        }
        details.add(String.format(
                Locale.ROOT,
                "  listener: %,.0f batch calls, %.0f observations/call, %.1f ms/call on average (max %.0f ms); the"
                        + " listener thread was busy %.0f%% of the phase",
                calls,
                n / calls,
                1000 * total / calls,
                1000 * listener.getOrDefault("MAX", 0.0),
                100 * total / wall));
        Double held = pool.get("TOTAL_TIME");
        if (held != null) {
            details.add(String.format(
                    Locale.ROOT,
                    "  JDBC connections held (hikaricp.connections.usage, all pool users incl. looks and relay):"
                            + " %.1f s",
                    held));
        }
    }

    // --- baselines ------------------------------------------------------------------------------------------------

    private void runBaselines(Connection su, Observations stream, long n, List<Observations.Test> tests)
            throws SQLException {
        DatabaseLogin login = infra.superuserLogin();
        record Baseline(String label, ObservationBaselines.BatchWriter writer) {}
        List<Baseline> baselines = List.of(
                new Baseline(
                        "(a) JDBC: batch INSERT ledger ON CONFLICT DO NOTHING + UPDATE sums",
                        ObservationBaselines.jdbcBatch()),
                new Baseline(
                        "(b) JDBC: unnest INSERT ledger .. RETURNING + UPDATE sums", ObservationBaselines.unnest()));
        double serviceRate = Double.parseDouble(table.getFirst().split("\\|")[3]);
        for (Baseline b : baselines) {
            out("baseline: " + b.label());
            ObservationBaselines.createTables(su, tests);
            Harness.checkpoint(su);
            String lsn = Harness.currentLsn(su);
            ObservationBaselines.Result result;
            CpuMeter.Snapshot from;
            CpuMeter.Snapshot to;
            try (Connection connection = Baselines.connect(login, "")) {
                from = cpu.snapshot();
                result = ObservationBaselines.run(b.label(), connection, stream, n, b.writer());
                to = cpu.snapshot();
            }
            long wal = Harness.walSince(su, lsn);
            table.add(row(b.label(), n, result.seconds()));
            details.add(String.format(
                    Locale.ROOT,
                    "%s: %.1f s timed (event generation and row building excluded); %,d counted;"
                            + " service / this = %.2f%s",
                    b.label(),
                    result.seconds(),
                    result.counted(),
                    serviceRate / result.rowsPerSecond(),
                    Double.isNaN(warmRate)
                            ? ""
                            : String.format(
                                    Locale.ROOT,
                                    " (from assignment), %.2f (warm JVM)",
                                    warmRate / result.rowsPerSecond())));
            details.add("  CPU (whole run incl. untimed row building): " + CpuMeter.report(from, to, cpus));
            details.add(String.format(
                    Locale.ROOT, "  WAL: %.0f MiB, %,.0f bytes/observation", wal / 1048576.0, (double) wal / n));
            try (Statement s = su.createStatement();
                    ResultSet rs = s.executeQuery("SELECT (SELECT count(*) FROM " + ObservationBaselines.LEDGER
                            + "), (SELECT sum(n) FROM " + ObservationBaselines.STATISTICS + "), (SELECT sum(score_sum)"
                            + " FROM " + ObservationBaselines.STATISTICS + ")")) {
                rs.next();
                details.add(String.format(
                        Locale.ROOT,
                        "  check: ledger count(*) %,d, sum(n) %,d, sum(score_sum) %.6f (service: %.6f)",
                        rs.getLong(1),
                        rs.getLong(2),
                        rs.getDouble(3),
                        serviceScoreSum));
            }
        }
    }

    // --- (2) decision latency -------------------------------------------------------------------------------------

    /** A record the watcher received: when (nanoTime and wall µs) and what. */
    record Seen(long nanos, long micros, String what) {}

    /** Reads instruction-routing and ab-decisions from their end, noting when each record arrives. */
    private final class Watcher implements AutoCloseable {
        final Map<String, List<Seen>> routing = new ConcurrentHashMap<>();
        final Map<String, List<Seen>> decisions = new ConcurrentHashMap<>();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final Thread thread;

        Watcher() throws InterruptedException {
            java.util.concurrent.CountDownLatch ready = new java.util.concurrent.CountDownLatch(1);
            thread = Thread.ofPlatform().daemon().name("bench-watcher").start(() -> watch(ready));
            if (!ready.await(30, TimeUnit.SECONDS)) throw new IllegalStateException("watcher did not start");
        }

        private void watch(java.util.concurrent.CountDownLatch ready) {
            Map<String, Object> config = new HashMap<>();
            config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafkaBootstrapServers());
            config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            config.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
            Map<String, Object> registry = new HashMap<>();
            registry.put("apicurio.registry.url", infra.registry().apiV3Url());
            registry.put("apicurio.registry.id-handler", "io.apicurio.registry.serde.Default4ByteIdHandler");
            registry.put("apicurio.registry.use-id", "contentId");
            registry.put("apicurio.registry.headers.enabled", false);
            registry.put("apicurio.registry.use-specific-avro-reader", true);
            try (var consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
                    var avro = new AvroKafkaDeserializer<Object>()) {
                avro.configure(registry, false);
                List<TopicPartition> all = new ArrayList<>();
                for (String topic : List.of(ROUTING, DECISIONS)) {
                    consumer.partitionsFor(topic).forEach(p -> all.add(new TopicPartition(topic, p.partition())));
                }
                consumer.assign(all);
                consumer.seekToEnd(all);
                all.forEach(consumer::position); // resolve the end offsets now
                ready.countDown();
                while (running.get()) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(20))) {
                        long nanos = System.nanoTime();
                        long micros = micros(Instant.now());
                        Object value = avro.deserialize(r.topic(), r.value());
                        if (value instanceof InstructionRouting routed) {
                            String key = Topics.predictorKey(
                                    routed.getAgent().getAgentName(),
                                    routed.getAgent().getPredictorName());
                            routing.computeIfAbsent(key, k -> new java.util.concurrent.CopyOnWriteArrayList<>())
                                    .add(new Seen(nanos, micros, String.valueOf(routed.getReason())));
                        } else if (value instanceof AbDecisionEvent decision) {
                            String what = decision.getPayload() instanceof TestConcluded concluded
                                    ? "TestConcluded:" + concluded.getOutcome()
                                    : decision.getPayload().getClass().getSimpleName();
                            decisions
                                    .computeIfAbsent(
                                            decision.getTestId(),
                                            k -> new java.util.concurrent.CopyOnWriteArrayList<>())
                                    .add(new Seen(nanos, micros, what));
                        }
                    }
                }
            } catch (Throwable e) {
                failure.set(e);
                ready.countDown();
            }
        }

        Seen routing(String key, String reason) {
            check();
            return routing.getOrDefault(key, List.of()).stream()
                    .filter(s -> s.what().equals(reason))
                    .findFirst()
                    .orElse(null);
        }

        Seen decision(String testId, String prefix) {
            check();
            return decisions.getOrDefault(testId, List.of()).stream()
                    .filter(s -> s.what().startsWith(prefix))
                    .findFirst()
                    .orElse(null);
        }

        private void check() {
            if (failure.get() != null) throw new IllegalStateException("watcher failed", failure.get());
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join(5_000);
        }
    }

    /** One repetition's figures (ms; NaN when not observed). */
    record Repetition(
            int k,
            int previousK,
            int looks,
            int sent,
            double decisiveToRouting,
            double decisiveToConcluded,
            double afterPreviousLookToRouting,
            double sendToCounted,
            double countedToLook,
            double lookToReceived) {}

    private void latency(Path serviceJar, Path logs, Connection su, Admin admin, Duration interval) throws Exception {
        String label = AbtestOptions.spring(interval);
        out("");
        out("decision latency, analysis interval " + label + ", relay interval "
                + AbtestOptions.spring(options.relayInterval()) + ": " + options.latencyTests()
                + " fresh tests, each fed at " + options.latencyRate() + " observations/s (at most "
                + options.latencyMaxObservations() + ")");
        Path log = logs.resolve("abtest-service-latency-" + label + ".log");
        List<Repetition> reps = new ArrayList<>();
        try (Watcher watcher = new Watcher();
                ServiceProcess service = startService(serviceJar, log, interval)) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
            while (!harness.allPartitionsAssigned(admin, OBSERVATIONS, partitions) || !healthy()) {
                if (!service.isAlive()) {
                    throw new IllegalStateException(
                            "abtest-service exited; last lines of " + log + ":\n" + service.tail(40));
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "abtest-service not ready within 180 s: " + harness.assignmentSeen());
                }
                Thread.sleep(200);
            }
            out(String.format(
                    Locale.ROOT,
                    "  ready %.1f s after process start: %s",
                    (System.nanoTime() - service.startedNanos()) / 1e9,
                    harness.assignmentSeen()));
            CpuMeter.Snapshot from = cpu.snapshot();
            try (KafkaProducer<String, ObservationRecorded> producer = producer(0, null)) {
                for (int r = 1; r <= options.latencyTests(); r++) {
                    Repetition rep = repetition(su, watcher, producer, label, r);
                    reps.add(rep);
                    out(String.format(
                            Locale.ROOT,
                            "  test %d: concluded at look %d with k = %,d (previous look at %,d); %,d sent; decisive"
                                    + " observation -> routing 'rolled_out' %s ms, -> TestConcluded %s ms; first"
                                    + " observation after the previous look -> routing %s ms; breakdown: send ->"
                                    + " counted %s, counted -> look began %s, look began -> routing received %s ms",
                            r,
                            rep.looks(),
                            rep.k(),
                            rep.previousK(),
                            rep.sent(),
                            ms(rep.decisiveToRouting()),
                            ms(rep.decisiveToConcluded()),
                            ms(rep.afterPreviousLookToRouting()),
                            ms(rep.sendToCounted()),
                            ms(rep.countedToLook()),
                            ms(rep.lookToReceived())));
                }
            }
            CpuMeter.Snapshot to = cpu.snapshot();
            details.add("decision latency, analysis interval " + label + ": CPU over the phase: "
                    + CpuMeter.report(from, to, cpus));
            out("  stopping abtest-service (SIGTERM): " + service.stop(Duration.ofSeconds(60)));
        }
        latencySummary.add(String.format(
                Locale.ROOT,
                "analysis interval %s, relay %s, %d tests at %d obs/s:",
                label,
                AbtestOptions.spring(options.relayInterval()),
                reps.size(),
                options.latencyRate()));
        summarize("decisive observation -> routing 'rolled_out' received", reps, Repetition::decisiveToRouting);
        summarize("decisive observation -> TestConcluded received", reps, Repetition::decisiveToConcluded);
        summarize(
                "first obs. after the previous look (or 1st) -> routing", reps, Repetition::afterPreviousLookToRouting);
        summarize("  part: decisive send -> counted (its batch's counted_at)", reps, Repetition::sendToCounted);
        summarize("  part: counted -> concluding look began (analyzed_at)", reps, Repetition::countedToLook);
        summarize("  part: look began -> routing received (look, relay wait, send)", reps, Repetition::lookToReceived);
        summarize("observations in the concluding look (k)", reps, r -> r.k());
        summarize("observations counted between the two last looks", reps, r -> r.k() - r.previousK());
    }

    private void summarize(String what, List<Repetition> reps, java.util.function.ToDoubleFunction<Repetition> f) {
        double[] v =
                reps.stream().mapToDouble(f).filter(Double::isFinite).sorted().toArray();
        if (v.length == 0) {
            latencySummary.add(String.format(Locale.ROOT, "  %-58s n/a", what));
            return;
        }
        double median = v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
        latencySummary.add(String.format(
                Locale.ROOT,
                "  %-58s min %8.0f  median %8.0f  max %8.0f  (n=%d)",
                what,
                v[0],
                median,
                v[v.length - 1],
                v.length));
    }

    private Repetition repetition(
            Connection su, Watcher watcher, KafkaProducer<String, ObservationRecorded> producer, String label, int r)
            throws Exception {
        String agent = "bench-latency-" + label + "-" + r + "-"
                + UUID.randomUUID().toString().substring(0, 8);
        String key = Topics.predictorKey(agent, "answer");
        UUID baseline = instruction(su, agent, 1, "Answer the question.", true);
        UUID treatment = instruction(su, agent, 2, "Answer the question precisely, citing the policy.", false);
        String body = "{\"agent\":\"" + agent + "\",\"predictor\":\"answer\",\"baselineInstructionId\":\"" + baseline
                + "\",\"treatmentInstructionId\":\"" + treatment + "\",\"trafficSplit\":0.5,"
                + "\"minSamplePerVariant\":100,\"maxSamplePerVariant\":20000,\"autoRollout\":true,"
                + "\"rolloutSteps\":[1.0],\"start\":true}";
        HttpResponse<String> created = post("/api/tests", body);
        if (created.statusCode() != 201) {
            throw new IllegalStateException("POST /api/tests: " + created.statusCode() + " " + created.body());
        }
        UUID testId;
        String salt;
        try (PreparedStatement ps = su.prepareStatement(
                "SELECT test_id, salt, traffic_split FROM abtest.prompt_ab_tests WHERE agent_name = ?")) {
            ps.setString(1, agent);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                testId = rs.getObject(1, UUID.class);
                salt = rs.getString(2);
            }
        }
        if (r == 1) {
            out("  each test: created and started over HTTP (POST /api/tests as OPERATOR): "
                    + body.replace(agent, "<agent>")
                            .replace(baseline.toString(), "<v1>")
                            .replace(treatment.toString(), "<v2>")
                    + "; method, alpha, N* and guardrails are the service defaults; baseline scores N(0.60, 0.15),"
                    + " treatment N(0.72, 0.15), success 97%, latency N(300, 60) ms in both arms");
        }
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (watcher.routing(key, "test_started") == null && System.nanoTime() < until) Thread.sleep(5);
        if (watcher.routing(key, "test_started") == null) {
            throw new IllegalStateException("no 'test_started' routing for " + key + " within 30 s");
        }
        Observations stream = new Observations(
                options.service.seed + r * 7919L + label.hashCode(),
                List.of(new Observations.Test(testId, salt, agent, 0.5)),
                LATENCY_BASELINE,
                LATENCY_TREATMENT);
        int max = options.latencyMaxObservations();
        int rate = options.latencyRate();
        long[] sentNanos = new long[max];
        long[] sentMicros = new long[max];
        String[] eventIds = new String[max];
        AtomicReference<Exception> failure = new AtomicReference<>();
        Callback callback = (metadata, e) -> {
            if (e != null) failure.compareAndSet(null, e);
        };
        int sent = 0;
        long start = System.nanoTime();
        while (sent < max && failure.get() == null && watcher.routing(key, "rolled_out") == null) {
            long due = Math.min(max, (System.nanoTime() - start) * rate / 1_000_000_000L + 1);
            while (sent < due) {
                Instant now = Instant.now();
                ObservationRecorded o = stream.observation(sent, now.truncatedTo(ChronoUnit.MILLIS));
                eventIds[sent] = o.getEventId();
                sentNanos[sent] = System.nanoTime();
                sentMicros[sent] = micros(now);
                producer.send(new ProducerRecord<>(OBSERVATIONS, o.getTestId(), o), callback);
                sent++;
            }
            LockSupport.parkNanos(200_000);
        }
        producer.flush();
        if (failure.get() != null) throw new IllegalStateException("publishing failed", failure.get());
        until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while ((watcher.routing(key, "rolled_out") == null
                        || watcher.decision(testId.toString(), "TestConcluded") == null)
                && System.nanoTime() < until) {
            Thread.sleep(5);
        }
        Seen routed = watcher.routing(key, "rolled_out");
        Seen concluded = watcher.decision(testId.toString(), "TestConcluded");
        // the looks: the concluding one and the one before it
        int k = -1;
        int previousK = 0;
        int looks = 0;
        long lookMicros = 0;
        try (PreparedStatement ps =
                su.prepareStatement("SELECT analysis_number, baseline_n + treatment_n, decision::text,"
                        + " (extract(epoch FROM analyzed_at) * 1000000)::bigint FROM abtest.ab_interim_analyses"
                        + " WHERE test_id = ? ORDER BY analysis_number")) {
            ps.setObject(1, testId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next() && k < 0) {
                    looks = rs.getInt(1);
                    if (rs.getString(3).equals("stop_efficacy")) {
                        k = rs.getInt(2);
                        lookMicros = rs.getLong(4);
                    } else {
                        previousK = rs.getInt(2);
                    }
                }
            }
        }
        if (k < 0 || k > sent) {
            out("  test " + r + ": no stop_efficacy look within " + sent + " observations (status " + status(su, testId)
                    + "); not counted");
            return new Repetition(
                    k, previousK, looks, sent, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }
        long countedMicros = -1;
        try (PreparedStatement ps = su.prepareStatement(
                // the batch that counted it: its row of the de-duplication window holds the id's 16 bytes
                "SELECT (extract(epoch FROM counted_at) * 1000000)::bigint FROM abtest.observation_event_ids"
                        + " WHERE topic = ? AND position(? IN event_ids) > 0")) {
            UUID decisiveId = UUID.fromString(eventIds[k - 1]);
            ps.setString(1, OBSERVATIONS);
            ps.setBytes(
                    2,
                    java.nio.ByteBuffer.allocate(16)
                            .putLong(decisiveId.getMostSignificantBits())
                            .putLong(decisiveId.getLeastSignificantBits())
                            .array());
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) countedMicros = rs.getLong(1);
            }
        }
        int decisive = k - 1;
        int firstAfterPrevious = previousK; // 0-based index of observation previousK + 1
        return new Repetition(
                k,
                previousK,
                looks,
                sent,
                routed == null ? Double.NaN : (routed.nanos() - sentNanos[decisive]) / 1e6,
                concluded == null ? Double.NaN : (concluded.nanos() - sentNanos[decisive]) / 1e6,
                routed == null ? Double.NaN : (routed.nanos() - sentNanos[firstAfterPrevious]) / 1e6,
                countedMicros < 0 ? Double.NaN : (countedMicros - sentMicros[decisive]) / 1e3,
                countedMicros < 0 ? Double.NaN : (lookMicros - countedMicros) / 1e3,
                routed == null ? Double.NaN : (routed.micros() - lookMicros) / 1e3);
    }

    private static String status(Connection su, UUID testId) throws SQLException {
        try (PreparedStatement ps =
                su.prepareStatement("SELECT status::text FROM abtest.prompt_ab_tests WHERE test_id = ?")) {
            ps.setObject(1, testId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : "?";
            }
        }
    }

    private HttpResponse<String> post(String path, String json) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port() + path))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .header("Authorization", ServiceProcess.basic())
                .POST(HttpRequest.BodyPublishers.ofString(json))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    // --- report ---------------------------------------------------------------------------------------------------

    private void printReport() {
        out("");
        if (!table.isEmpty()) {
            out("== (1) throughput: observations counted exactly once, same PostgreSQL, same run ==");
            String format = "%-72s %9s %8s %10s %12s %9s";
            double warm = warmRate;
            out(String.format(
                    Locale.ROOT,
                    format,
                    "method",
                    "obs",
                    "seconds",
                    "obs/s",
                    "service/this",
                    Double.isNaN(warm) ? "" : "warm/this"));
            double service = Double.parseDouble(table.getFirst().split("\\|")[3]);
            for (String line : table) {
                String[] c = line.split("\\|");
                double rate = Double.parseDouble(c[3]);
                boolean baseline = c[0].startsWith("(");
                out(String.format(
                                Locale.ROOT,
                                format,
                                c[0],
                                String.format(Locale.ROOT, "%,d", Long.parseLong(c[1])),
                                String.format(Locale.ROOT, "%.1f", Double.parseDouble(c[2])),
                                String.format(Locale.ROOT, "%,.0f", rate),
                                baseline ? String.format(Locale.ROOT, "%.2f", service / rate) : "",
                                baseline && !Double.isNaN(warm) ? String.format(Locale.ROOT, "%.2f", warm / rate) : "")
                        .stripTrailing());
            }
            out("notes: the service's figure is end to end (Kafka fetch, Avro decoding, validation, a test lookup per"
                    + " batch (one query for its tests), the partitions' stored offsets locked, duplicates checked against the in-memory"
                    + " de-duplication window, per (test, variant) a statistics row lock, latency-digest merge and"
                    + " UPDATE, the offsets and the batch's event ids (one bytea row per partition) stored, commit,"
                    + " Kafka offset commit) with 1 listener thread, batches of at most "
                    + maxPollRecords + "; it also ran its looks (every 2 s) and the relay meanwhile. The baselines"
                    + " do the database work of the previous design (a row per observation): batches of "
                    + ObservationBaselines.BATCH + " observations of one test, ledger insert ON CONFLICT DO NOTHING"
                    + " (knowing which took effect), one UPDATE of the sums per (test, variant), commit; into fresh"
                    + " bench.* copies (LIKE .. INCLUDING ALL plus the FK to prompt_ab_tests), as the superuser, on"
                    + " one connection, a CHECKPOINT before each; their clock excludes generating the events.");
        }
        if (!latencySummary.isEmpty()) {
            out("");
            out("== (2) decision latency (ms): decisive observation = the k-th of the test's single-partition"
                    + " stream, k = baseline_n + treatment_n of the stop_efficacy look ==");
            latencySummary.forEach(Harness::out);
            out("what bounds it: after the decisive observation is counted, the next look comes within one analysis"
                    + " interval (fixed delay after the previous tick, plus the looks' own time); the concluding look"
                    + " writes the routing change and TestConcluded to the outbox in its transaction; the relay"
                    + " publishes it within one relay interval (fixed delay) plus the send. At a steady feed the"
                    + " decisive observation is by definition the last one counted before the look, so its figure is"
                    + " mostly count -> look begin (small) + the look + the relay wait; the wait for the next look"
                    + " shows in 'first observation after the previous look -> routing' (the earliest point from which"
                    + " the evidence could have sufficed) and in the observations counted between the two last"
                    + " looks, both of which scale with the analysis interval.");
        }
        out("");
        details.forEach(Harness::out);
    }

    private static String ms(double value) {
        return Double.isFinite(value) ? String.format(Locale.ROOT, "%.0f", value) : "n/a";
    }
}
