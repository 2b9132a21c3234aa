package io.promptloop.ingest;

import io.apicurio.registry.serde.avro.AvroKafkaSerializer;
import io.promptloop.avro.common.AgentRef;
import io.promptloop.avro.session.ImprovementCategory;
import io.promptloop.avro.session.ImprovementNoted;
import io.promptloop.avro.session.SearchResult;
import io.promptloop.avro.session.SessionEnded;
import io.promptloop.avro.session.SessionEvent;
import io.promptloop.avro.session.SessionStarted;
import io.promptloop.avro.session.Tester;
import io.promptloop.avro.session.TurnRecorded;
import io.promptloop.testkit.PromptloopInfrastructure;
import io.promptloop.testkit.PromptloopIntegrationTest;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * What ingest-service integration tests share: the test kit's real Kafka, PostgreSQL and registry, an
 * agent-like Avro producer (Confluent wire format), a raw producer for bad bytes, a dead-letter reader and
 * superuser SQL for assertions. Tests use fresh session and test ids, so they never see each other's rows.
 */
@PromptloopIntegrationTest
public abstract class IngestTestSupport {

    public static final PromptloopInfrastructure INFRA = PromptloopInfrastructure.shared();
    protected static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    protected static final AgentRef AGENT = new AgentRef("era", "answer");

    private static KafkaProducer<String, SpecificRecord> avroProducer;
    private static KafkaProducer<String, byte[]> rawProducer;

    /** In the base class, so that every test class with the same annotations shares one cached context. */
    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        serviceProperties().forEach((k, v) -> registry.add(k, () -> v));
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

    /** Spring properties for an ingest-service instance on the test kit, as ingest_app. */
    public static Map<String, Object> serviceProperties() {
        Map<String, Object> properties = new HashMap<>(INFRA.springProperties("ingest_app"));
        properties.put("promptloop.security.users[0].name", "analyst");
        properties.put("promptloop.security.users[0].password", "{noop}analyst-secret");
        properties.put("promptloop.security.users[0].roles", "READER");
        properties.put("promptloop.ingest.limits.max-text-length", "2000");
        properties.put("spring.kafka.listener.concurrency", "2");
        return properties;
    }

    protected static synchronized KafkaProducer<String, SpecificRecord> avro() {
        if (avroProducer == null) {
            Map<String, Object> config = new HashMap<>();
            config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, INFRA.kafkaBootstrapServers());
            config.put(ProducerConfig.ACKS_CONFIG, "all");
            config.put("apicurio.registry.url", INFRA.registry().apiV3Url());
            config.put("apicurio.registry.id-handler", "io.apicurio.registry.serde.Default4ByteIdHandler");
            config.put("apicurio.registry.use-id", "contentId");
            config.put("apicurio.registry.headers.enabled", false);
            config.put("apicurio.registry.auto-register", true);
            config.put("apicurio.registry.auto-register.if-exists", "FIND_OR_CREATE_VERSION");
            // the 3.1.7 serializer would otherwise split nested types into references and miss our subjects
            config.put("apicurio.registry.dereference-schema", true);
            var values = new AvroKafkaSerializer<SpecificRecord>();
            values.configure(config, false);
            avroProducer = new KafkaProducer<>(config, new StringSerializer(), values);
        }
        return avroProducer;
    }

    /** The Confluent wire bytes of {@code value} as its own topic's serializer writes them. */
    protected static byte[] wire(String topic, SpecificRecord value) {
        avro(); // registers nothing by itself; the serializer below shares the producer's settings
        Map<String, Object> config = new HashMap<>();
        config.put("apicurio.registry.url", INFRA.registry().apiV3Url());
        config.put("apicurio.registry.id-handler", "io.apicurio.registry.serde.Default4ByteIdHandler");
        config.put("apicurio.registry.use-id", "contentId");
        config.put("apicurio.registry.headers.enabled", false);
        config.put("apicurio.registry.auto-register", true);
        config.put("apicurio.registry.auto-register.if-exists", "FIND_OR_CREATE_VERSION");
        config.put("apicurio.registry.dereference-schema", true);
        try (var serializer = new AvroKafkaSerializer<SpecificRecord>()) {
            serializer.configure(config, false);
            return serializer.serialize(topic, value);
        }
    }

    /** {@code bytes} followed by {@code extra}. */
    protected static byte[] concat(byte[] bytes, byte... extra) {
        byte[] all = java.util.Arrays.copyOf(bytes, bytes.length + extra.length);
        System.arraycopy(extra, 0, all, bytes.length, extra.length);
        return all;
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

    protected static void sendSession(SessionEvent event) {
        send("agent-sessions", event.getSessionId(), event);
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
                    .map(p -> new org.apache.kafka.common.TopicPartition(topic, p.partition()))
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

    protected static String header(ConsumerRecord<?, ?> record, String name) {
        var header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), java.nio.charset.StandardCharsets.UTF_8);
    }

    // --- agent events -------------------------------------------------------------------------------

    protected static SessionEvent started(String session, String testerEmail) {
        return envelope(
                session,
                NOW,
                new SessionStarted(
                        "fc26922",
                        "prompt-tuning",
                        new Tester("aad-" + testerEmail, testerEmail, "Meg"),
                        Map.of("env", "test")));
    }

    protected static SessionEvent turn(String session, int number) {
        return turn(session, number, "My employee didn't show up (" + number + ")");
    }

    protected static SessionEvent turn(String session, int number, String userMessage) {
        return envelope(
                session,
                NOW.plusSeconds(number),
                TurnRecorded.newBuilder()
                        .setTurnNumber(number)
                        .setUserMessage(userMessage)
                        .setAgentResponse("Got it - that's definitely frustrating. Per the No Show Policy...")
                        .setProcessingTimeMs(850)
                        .setSearchResults(List.of(new SearchResult(
                                "chunk-789", "No Show Policy", "Employees who fail to show up...", 0.89)))
                        .setAvgSimilarity(0.85)
                        .setTotalChunks(1)
                        .setConfidenceScore(0.72)
                        .setTemplateUsed(null)
                        .setInstructionId(null)
                        .setMetadata(Map.of())
                        .build());
    }

    protected static SessionEvent note(String session, int turnNumber, String text) {
        return envelope(
                session,
                NOW.plusSeconds(100 + turnNumber),
                new ImprovementNoted(turnNumber, text, ImprovementCategory.CONTENT, Map.of()));
    }

    protected static SessionEvent ended(String session) {
        return envelope(session, NOW.plusSeconds(500), new SessionEnded("tester closed the session"));
    }

    protected static SessionEvent envelope(String session, Instant at, Object payload) {
        return new SessionEvent(UUID.randomUUID().toString(), at, AGENT, session, payload);
    }
}
