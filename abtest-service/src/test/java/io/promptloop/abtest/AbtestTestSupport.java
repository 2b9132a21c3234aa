package io.promptloop.abtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.apicurio.registry.serde.avro.AvroKafkaDeserializer;
import io.apicurio.registry.serde.avro.AvroKafkaSerializer;
import io.promptloop.avro.common.AgentRef;
import io.promptloop.avro.observation.ObservationRecorded;
import io.promptloop.avro.optimizer.OptimizerEvent;
import io.promptloop.avro.optimizer.RunCompleted;
import io.promptloop.schemas.Assignment;
import io.promptloop.testkit.PromptloopInfrastructure;
import io.promptloop.testkit.PromptloopIntegrationTest;
import io.promptloop.testkit.ServiceJvm;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Shared by abtest integration tests: the test kit's real Kafka, PostgreSQL and registry; instructions put into
 * the optimizer's registry by SQL (abtest only reads them); observations published as an agent would, with
 * units assigned by the SHA-256 rule; HTTP as operator or reader.
 */
@PromptloopIntegrationTest
public abstract class AbtestTestSupport {

    public static final PromptloopInfrastructure INFRA = PromptloopInfrastructure.shared();
    protected static final HttpClient HTTP = HttpClient.newHttpClient();
    protected static final JsonMapper JSON = JsonMapper.builder().build();
    private static KafkaProducer<String, SpecificRecord> avroProducer;
    private static KafkaProducer<String, byte[]> rawProducer;
    private final List<ServiceJvm> replicas = new ArrayList<>();

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        serviceProperties().forEach((k, v) -> registry.add(k, () -> v));
    }

    public static Map<String, Object> serviceProperties() {
        Map<String, Object> p = new HashMap<>(INFRA.springProperties("abtest_app"));
        p.put("promptloop.security.users[0].name", "operator");
        p.put("promptloop.security.users[0].password", "{noop}operator-secret");
        p.put("promptloop.security.users[0].roles", "OPERATOR");
        p.put("promptloop.security.users[1].name", "reader");
        p.put("promptloop.security.users[1].password", "{noop}reader-secret");
        p.put("promptloop.security.users[1].roles", "READER");
        p.put("promptloop.abtest.analysis.interval", "300ms");
        p.put("promptloop.abtest.relay.interval", "100ms");
        p.put("spring.kafka.consumer.properties.session.timeout.ms", "10000");
        return p;
    }

    /** Batches the listeners failed (and retry), from Spring Kafka's listener timers. */
    protected static double failedBatches(io.micrometer.core.instrument.MeterRegistry meters) {
        return meters.find("spring.kafka.listener").tag("result", "failure").timers().stream()
                .mapToDouble(t -> t.count())
                .sum();
    }

    protected static JdbcTemplate sql() {
        var login = INFRA.superuserLogin();
        return new JdbcTemplate(new DriverManagerDataSource(login.jdbcUrl(), login.user(), login.password()));
    }

    /** Registers an instruction version in the optimizer's registry, as the optimizer would. */
    protected static UUID instruction(String agent, String predictor, int version, String text, boolean active) {
        return sql().queryForObject("""
                        INSERT INTO optimizer.optimized_instructions (agent_name, predictor_name, version,
                            instruction_text, instruction_hash, optimizer_type, is_active, activated_at)
                        VALUES (?, ?, ?, ?, ?, 'manual', ?, CASE WHEN ? THEN now() END) RETURNING instruction_id
                        """, UUID.class, agent, predictor, version, text, sha256(text), active, active);
    }

    /** {@link #insertRunningTest} settings of a test that samples too long to conclude while it is observed. */
    protected static final Map<String, Integer> NEVER_CONCLUDES =
            Map.of("min_sample_per_variant", 1_000_000, "max_sample_per_variant", 2_000_000);

    /** A test's id and the salt its units are assigned with. */
    protected record RunningTest(UUID testId, String salt) {}

    /**
     * Inserts a running test of {@code agent}'s predictor "answer" by SQL (for tests whose service runs in child JVMs
     * only): two new instruction versions, "Answer." active and {@code treatmentText}, and {@code settings} (column
     * to value) beyond the table's defaults.
     */
    protected static RunningTest insertRunningTest(String agent, String treatmentText, Map<String, ?> settings) {
        UUID baseline = instruction(agent, "answer", 1, "Answer.", true);
        UUID treatment = instruction(agent, "answer", 2, treatmentText, false);
        List<String> columns = new ArrayList<>();
        List<Object> values = new ArrayList<>(List.of(agent, baseline, treatment));
        settings.forEach((column, value) -> {
            columns.add(", " + column);
            values.add(value);
        });
        UUID testId = sql().queryForObject(
                        "INSERT INTO abtest.prompt_ab_tests (agent_name, predictor_name, baseline_instruction_id,"
                                + " treatment_instruction_id, status, started_at" + String.join("", columns)
                                + ") VALUES (?, 'answer', ?, ?, 'running', now()" + ", ?".repeat(columns.size())
                                + ") RETURNING test_id",
                        UUID.class,
                        values.toArray());
        String salt =
                sql().queryForObject("SELECT salt FROM abtest.prompt_ab_tests WHERE test_id = ?", String.class, testId);
        return new RunningTest(testId, salt);
    }

    protected static String sha256(String text) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    // --- HTTP ---------------------------------------------------------------------------------------

    protected static HttpResponse<String> call(int port, String method, String path, String json, String user) {
        try {
            var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .method(
                            method,
                            json == null
                                    ? HttpRequest.BodyPublishers.noBody()
                                    : HttpRequest.BodyPublishers.ofString(json))
                    .header("Content-Type", "application/json");
            if (user != null) {
                request.header(
                        "Authorization",
                        "Basic "
                                + Base64.getEncoder()
                                        .encodeToString(
                                                (user + ":" + user + "-secret").getBytes(StandardCharsets.UTF_8)));
            }
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    protected static JsonNode json(HttpResponse<String> response) {
        return JSON.readTree(response.body());
    }

    /** Creates and starts a test; returns its id and salt. */
    protected static JsonNode createStarted(int port, String body) {
        var response = call(port, "POST", "/api/tests", body, "operator");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        return json(response);
    }

    /**
     * A started two-arm test (baseline "Answer.", treatment "Answer better.") that no sample size concludes: it
     * only counts what arrives.
     */
    protected static JsonNode startedOpenTest(int port, String agent) {
        UUID baseline = instruction(agent, "answer", 1, "Answer.", true);
        UUID treatment = instruction(agent, "answer", 2, "Answer better.", false);
        return createStarted(
                port,
                testBody(
                        agent,
                        baseline,
                        treatment,
                        "\"minSamplePerVariant\":100000,\"maxSamplePerVariant\":200000,\"start\":true"));
    }

    protected static String status(UUID testId) {
        return sql().queryForObject(
                        "SELECT status::text FROM abtest.prompt_ab_tests WHERE test_id = ?", String.class, testId);
    }

    protected static void awaitStatus(UUID testId, String status, Duration atMost) {
        await().atMost(atMost).untilAsserted(() -> assertThat(status(testId)).isEqualTo(status));
    }

    // --- agents -------------------------------------------------------------------------------------

    /** Observations of {@code units} units assigned by the SHA-256 rule, scores drawn per arm. */
    protected static List<ObservationRecorded> traffic(
            UUID testId,
            String salt,
            double split,
            String unitPrefix,
            int units,
            Arm baseline,
            Arm treatment,
            long seed) {
        var random = new SplittableRandom(seed);
        List<ObservationRecorded> out = new ArrayList<>(units);
        for (int i = 0; i < units; i++) {
            String unit = unitPrefix + i;
            boolean isTreatment = Assignment.isTreatment(salt, unit, split);
            Arm arm = isTreatment ? treatment : baseline;
            out.add(observation(testId, isTreatment ? "treatment" : "baseline", unit, arm.draw(random)));
        }
        return out;
    }

    /** One arm's behaviour: score ~ N(mean, sd) clipped to 0..1, success with probability, latency ~ N. */
    protected record Arm(double scoreMean, double scoreSd, double successRate, double latencyMean) {
        Draw draw(SplittableRandom r) {
            double score = Math.max(0, Math.min(1, scoreMean + scoreSd * gaussian(r)));
            boolean success = r.nextDouble() < successRate;
            long latency = Math.max(1, Math.round(latencyMean + latencyMean * 0.2 * gaussian(r)));
            return new Draw(score, success, latency);
        }
    }

    protected record Draw(double score, boolean success, long latency) {}

    private static double gaussian(SplittableRandom r) {
        return Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
    }

    protected static ObservationRecorded observation(UUID testId, String variant, String unit, Draw d) {
        return ObservationRecorded.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setOccurredAt(Instant.now())
                .setAgent(new AgentRef("support-bot", "answer"))
                .setTestId(testId.toString())
                .setVariant(variant)
                .setUnitId(unit)
                .setScore(d.score())
                .setLatencyMs(d.latency())
                .setSuccess(d.success())
                .build();
    }

    protected static synchronized KafkaProducer<String, SpecificRecord> avro() {
        if (avroProducer == null) {
            Map<String, Object> config = new HashMap<>();
            config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, INFRA.kafkaBootstrapServers());
            config.put(ProducerConfig.ACKS_CONFIG, "all");
            config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
            config.putAll(registryConfig());
            config.put("apicurio.registry.auto-register", true);
            config.put("apicurio.registry.auto-register.if-exists", "FIND_OR_CREATE_VERSION");
            config.put("apicurio.registry.dereference-schema", true);
            var values = new AvroKafkaSerializer<SpecificRecord>();
            values.configure(config, false);
            avroProducer = new KafkaProducer<>(config, new StringSerializer(), values);
        }
        return avroProducer;
    }

    /** The Confluent wire bytes of {@code value} as its own topic's serializer writes them. */
    protected static byte[] wire(String topic, SpecificRecord value) {
        Map<String, Object> config = registryConfig();
        config.put("apicurio.registry.auto-register", true);
        config.put("apicurio.registry.auto-register.if-exists", "FIND_OR_CREATE_VERSION");
        config.put("apicurio.registry.dereference-schema", true);
        try (var serializer = new AvroKafkaSerializer<SpecificRecord>()) {
            serializer.configure(config, false);
            return serializer.serialize(topic, value);
        }
    }

    private static Map<String, Object> registryConfig() {
        Map<String, Object> config = new HashMap<>();
        config.put("apicurio.registry.url", INFRA.registry().apiV3Url());
        config.put("apicurio.registry.id-handler", "io.apicurio.registry.serde.Default4ByteIdHandler");
        config.put("apicurio.registry.use-id", "contentId");
        config.put("apicurio.registry.headers.enabled", false);
        config.put("apicurio.registry.use-specific-avro-reader", true);
        return config;
    }

    protected static synchronized KafkaProducer<String, byte[]> raw() {
        if (rawProducer == null) {
            Properties config = new Properties();
            config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, INFRA.kafkaBootstrapServers());
            rawProducer = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
        }
        return rawProducer;
    }

    @AfterAll
    static void closeProducers() {
        if (avroProducer != null) avroProducer.close(Duration.ofSeconds(5));
        if (rawProducer != null) rawProducer.close(Duration.ofSeconds(5));
        avroProducer = null;
        rawProducer = null;
    }

    protected static void publish(List<? extends SpecificRecord> observations) {
        try {
            List<java.util.concurrent.Future<?>> sends = new ArrayList<>();
            for (SpecificRecord o : observations) {
                String key = ((ObservationRecorded) o).getTestId();
                sends.add(avro().send(new ProducerRecord<>("ab-observations", key, o)));
            }
            for (var s : sends) s.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot publish observations", e);
        }
    }

    protected static void send(String topic, String key, SpecificRecord value) {
        try {
            avro().send(new ProducerRecord<>(topic, key, value)).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot publish to " + topic, e);
        }
    }

    protected static void sendRaw(String topic, String key, byte[] value) {
        try {
            raw().send(new ProducerRecord<>(topic, key, value)).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot publish to " + topic, e);
        }
    }

    /** Every record now in {@code topic} whose key is {@code key}, read from the beginning. */
    protected static List<ConsumerRecord<String, byte[]>> recordsWithKey(String topic, String key) {
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, INFRA.kafkaBootstrapServers());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "test-reader-" + UUID.randomUUID());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<ConsumerRecord<String, byte[]>> found = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
            var partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            var end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))
                    && System.nanoTime() < deadline) {
                for (var record : consumer.poll(Duration.ofMillis(200))) {
                    if (key.equals(record.key())) found.add(record);
                }
            }
        }
        return found;
    }

    /** The Avro values of {@link #recordsWithKey}, decoded through the registry. */
    @SuppressWarnings("unchecked")
    protected static <T> List<T> valuesWithKey(String topic, String key) {
        try (var avro = new AvroKafkaDeserializer<Object>()) {
            avro.configure(registryConfig(), false);
            return recordsWithKey(topic, key).stream()
                    .map(r -> (T) avro.deserialize(topic, r.value()))
                    .toList();
        }
    }

    protected static String header(ConsumerRecord<?, ?> record, String name) {
        var header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    /** The partition of ab-observations that records keyed {@code key} go to, and its end offset now. */
    protected record Position(int partition, long endOffset) {}

    protected static Position endOf(String key) {
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, INFRA.kafkaBootstrapServers());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "test-reader-" + UUID.randomUUID());
        try (var consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
            int partitions = consumer.partitionsFor("ab-observations").size();
            // the producer's default partitioner for keyed records
            int partition = org.apache.kafka.common.utils.Utils.toPositive(
                            org.apache.kafka.common.utils.Utils.murmur2(key.getBytes(StandardCharsets.UTF_8)))
                    % partitions;
            var tp = new TopicPartition("ab-observations", partition);
            return new Position(partition, consumer.endOffsets(List.of(tp)).get(tp));
        }
    }

    /** The next offset to count stored for a partition of ab-observations (-1: none yet). */
    protected static long storedNextOffset(int partition) {
        try {
            Long next = sql().queryForObject(
                            "SELECT max(next_offset) FROM abtest.observation_offsets WHERE topic = 'ab-observations'"
                                    + " AND partition = ?",
                            Long.class,
                            partition);
            return next == null ? -1 : next;
        } catch (RuntimeException e) {
            return -1; // the database is down or still starting
        }
    }

    /**
     * Waits until the service has read (counted, skipped or dead-lettered, and committed) every record of the
     * partition of {@code key} published so far: the partition's stored next offset reached its end.
     */
    protected static void awaitRead(String key, Duration atMost) {
        Position end = endOf(key);
        await().atMost(atMost).until(() -> storedNextOffset(end.partition()) >= end.endOffset());
    }

    /** Observations counted for a test, both phases ({@code variant_statistics} and {@code rollout_statistics}). */
    protected static long counted(UUID testId) {
        try {
            return sql().queryForObject(
                            "SELECT coalesce((SELECT sum(n) FROM abtest.variant_statistics WHERE test_id = ?), 0)"
                                    + " + coalesce((SELECT sum(n) FROM abtest.rollout_statistics WHERE test_id = ?), 0)",
                            Long.class,
                            testId,
                            testId);
        } catch (RuntimeException e) {
            return -1; // the database is down or still starting
        }
    }

    protected static String testBody(String agent, UUID baseline, UUID treatment, String extra) {
        return "{\"agent\":\"" + agent + "\",\"predictor\":\"answer\",\"baselineInstructionId\":\"" + baseline
                + "\",\"treatmentInstructionId\":\"" + treatment + "\"" + (extra.isEmpty() ? "" : "," + extra) + "}";
    }

    /**
     * Starts the service jar as a child JVM (a replica of its own) with more arguments ({@code --property=value});
     * {@link #stopReplicas} kills it after the test.
     */
    protected ServiceJvm startReplica(String name, String... arguments) {
        List<String> extra = new ArrayList<>(List.of("--spring.kafka.consumer.max-poll-records=200"));
        extra.addAll(List.of(arguments));
        ServiceJvm jvm = ServiceJvm.start(
                name,
                Path.of("target", "abtest-service.jar"),
                "384m",
                serviceProperties(),
                extra.toArray(String[]::new));
        replicas.add(jvm);
        return jvm;
    }

    /** Kills the replicas this test started (each by its own process handle) and forgets them. */
    @AfterEach
    void stopReplicas() {
        replicas.forEach(ServiceJvm::close);
        replicas.clear();
    }

    /** A run's completion as the optimizer publishes it, with its gain over {@code baseline}. */
    protected static OptimizerEvent completed(
            String agent, UUID run, UUID baseline, UUID optimized, double improvement) {
        return completed(agent, run, baseline, optimized, improvement, List.of());
    }

    /** The same, naming the candidates of the run's Pareto front (the treatments of a multi-arm test). */
    protected static OptimizerEvent completed(
            String agent, UUID run, UUID baseline, UUID optimized, double improvement, List<UUID> front) {
        return OptimizerEvent.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setOccurredAt(Instant.now())
                .setAgent(new AgentRef(agent, "answer"))
                .setRunId(run.toString())
                .setPayload(RunCompleted.newBuilder()
                        .setOptimizerType("gepa")
                        .setBaselineInstructionId(baseline.toString())
                        .setOptimizedInstructionId(optimized.toString())
                        .setInstructionVersion(2)
                        .setBaselineScore(0.6)
                        .setOptimizedScore(0.6 * (1 + improvement / 100))
                        .setImprovementPercent(improvement)
                        .setMetricCallsSpent(500)
                        .setFrontInstructionIds(
                                front.stream().map(UUID::toString).toList())
                        .build())
                .build();
    }
}
