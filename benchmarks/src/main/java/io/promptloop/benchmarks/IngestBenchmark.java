package io.promptloop.benchmarks;

import static io.promptloop.benchmarks.Harness.checkpoint;
import static io.promptloop.benchmarks.Harness.currentLsn;
import static io.promptloop.benchmarks.Harness.fmt;
import static io.promptloop.benchmarks.Harness.micros;
import static io.promptloop.benchmarks.Harness.out;
import static io.promptloop.benchmarks.Harness.row;
import static io.promptloop.benchmarks.Harness.shown;
import static io.promptloop.benchmarks.Harness.single;
import static io.promptloop.benchmarks.Harness.steadyState;
import static io.promptloop.benchmarks.Harness.walSince;

import io.apicurio.registry.serde.avro.AvroKafkaSerializer;
import io.promptloop.avro.session.SessionEvent;
import io.promptloop.schemas.Topics;
import io.promptloop.testkit.PromptloopInfrastructure;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Benchmark (not a test) of ingest-service end to end, against baselines on the same PostgreSQL in the same run
 * (DESIGN.md, "Measuring"). In one run: start the test kit's Kafka, PostgreSQL 17 and registry; pre-produce N
 * TurnRecorded events; start ingest-service as a child JVM and time it storing them; measure publish-to-row
 * latency at a fixed rate; stop it; write the same rows with JDBC batches, the service's unnest statement and
 * COPY; print a table and the conditions. See benchmarks/README.md.
 */
public final class IngestBenchmark {

    static final String TOPIC = Topics.AGENT_SESSIONS.name();

    private static final String TABLE = "conversation.tuning_conversation_turns";
    private static final String PUBLISHED = "bench_published_us";
    private static final String INTENDED = "bench_intended_us";

    private final IngestOptions options;
    private Harness harness;
    private CpuMeter cpu;
    private final List<String> table = new ArrayList<>();
    private final List<String> details = new ArrayList<>();
    private PromptloopInfrastructure infra;
    private int cpus;
    /** spring.kafka.listener.concurrency, read from the service jar's application.yaml or --service-property. */
    private int listenerConcurrency = 3;
    /** The COPY baseline timed before the service phase (--copy-before), or null. */
    private Baselines.Result copyBefore;

    private IngestBenchmark(IngestOptions options) {
        this.options = options;
    }

    public static void main(String[] args) {
        Harness.main(args, new IngestOptions(), options -> new IngestBenchmark(options).run());
    }

    private void run() throws Exception {
        Path serviceJar =
                options.service.serviceJar != null ? options.service.serviceJar : Harness.moduleJar("ingest-service");
        Path logs = Harness.targetDirectory().resolve("bench-logs");
        Harness.header("ingest-service");
        out(String.format(
                Locale.ROOT,
                "options: --events %d --latency-seconds %d --latency-rate %d --seed %d --concurrent-sessions %d "
                        + "--service-heap %s --compression %s --heap-sampler %s%s%s",
                options.events(),
                options.latencySeconds(),
                options.latencyRate(),
                options.service.seed,
                options.concurrentSessions(),
                options.service.serviceHeap,
                options.compression(),
                options.heapSampler(),
                options.profile() ? " --profile" : "",
                options.copyBefore() ? " --copy-before" : " --no-copy-before"));

        harness = new Harness(logs);
        infra = harness.infra;
        cpu = harness.cpu;
        cpus = harness.cpus;
        conditions(serviceJar);

        TurnEvents events = new TurnEvents(options.service.seed, options.events(), options.concurrentSessions());
        produce(events);

        Path serviceLog = logs.resolve("ingest-service.log");
        HeapSampler heap;
        ServicePhase phase;
        try (Connection su = harness.superuser()) {
            if (options.copyBefore()) copyBefore = copyBefore(su, events);
            checkpoint(su);
            String lsn = currentLsn(su);
            ServiceProcess service = harness.startService(
                    "ingest-service",
                    serviceJar,
                    options.service.jvm(),
                    "ingest_app",
                    Map.copyOf(options.service.serviceProperties),
                    serviceLog);
            heap = options.heapSampler() == HeapSampler.Kind.actuator
                    ? HeapSampler.actuator(service)
                    : HeapSampler.jstat(service);
            try (service;
                    heap;
                    Admin admin = harness.admin()) {
                out("ingest-service: pid " + service.pid() + ", -Xmx" + options.service.serviceHeap + ", port "
                        + service.port() + ", log " + shown(serviceLog));
                phase = measureService(service, su, admin, events, lsn, heap);
                long deadLetters = Harness.records(admin, Topics.AGENT_SESSIONS.deadLetterTopic());
                details.add("  dead-lettered during the run: " + deadLetters + " (agent-sessions-dlt)");
                if (phase.complete()) fingerprint(su, TABLE, "ingest-service");
                if (options.latencySeconds() > 0 && phase.complete()) {
                    measureLatency(service, su, heap);
                }
                out("stopping ingest-service (SIGTERM)");
                details.add("  ingest-service stop: " + service.stop(Duration.ofSeconds(60)));
            }
            if (!phase.complete()) {
                printReport();
                throw new IllegalStateException("ingest-service stored " + phase.rows() + " of " + options.events()
                        + " events within " + options.service.timeoutSeconds + " s; see " + shown(serviceLog));
            }
            if (options.peer.enabled()) {
                new ConnectPeer(
                                harness,
                                options.peer,
                                options.compression(),
                                options.service.timeoutSeconds,
                                table::add,
                                details::add)
                        .run(su, events, Topics.AGENT_SESSIONS.defaultPartitions());
            }
            runBaselines(su, events, phase);
        }
        printReport();
    }

    // --- conditions ---------------------------------------------------------------------------------------------

    private void conditions(Path serviceJar) throws SQLException {
        List<String> settings = Harness.settings(
                serviceJar,
                List.of(
                        "concurrency:",
                        "max-poll-records:",
                        "fetch.min.bytes:",
                        "fetch.max.wait.ms:",
                        "max.partition.fetch.bytes:",
                        "fetch.max.bytes:",
                        "isolation-level:",
                        "maximum-pool-size:",
                        "ack-mode:",
                        // promptloop.ingest.commits.mode (retention's mode is another value)
                        "mode: flush-gated",
                        "mode: synchronous",
                        "flush-poll:"));
        listenerConcurrency = Harness.setting(settings, "concurrency", listenerConcurrency);
        String concurrencyOverride = options.service.serviceProperties.get("spring.kafka.listener.concurrency");
        if (concurrencyOverride != null) listenerConcurrency = Integer.parseInt(concurrencyOverride.strip());
        if (!options.service.serviceProperties.isEmpty()) {
            settings = new ArrayList<>(settings);
            settings.add("overridden by --service-property: " + options.service.serviceProperties);
        }
        int partitions;
        try (Admin admin = harness.admin()) {
            partitions = Harness.partitions(admin, TOPIC);
        }
        harness.conditions(
                "ingest-service",
                serviceJar,
                options.service.jvm(),
                "topic " + TOPIC + ": " + partitions + " partitions",
                String.join(", ", settings));
    }

    // --- pre-produce ----------------------------------------------------------------------------------------------

    private Map<String, Object> producerConfig(int lingerMs) {
        Map<String, Object> config = harness.producerConfig(lingerMs, 512 * 1024);
        config.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 128L * 1024 * 1024);
        config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, options.compression());
        return config;
    }

    private KafkaProducer<String, SessionEvent> producer(Map<String, Object> config, LongAdder bytes) {
        AvroKafkaSerializer<SessionEvent> avro = new AvroKafkaSerializer<>();
        avro.configure(config, false);
        return new KafkaProducer<>(config, new StringSerializer(), new CountingSerializer(avro, bytes));
    }

    private void produce(TurnEvents events) throws Exception {
        LongAdder bytes = new LongAdder();
        AtomicReference<Exception> failure = new AtomicReference<>();
        Callback callback = (metadata, e) -> {
            if (e != null) failure.compareAndSet(null, e);
        };
        Map<String, Object> config = producerConfig(20);
        long started = System.nanoTime();
        try (KafkaProducer<String, SessionEvent> producer = producer(config, bytes)) {
            for (long i = 0; i < events.count() && failure.get() == null; i++) {
                SessionEvent event = events.event(i);
                producer.send(new ProducerRecord<>(TOPIC, event.getSessionId(), event), callback);
            }
            producer.flush();
        }
        if (failure.get() != null) throw new IllegalStateException("publishing failed", failure.get());
        double seconds = (System.nanoTime() - started) / 1e9;
        out(String.format(
                Locale.ROOT,
                "workload: %,d TurnRecorded events, %,d sessions of up to %d turns, %,d sessions interleaved, seed "
                        + "%d; Avro value %.0f bytes on average (Confluent framing included)",
                events.count(),
                events.sessions(),
                TurnEvents.TURNS_PER_SESSION,
                events.concurrentSessions(),
                options.service.seed,
                bytes.doubleValue() / events.count()));
        out(String.format(
                Locale.ROOT,
                "pre-produced to %s in %.1f s (%,.0f events/s; one producer thread, acks=all, linger.ms=20, "
                        + "batch.size=512KiB, compression=%s, keyed by session id)",
                TOPIC,
                seconds,
                events.count() / seconds,
                options.compression()));
    }

    /** Passes values to the Apicurio serializer and counts the bytes it produces. */
    private record CountingSerializer(AvroKafkaSerializer<SessionEvent> delegate, LongAdder bytes)
            implements Serializer<SessionEvent> {

        @Override
        public byte[] serialize(String topic, SessionEvent data) {
            return count(delegate.serialize(topic, data));
        }

        @Override
        public byte[] serialize(String topic, Headers headers, SessionEvent data) {
            return count(delegate.serialize(topic, headers, data));
        }

        private byte[] count(byte[] value) {
            if (value != null) bytes.add(value.length);
            return value;
        }

        @Override
        public void close() {
            delegate.close();
        }
    }

    // --- the service ----------------------------------------------------------------------------------------------

    /** What the throughput phase saw. */
    private record ServicePhase(boolean complete, long rows, double fromAssignedSeconds) {}

    private ServicePhase measureService(
            ServiceProcess service, Connection su, Admin admin, TurnEvents events, String lsn, HeapSampler heap)
            throws Exception {
        long n = events.count();
        CpuMeter.Snapshot cpuStart = cpu.snapshot();
        CpuMeter.Snapshot cpuAssigned = null;
        Map<String, Long> threadsAssigned = Map.of();
        long start = service.startedNanos();
        long deadline = start + TimeUnit.SECONDS.toNanos(options.service.timeoutSeconds);
        long assigned = -1;
        long rowsAtAssigned = 0;
        long firstRow = -1;
        long end = -1;
        long rows = 0;
        List<long[]> samples = new ArrayList<>();
        long nextPoll = System.nanoTime();
        long nextProgress = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        long pollBackend;
        try (PreparedStatement pid = su.prepareStatement("SELECT pg_backend_pid()")) {
            pollBackend = single(pid);
        }
        long pollTicksAssigned = 0;
        int polls = 0;
        try (PreparedStatement count =
                su.prepareStatement("SELECT coalesce(sum(total_turns), 0) FROM conversation.prompt_tuning_sessions")) {
            while (true) {
                if (!service.isAlive()) {
                    throw new IllegalStateException(
                            "ingest-service exited; last lines of " + service.log() + ":\n" + service.tail(40));
                }
                long now = System.nanoTime();
                if (assigned < 0
                        && harness.allPartitionsAssigned(admin, TOPIC, Topics.AGENT_SESSIONS.defaultPartitions())) {
                    assigned = System.nanoTime();
                    cpuAssigned = cpu.snapshot();
                    threadsAssigned = CpuMeter.threadTicks(service.pid());
                    pollTicksAssigned = CpuMeter.ticks(pollBackend);
                    polls = 0;
                    if (options.profile()) jcmd(service, "JFR.start", "name=bench", "settings=profile");
                    rowsAtAssigned = single(count);
                    out(String.format(
                            Locale.ROOT,
                            "ingest-service: all %s partitions assigned %.1f s after process start (%,d rows stored "
                                    + "by then): %s",
                            TOPIC,
                            (assigned - start) / 1e9,
                            rowsAtAssigned,
                            harness.assignmentSeen()));
                }
                if (now >= nextPoll) {
                    rows = single(count);
                    polls++;
                    long at = System.nanoTime();
                    samples.add(new long[] {at, rows});
                    if (rows > 0 && firstRow < 0) firstRow = at;
                    if (rows >= n) {
                        end = at;
                        break;
                    }
                    nextPoll += TimeUnit.MILLISECONDS.toNanos(200);
                }
                if (now > nextProgress) {
                    out(String.format(Locale.ROOT, "  ... %,d of %,d rows stored", rows, n));
                    nextProgress += TimeUnit.SECONDS.toNanos(30);
                }
                if (now > deadline) break;
                long sleep = assigned < 0
                        ? TimeUnit.MILLISECONDS.toNanos(100)
                        : Math.max(TimeUnit.MILLISECONDS.toNanos(10), nextPoll - System.nanoTime());
                LockSupport.parkNanos(sleep);
            }
        }
        CpuMeter.Snapshot cpuEnd = cpu.snapshot();
        double pollSeconds = (CpuMeter.ticks(pollBackend) - pollTicksAssigned) / CpuMeter.TICKS_PER_SECOND;
        Map<String, Long> threadsEnd = CpuMeter.threadTicks(service.pid());
        Path recording = service.log().resolveSibling("ingest-service-throughput.jfr");
        if (options.profile()) jcmd(service, "JFR.stop", "name=bench", "filename=" + recording);
        HeapSampler.Peak peak = heap.takePeak();
        long walBytes = walSince(su, lsn);
        if (end < 0) {
            details.add(String.format(Locale.ROOT, "ingest-service: TIMED OUT with %,d of %,d rows", rows, n));
            return new ServicePhase(false, rows, 0);
        }
        if (assigned < 0) { // assignment never observed: fall back to the first stored row
            out("  (assignment of " + TOPIC + " not observed; last seen: " + harness.assignmentSeen()
                    + "; timing from the first stored row instead)");
            assigned = firstRow;
            cpuAssigned = cpuStart;
        }
        double fromAssigned = (end - assigned) / 1e9;
        double fromStart = (end - start) / 1e9;
        table.add(row("ingest-service, Kafka -> PostgreSQL, from partitions assigned", n, fromAssigned));
        double[] steady = steadyState(samples, n);
        if (steady != null) {
            table.add(row("  same, steady state (10% -> 90% of rows)", (long) steady[0], steady[1]));
        }
        table.add(row("  same, from `java -jar` (JVM + Spring start included)", n, fromStart));

        details.add("ingest-service (throughput phase, " + fmt(fromAssigned) + " s from assignment to " + n
                + " rows; time to first row after start " + fmt((firstRow - start) / 1e9) + " s; progress polled"
                + " every 200 ms as sum(prompt_tuning_sessions.total_turns), kept by the service in the insert's"
                + " transaction; count(*) checked at the end):");
        details.add("  heap: peak used " + peak.describe() + "; -Xmx" + options.service.serviceHeap + "; "
                + actuatorHeap(service));
        details.add("  CPU from assignment to the last row: " + CpuMeter.report(cpuAssigned, cpuEnd, cpus));
        details.add(String.format(
                Locale.ROOT,
                "  of postgres' CPU, the benchmark's own progress poll (its backend, pid %d): %.1f cpu-s for %,d"
                        + " queries",
                pollBackend,
                pollSeconds,
                polls));
        details.add(String.format(
                Locale.ROOT,
                "  CPU before that (JVM and Spring start-up, group join): ingest-service %.1f cpu-s",
                CpuMeter.seconds(cpuStart, cpuAssigned, "ingest-service")));
        details.add("  ingest-service threads by CPU from assignment (digits -> N): "
                + CpuMeter.topThreads(threadsAssigned, threadsEnd, 8));
        details.add(String.format(
                Locale.ROOT,
                "  WAL: %.0f MiB, %,.0f bytes/row (incl. the session upserts and counter updates)",
                walBytes / 1048576.0,
                (double) walBytes / n));
        listenerFigures(service, n, end - assigned, cpuAssigned, cpuEnd);
        if (options.profile()) hotMethods(recording);
        return new ServicePhase(true, n, fromAssigned);
    }

    /** Runs the JDK's jcmd against the service (a second or so of CPU). */
    private static void jcmd(ServiceProcess service, String... command) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of(Harness.jdkTool("jcmd"), Long.toString(service.pid())));
        args.addAll(List.of(command));
        String output = runTool(args);
        if (!output.contains("Started recording") && !output.contains("Stopped recording")) {
            out("  jcmd " + String.join(" ", command) + ": " + output.strip());
        }
    }

    /** What the service's Java threads were doing when JFR sampled them, by stack; and the hottest frames. */
    private void hotMethods(Path recording) throws IOException, InterruptedException {
        details.add(
                "  JFR (" + shown(recording)
                        + ") CPU samples of the service's Java code in the throughput phase, by the"
                        + " first matching frame of each stack (JIT compiler and GC threads are not sampled; see threads above):");
        Process process = new ProcessBuilder(
                        Harness.jdkTool("jfr"),
                        "print",
                        "--events",
                        "jdk.ExecutionSample",
                        "--stack-depth",
                        "64",
                        recording.toString())
                .redirectErrorStream(true)
                .start();
        Map<String, Integer> categories = new LinkedHashMap<>();
        for (String[] rule : PROFILE_RULES) categories.put(rule[0], 0);
        int samples = 0;
        try (var reader = new java.io.BufferedReader(
                new java.io.InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            StringBuilder stack = null;
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.startsWith("jdk.ExecutionSample")) {
                    if (stack != null) {
                        categories.merge(profileCategory(stack), 1, Integer::sum);
                        samples++;
                    }
                    stack = new StringBuilder();
                } else if (stack != null && line.contains("line:")) {
                    stack.append(line.strip()).append('\n');
                }
            }
            if (stack != null) {
                categories.merge(profileCategory(stack), 1, Integer::sum);
                samples++;
            }
        }
        process.waitFor(60, TimeUnit.SECONDS);
        int total = Math.max(1, samples);
        categories.entrySet().stream()
                .filter(e -> e.getValue() > 0)
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .forEach(e -> details.add(
                        String.format(Locale.ROOT, "    %5.1f%%  %s", 100.0 * e.getValue() / total, e.getKey())));
        details.add("    (" + samples + " samples)");
        String top =
                runTool(List.of(Harness.jdkTool("jfr"), "view", "--width", "140", "hot-methods", recording.toString()));
        details.add("  JFR hot methods (top frames):");
        top.lines()
                .filter(l -> !l.isBlank() && !l.startsWith("---"))
                .skip(2)
                .limit(8)
                .forEach(l -> details.add("    " + l.stripTrailing()));
    }

    /** Category, and a pattern that a frame of the stack must contain; the first rule that matches wins. */
    private static final String[][] PROFILE_RULES = {
        {"JSON text of search_results/metadata (ingest Json)", "ingest.ingestion.persistence.Json."},
        {"pgjdbc createArrayOf text encoding (unnest parameters)", "org.postgresql.jdbc.PgArray"},
        {"pgjdbc createArrayOf text encoding (unnest parameters)", "org.postgresql.jdbc.ArrayEncoding"},
        {"Apicurio serde: Avro schema fingerprint per record", "org.apache.avro.SchemaNormalization"},
        {"Avro decoding (Apicurio serde, Avro)", "org.apache.avro."},
        {"Avro decoding (Apicurio serde, Avro)", "io.apicurio."},
        {"validation (EventValidator)", "EventValidator."},
        {"mapping Avro -> domain (AvroEventMapper)", "AvroEventMapper."},
        {"batch planning, session patches", "ingest.ingestion.domain."},
        {"pgjdbc other (protocol, results)", "org.postgresql."},
        {"Kafka client (fetch, records, CRC)", "org.apache.kafka."},
        {"Spring Kafka / Spring / other", ""}
    };

    private static String profileCategory(CharSequence stack) {
        String text = stack.toString();
        for (String[] rule : PROFILE_RULES) {
            if (text.contains(rule[1])) return rule[0];
        }
        return PROFILE_RULES[PROFILE_RULES.length - 1][0];
    }

    private static String runTool(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return "(timed out: " + String.join(" ", command) + ")";
        }
        return new String(output, StandardCharsets.UTF_8);
    }

    /** Listener and connection-pool timers from the service's actuator, to tell where its time went. */
    private void listenerFigures(
            ServiceProcess service, long rows, long wallNanos, CpuMeter.Snapshot from, CpuMeter.Snapshot to) {
        Map<String, Double> listener = service.metric("spring.kafka.listener");
        Map<String, Double> pool = service.metric("hikaricp.connections.usage");
        double wall = wallNanos / 1e9;
        Double calls = listener.get("COUNT");
        Double total = listener.get("TOTAL_TIME");
        if (calls == null || total == null || calls == 0) {
            details.add("  listener timer spring.kafka.listener: not available");
        } else {
            String line = String.format(
                    Locale.ROOT,
                    "  listener: %,.0f batch calls, %.0f records/call, %.1f ms/call on average (max %.0f ms); the %d"
                            + " listener threads were busy %.0f%% of the phase",
                    calls,
                    rows / calls,
                    1000 * total / calls,
                    1000 * listener.getOrDefault("MAX", 0.0),
                    listenerConcurrency,
                    100 * total / (wall * listenerConcurrency));
            details.add(line);
            Double held = pool.get("TOTAL_TIME");
            if (held != null) {
                details.add(String.format(
                        Locale.ROOT,
                        "  JDBC connections held (hikaricp.connections.usage): %.1f s = %.0f%% of listener time;"
                                + " the rest (%.1f s) is Kafka fetch hand-over, Avro decoding, validation, mapping,"
                                + " framework",
                        held,
                        100 * held / total,
                        Math.max(0, total - held)));
            }
        }
        double busy = CpuMeter.machineBusy(from, to);
        double service1 = CpuMeter.seconds(from, to, "ingest-service") / wall;
        double pg = CpuMeter.seconds(from, to, "postgres") / wall;
        double kafka = CpuMeter.seconds(from, to, "kafka") / wall;
        details.add(String.format(
                Locale.ROOT,
                "  => %s: machine %.0f%% busy; ingest-service used %.2f cores, PostgreSQL %.2f, Kafka %.2f",
                busy >= 0.9 ? "CPU-bound on this machine" : "not CPU-saturated",
                100 * busy,
                service1,
                pg,
                kafka));
    }

    // --- latency --------------------------------------------------------------------------------------------------

    private void measureLatency(ServiceProcess service, Connection su, HeapSampler heap) throws Exception {
        int rate = options.latencyRate();
        long count = (long) rate * options.latencySeconds();
        TurnEvents events = new TurnEvents(options.service.seed ^ 0x1A7E_4C7EL, count, options.concurrentSessions());
        UUID[] sessions = new UUID[(int) events.sessions()];
        for (int s = 0; s < sessions.length; s++) sessions[s] = events.sessionId(s);
        out(String.format(
                Locale.ROOT,
                "latency phase: publishing %,d events at %,d/s for %d s",
                count,
                rate,
                options.latencySeconds()));
        Map<String, Double> listenerBefore = service.metric("spring.kafka.listener");
        heap.takePeak();
        long checkpointsBefore = checkpoints(su);
        CpuMeter.Snapshot cpuStart = cpu.snapshot();
        Map<String, Long> threadsStart = CpuMeter.threadTicks(service.pid());
        AtomicReference<Exception> failure = new AtomicReference<>();
        Callback callback = (metadata, e) -> {
            if (e != null) failure.compareAndSet(null, e);
        };
        long sent = 0;
        long maxLag = 0;
        long startNanos;
        long startMicros;
        long lastSend;
        CommitProbe probe;
        try (Connection probeConnection = harness.superuser();
                KafkaProducer<String, SessionEvent> producer = producer(producerConfig(5), new LongAdder())) {
            // one warm-up send outside the clock: the serializer's first call looks the schema up
            producer.send(new ProducerRecord<>(TOPIC, sessions[0].toString(), events.event(0)))
                    .get(30, TimeUnit.SECONDS);
            sent = 1;
            probe = new CommitProbe(probeConnection, options.latencySeconds(), LATENCY_WINDOW_SECONDS);
            startNanos = System.nanoTime();
            startMicros = micros(Instant.now());
            while (sent < count && failure.get() == null) {
                long due = Math.min(count, (System.nanoTime() - startNanos) * rate / 1_000_000_000L + 1);
                while (sent < due) {
                    long intended = startNanos + sent * 1_000_000_000L / rate;
                    maxLag = Math.max(maxLag, System.nanoTime() - intended);
                    Instant now = Instant.now();
                    SessionEvent event = events.event(
                            sent,
                            now.truncatedTo(ChronoUnit.MILLIS),
                            Map.of(
                                    PUBLISHED,
                                    Long.toString(micros(now)),
                                    INTENDED,
                                    Long.toString(startMicros + (intended - startNanos) / 1_000)));
                    producer.send(new ProducerRecord<>(TOPIC, event.getSessionId(), event), callback);
                    sent++;
                }
                LockSupport.parkNanos(500_000);
            }
            lastSend = System.nanoTime();
            producer.flush();
            probe.close();
        }
        if (failure.get() != null) throw new IllegalStateException("publishing failed", failure.get());
        double publishSeconds = (lastSend - startNanos) / 1e9;
        // wait for every row of the phase
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        long stored = 0;
        try (PreparedStatement ps = su.prepareStatement(
                "SELECT coalesce(sum(total_turns), 0) FROM conversation.prompt_tuning_sessions WHERE id = ANY(?)")) {
            ps.setArray(1, su.createArrayOf("uuid", sessions));
            while ((stored = single(ps)) < count && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
        }
        double drainSeconds = (System.nanoTime() - startNanos) / 1e9;
        CpuMeter.Snapshot cpuEnd = cpu.snapshot();
        Map<String, Long> threadsEnd = CpuMeter.threadTicks(service.pid());
        HeapSampler.Peak peak = heap.takePeak();
        Map<String, Double> listenerAfter = service.metric("spring.kafka.listener");

        Histogram fromPublish = Harness.latencyHistogram();
        Histogram fromSchedule = Harness.latencyHistogram();
        // by when the event was due: tells a tail spread over the phase from one that comes in bursts
        Histogram[] byWindow =
                new Histogram[(options.latencySeconds() + LATENCY_WINDOW_SECONDS - 1) / LATENCY_WINDOW_SECONDS];
        long negative = 0;
        try (PreparedStatement ps = su.prepareStatement(
                "SELECT (extract(epoch FROM ingested_at) * 1000000)::bigint, (metadata->>'" + PUBLISHED
                        + "')::bigint, (metadata->>'" + INTENDED + "')::bigint FROM " + TABLE
                        + " WHERE session_id = ANY(?) AND metadata->>'" + PUBLISHED + "' IS NOT NULL")) {
            ps.setArray(1, su.createArrayOf("uuid", sessions));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long ingested = rs.getLong(1);
                    long a = ingested - rs.getLong(2);
                    long b = ingested - rs.getLong(3);
                    if (a < 0) negative++;
                    Harness.recordLatency(fromPublish, a);
                    Harness.recordLatency(fromSchedule, b);
                    int w = (int) Math.min(
                            byWindow.length - 1,
                            Math.max(0, (rs.getLong(3) - startMicros) / (LATENCY_WINDOW_SECONDS * 1_000_000L)));
                    if (byWindow[w] == null) byWindow[w] = Harness.latencyHistogram();
                    Harness.recordLatency(byWindow[w], b);
                }
            }
        }
        details.add(String.format(
                Locale.ROOT,
                "latency phase (service caught up; fixed rate %,d/s for %d s, producer linger.ms=5, compression=%s, acks=all):",
                rate,
                options.latencySeconds(),
                options.compression()));
        details.add(String.format(
                Locale.ROOT,
                "  published %,d events in %.2f s = %,.0f events/s achieved; publisher at most %.1f ms behind"
                        + " schedule; %,d of %,d rows stored%s",
                sent,
                publishSeconds,
                (sent - 1) / publishSeconds,
                maxLag / 1e6,
                stored,
                count,
                stored < count ? " (TIMED OUT after 120 s)" : ""));
        double drained = stored / drainSeconds;
        details.add(String.format(
                Locale.ROOT,
                "  rows stored at %,.0f/s from first publish to last row (%.1f s)%s",
                drained,
                drainSeconds,
                drained < 0.95 * rate
                        ? ": the service did not keep up with " + rate + "/s, so the latencies below are mostly the"
                                + " backlog that grew during the phase"
                        : ""));
        details.add("  publish -> row (ingested_at - publish time): " + percentiles(fromPublish)
                + (negative > 0 ? " (" + negative + " negative values clamped to 0)" : ""));
        details.add("  schedule -> row (from the intended send time; no coordinated omission): "
                + percentiles(fromSchedule));
        StringBuilder windows = new StringBuilder("  schedule -> row by ")
                .append(LATENCY_WINDOW_SECONDS)
                .append(" s of the phase from its first send at ")
                .append(Instant.EPOCH.plus(startMicros, ChronoUnit.MICROS).truncatedTo(ChronoUnit.MILLIS))
                .append(" (to match with server logs; p50/p99/max ms):");
        for (int w = 0; w < byWindow.length; w++) {
            Histogram h = byWindow[w];
            windows.append(String.format(
                    Locale.ROOT,
                    " %ds %s",
                    w * LATENCY_WINDOW_SECONDS,
                    h == null
                            ? "-"
                            : String.format(
                                    Locale.ROOT,
                                    "%.0f/%.0f/%.0f",
                                    h.getValueAtPercentile(50) / 1e3,
                                    h.getValueAtPercentile(99) / 1e3,
                                    h.getMaxValue() / 1e3)));
        }
        details.add(windows.toString());
        details.addAll(List.of(probe.report()));
        int slow = 0;
        int serverSlow = 0;
        for (int w = 0; w < byWindow.length; w++) {
            if (byWindow[w] != null && byWindow[w].getValueAtPercentile(99) > SLOW_WINDOW_MICROS) {
                slow++;
                if (probe.maxMicros(w) > SLOW_WINDOW_MICROS) serverSlow++;
            }
        }
        details.add(String.format(
                Locale.ROOT,
                "  5-s windows with a schedule -> row p99 above 250 ms: %d of %d; in %d of them a commit of the server's"
                        + " own probe took over 250 ms too",
                slow,
                byWindow.length,
                serverSlow));
        long checkpointsDuring = checkpoints(su) - checkpointsBefore;
        details.add(String.format(
                Locale.ROOT,
                "  PostgreSQL checkpoints during the phase: %d (a checkpoint's writes and fsyncs slow commits while it"
                        + " runs; the throughput phase before leaves up to max_wal_size of WAL behind it)",
                checkpointsDuring));
        Double calls = delta(listenerBefore, listenerAfter, "COUNT");
        Double total = delta(listenerBefore, listenerAfter, "TOTAL_TIME");
        if (calls != null && total != null && calls > 0) {
            details.add(String.format(
                    Locale.ROOT,
                    "  listener: %,.0f calls, %.1f records/call, %.1f ms/call on average: ingested_at is now(), the"
                            + " transaction's start, so a row becomes visible about that much later than measured",
                    calls,
                    count / calls,
                    1000 * total / calls));
        }
        details.add("  heap: peak used " + peak.describe() + "; " + actuatorHeap(service));
        details.add("  CPU from first publish to last row: " + CpuMeter.report(cpuStart, cpuEnd, cpus));
        details.add("  ingest-service threads by CPU: " + CpuMeter.topThreads(threadsStart, threadsEnd, 6));
    }

    /** One actuator reading of heap used and max, to cross-check the sampler (one BCrypt check each). */
    private static String actuatorHeap(ServiceProcess service) {
        OptionalDouble used = service.heapUsedBytes();
        Double max = service.metric("jvm.memory.max?tag=area:heap").get("VALUE");
        return String.format(
                Locale.ROOT,
                "actuator at phase end: jvm.memory.used{area=heap} %s MiB, jvm.memory.max{area=heap} %s MiB",
                used.isPresent() ? String.format(Locale.ROOT, "%.0f", used.getAsDouble() / 1048576) : "n/a",
                max == null ? "n/a" : String.format(Locale.ROOT, "%.0f", max / 1048576));
    }

    private static Double delta(Map<String, Double> before, Map<String, Double> after, String key) {
        Double b = before.get(key);
        Double a = after.get(key);
        return a == null ? null : a - (b == null ? 0 : b);
    }

    private static final int LATENCY_WINDOW_SECONDS = 5;

    /** A window whose p99 is above this missed the latency goal (p99 <= 250 ms at 5,000 events/s). */
    private static final long SLOW_WINDOW_MICROS = 250_000;

    /** Checkpoints the server started so far, timed and requested (PostgreSQL 17 moved them to their own view). */
    private static long checkpoints(Connection su) throws SQLException {
        String sql = su.getMetaData().getDatabaseMajorVersion() >= 17
                ? "SELECT num_timed + num_requested FROM pg_stat_checkpointer"
                : "SELECT checkpoints_timed + checkpoints_req FROM pg_stat_bgwriter";
        try (PreparedStatement ps = su.prepareStatement(sql)) {
            return single(ps);
        }
    }

    static String percentiles(Histogram h) {
        return String.format(
                Locale.ROOT,
                "p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, p99.9 %.1f ms, max %.1f ms (n=%,d)",
                h.getValueAtPercentile(50) / 1e3,
                h.getValueAtPercentile(90) / 1e3,
                h.getValueAtPercentile(99) / 1e3,
                h.getValueAtPercentile(99.9) / 1e3,
                h.getMaxValue() / 1e3,
                h.getTotalCount());
    }

    // --- baselines ------------------------------------------------------------------------------------------------

    private record Baseline(String label, String table, Baselines.ChunkWriter writer, String urlOptions) {}

    private static final String COPY_LABEL = "(b) COPY FROM STDIN (text, streamed), 10,000/COPY";

    /**
     * The COPY baseline once before the service phase, into a table dropped right after (the service then
     * meets the same database as without it); the service is compared with the mean of this and the COPY
     * after it.
     */
    private Baselines.Result copyBefore(Connection su, TurnEvents events) throws SQLException {
        String table = Baselines.createTable(su, "turns_copy_before");
        Baselines.Result result = runBaseline(
                su, new Baseline("(b0) same COPY, before the service phase", table, Baselines.copy(table), ""), events);
        try (Statement s = su.createStatement()) {
            s.execute("DROP TABLE " + table);
        }
        return result;
    }

    private Baselines.Result runBaseline(Connection su, Baseline b, TurnEvents events) throws SQLException {
        out("baseline: " + b.label());
        checkpoint(su);
        String lsn = currentLsn(su);
        Baselines.Result result;
        CpuMeter.Snapshot from;
        CpuMeter.Snapshot to;
        // CPU is read while the connection is open: a backend's time is lost while it exits
        try (Connection connection = Baselines.connect(infra.superuserLogin(), b.urlOptions())) {
            from = cpu.snapshot();
            result = Baselines.run(b.label(), connection, events, b.writer());
            to = cpu.snapshot();
        }
        long wal = walSince(su, lsn);
        details.add(String.format(
                Locale.ROOT,
                "%s into %s: %.1f s timed (row building excluded)",
                b.label(),
                b.table(),
                result.seconds()));
        details.add("  CPU (whole run incl. untimed row building): " + CpuMeter.report(from, to, cpus));
        details.add(String.format(
                Locale.ROOT, "  WAL: %.0f MiB, %,.0f bytes/row", wal / 1048576.0, (double) wal / result.rows()));
        fingerprint(su, b.table(), b.label().substring(0, b.label().indexOf(')') + 1));
        return result;
    }

    private void runBaselines(Connection su, TurnEvents events, ServicePhase service) throws SQLException {
        String jdbc = Baselines.createTable(su, "turns_jdbc_batch");
        String unnest = Baselines.createTable(su, "turns_unnest");
        String copy = Baselines.createTable(su, "turns_copy");
        List<Baseline> baselines = List.of(
                new Baseline(
                        "(a) JDBC batch INSERT .. ON CONFLICT DO NOTHING, 1,000/batch",
                        jdbc,
                        Baselines.jdbcBatch(jdbc),
                        "?reWriteBatchedInserts=true"),
                new Baseline(
                        "(x) service's unnest INSERT .. RETURNING, 1,000/stmt", unnest, Baselines.unnest(unnest), ""),
                new Baseline(COPY_LABEL, copy, Baselines.copy(copy), ""));
        List<Baselines.Result> results = new ArrayList<>();
        for (Baseline b : baselines) results.add(runBaseline(su, b, events));
        double copyRate = results.getLast().rowsPerSecond();
        if (copyBefore != null) {
            results.add(copyBefore);
            copyRate = (copyRate + copyBefore.rowsPerSecond()) / 2;
            details.add(String.format(
                    Locale.ROOT,
                    "COPY before the service phase %,.0f rows/s, after the baselines %,.0f rows/s: \"vs COPY\" is"
                            + " against their mean, %,.0f rows/s",
                    copyBefore.rowsPerSecond(),
                    results.get(results.size() - 2).rowsPerSecond(),
                    copyRate));
        }
        for (Baselines.Result r : results) table.add(row(r.method(), r.rows(), r.seconds()));
        // ratio column against COPY
        for (int i = 0; i < table.size(); i++) {
            String line = table.get(i);
            String[] cells = line.split("\\|");
            double rate = Double.parseDouble(cells[3]);
            table.set(i, line + "|" + String.format(Locale.ROOT, "%.2f", rate / copyRate));
        }
    }

    // --- SQL helpers ----------------------------------------------------------------------------------------------

    /** Row count, a hash over every written column and the table's size, to show that all methods wrote the same. */
    private void fingerprint(Connection su, String table, String label) throws SQLException {
        try (Statement s = su.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*), coalesce(sum(hashtext(concat_ws('|', " + TurnRow.COLUMNS
                        + "))), 0), pg_total_relation_size('" + table + "') FROM " + table)) {
            rs.next();
            details.add(String.format(
                    Locale.ROOT,
                    "  %s table %s: count(*) %,d, content hash %d, %.0f MiB with indexes",
                    label,
                    table,
                    rs.getLong(1),
                    rs.getLong(2),
                    rs.getLong(3) / 1048576.0));
        }
    }

    // --- report ---------------------------------------------------------------------------------------------------

    private void printReport() {
        out("");
        out("== results: same PostgreSQL, same run ==");
        String format = "%-62s %10s %9s %10s %8s";
        out(String.format(Locale.ROOT, format, "method", "rows", "seconds", "rows/s", "vs COPY"));
        for (String line : table) {
            String[] c = line.split("\\|");
            out(String.format(
                    Locale.ROOT,
                    format,
                    c[0],
                    String.format(Locale.ROOT, "%,d", Long.parseLong(c[1])),
                    String.format(Locale.ROOT, "%.1f", Double.parseDouble(c[2])),
                    String.format(Locale.ROOT, "%,.0f", Double.parseDouble(c[3])),
                    c.length > 4 ? c[4] : ""));
        }
        out("notes: baselines write into bench.* tables created LIKE " + TABLE + " INCLUDING ALL (same columns,"
                + " defaults, checks and indexes; no FK to prompt_tuning_sessions, no session rows), as the superuser,"
                + " on one connection, a CHECKPOINT before each. Their clock excludes generating the events and"
                + " building the row objects (incl. JSON) and includes binding/encoding, SQL and commits; no Kafka, no"
                + " Avro decoding. The service's figure is end to end: Kafka fetch, Avro decoding, validation, session"
                + " upsert + counters, inserts, commits, offset commits, with " + listenerConcurrency
                + " listener threads."
                + (copyBefore != null
                        ? " \"vs COPY\" is against the mean of COPY before the service phase (b0) and after it (b)."
                        : ""));
        out("");
        details.forEach(Harness::out);
    }
}
