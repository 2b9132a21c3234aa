package io.promptloop.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.apicurio.registry.serde.Default4ByteIdHandler;
import io.apicurio.registry.serde.avro.AvroKafkaDeserializer;
import io.apicurio.registry.serde.avro.AvroKafkaSerializer;
import io.apicurio.registry.serde.avro.AvroSerdeConfig;
import io.apicurio.registry.serde.config.IdOption;
import io.apicurio.registry.serde.config.SerdeConfig;
import io.apicurio.registry.serde.kafka.config.KafkaSerdeConfig;
import io.promptloop.avro.common.AgentRef;
import io.promptloop.avro.observation.ObservationRecorded;
import io.promptloop.schemas.Topics;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The shared infrastructure is real: a broker that stores and serves records, PostgreSQL 17 with the
 * documented settings, and a registry that holds schemas to BACKWARD compatibility and speaks the Confluent
 * wire format through the Apicurio serde with Boot's Kafka client. Restarts keep data.
 */
@PromptloopIntegrationTest
class InfrastructureIT {

    private final PromptloopInfrastructure infrastructure;

    InfrastructureIT(PromptloopInfrastructure infrastructure) {
        this.infrastructure = infrastructure;
    }

    @Test
    void shouldDeliverAProducedRecordToAConsumerOnACatalogueTopic() throws Exception {
        String key = UUID.randomUUID().toString();

        RecordMetadata sent = send(Topics.AB_OBSERVATIONS.name(), key, "hello " + key);

        assertThat(readOne(sent, new StringDeserializer()).value()).isEqualTo("hello " + key);
    }

    @Test
    void shouldAcceptEveryCompressionCodecThatAgentsMayUse() throws Exception {
        // each row: a producer compression.type an agent may configure (lz4 is a common client default)
        for (String codec : List.of("gzip", "lz4", "snappy", "zstd")) {
            String key = UUID.randomUUID().toString();
            Map<String, Object> config = Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                    infrastructure.kafkaBootstrapServers(),
                    ProducerConfig.ACKS_CONFIG,
                    "all",
                    ProducerConfig.COMPRESSION_TYPE_CONFIG,
                    codec);
            RecordMetadata sent;
            try (var producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
                sent = producer.send(new ProducerRecord<>(Topics.AB_OBSERVATIONS.name(), key, codec + " " + key))
                        .get(30, TimeUnit.SECONDS);
            }
            assertThat(readOne(sent, new StringDeserializer()).value())
                    .as(codec)
                    .isEqualTo(codec + " " + key);
        }
    }

    @Test
    void shouldCreateEveryCatalogueTopicAndItsDeadLetterTopicWithTheCataloguePartitions() throws Exception {
        try (Admin admin = admin()) {
            Map<String, TopicDescription> topics = admin.describeTopics(Topics.ALL.stream()
                            .flatMap(topic -> Stream.of(topic.name(), topic.deadLetterTopic()))
                            .toList())
                    .allTopicNames()
                    .get(30, TimeUnit.SECONDS);
            Map<ConfigResource, Config> configs = admin.describeConfigs(topics.keySet().stream()
                            .map(name -> new ConfigResource(ConfigResource.Type.TOPIC, name))
                            .toList())
                    .all()
                    .get(30, TimeUnit.SECONDS);

            for (Topics.Topic<?> topic : Topics.ALL) {
                assertThat(topics.get(topic.name()).partitions())
                        .as(topic.name())
                        .hasSize(topic.defaultPartitions());
                assertThat(topics.get(topic.deadLetterTopic()).partitions())
                        .as(topic.deadLetterTopic())
                        .hasSize(topic.defaultPartitions());
                assertThat(cleanupPolicy(configs, topic.name()))
                        .as(topic.name())
                        .isEqualTo(topic.cleanup().kafkaValue());
                assertThat(cleanupPolicy(configs, topic.deadLetterTopic()))
                        .as(topic.deadLetterTopic())
                        .isEqualTo("delete");
            }
            assertThat(cleanupPolicy(configs, "instruction-routing")).isEqualTo("compact");
        }
    }

    @Test
    void shouldNotCreateTopicsThatTheCatalogueDoesNotName() throws Exception {
        try (Admin admin = admin()) {
            Set<String> names = admin.listTopics().names().get(30, TimeUnit.SECONDS);

            assertThat(names).hasSize(Topics.ALL.size() * 2).doesNotContain("ab-observation");
        }
    }

    @Test
    void shouldRunPostgres17WithTheDocumentedSettings() throws Exception {
        try (Connection connection = connect(infrastructure.superuserLogin());
                Statement statement = connection.createStatement()) {
            assertThat(show(statement, "server_version")).startsWith("17.");
            assertThat(show(statement, "fsync")).isEqualTo("off");
            assertThat(show(statement, "synchronous_commit")).isEqualTo("off");
            assertThat(show(statement, "full_page_writes")).isEqualTo("off");
            assertThat(show(statement, "max_connections")).isEqualTo("200");
            assertThat(show(statement, "listen_addresses")).isEqualTo("127.0.0.1");
        }
        assertThat(infrastructure.postgres().jdbcUrl())
                .startsWith("jdbc:postgresql://127.0.0.1:")
                .endsWith("/promptloop");
    }

    @Test
    void shouldListEveryValueSubjectThroughTheConfluentCompatibleApi() {
        RegistryClient registry = new RegistryClient(infrastructure.registry());

        assertThat(registry.subjects())
                .containsAll(Topics.ALL.stream().map(Topics.Topic::valueSubject).toList());
    }

    @Test
    void shouldHoldSchemasToBackwardCompatibility() {
        RegistryClient registry = new RegistryClient(infrastructure.registry());
        Schema current = Topics.AGENT_SESSIONS.valueSchema();
        List<Schema.Field> fields = new ArrayList<>();
        current.getFields().forEach(field -> fields.add(new Schema.Field(field, field.schema())));
        // a new field without a default: old records cannot be read with the new schema
        fields.add(new Schema.Field("required_without_default", Schema.create(Schema.Type.STRING)));
        Schema incompatible =
                Schema.createRecord(current.getName(), current.getDoc(), current.getNamespace(), false, fields);

        RegistryClient.Response response =
                registry.tryRegister(Topics.AGENT_SESSIONS.valueSubject(), incompatible.toString());

        assertThat(registry.globalCompatibility()).isEqualTo("BACKWARD");
        assertThat(response.status()).as(response.body()).isEqualTo(409);
    }

    @Test
    void shouldRegisterSchemasIdempotently() {
        Map<String, Integer> first = infrastructure.registerSchemas();
        Map<String, Integer> again = infrastructure.registerSchemas();

        assertThat(again).isEqualTo(first).hasSize(Topics.ALL.size());
    }

    @Test
    void shouldRoundTripAvroInTheConfluentWireFormatThroughTheApicurioSerde() throws Exception {
        ObservationRecorded observation = ObservationRecorded.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setOccurredAt(Instant.now().truncatedTo(ChronoUnit.MILLIS))
                .setAgent(AgentRef.newBuilder()
                        .setAgentName("support-bot")
                        .setPredictorName("answer")
                        .build())
                .setTestId(UUID.randomUUID().toString())
                .setVariant("treatment")
                .setUnitId("user-42")
                .setScore(0.875)
                .setLatencyMs(1234L)
                .setSuccess(true)
                .setInstructionId(null)
                .build();
        Map<String, Object> serdeConfig = Map.of(
                SerdeConfig.REGISTRY_URL,
                infrastructure.registry().apiV3Url(),
                SerdeConfig.USE_ID,
                IdOption.contentId.name(),
                SerdeConfig.ID_HANDLER,
                Default4ByteIdHandler.class.getName(),
                KafkaSerdeConfig.ENABLE_HEADERS,
                false,
                SerdeConfig.AUTO_REGISTER_ARTIFACT,
                false,
                AvroSerdeConfig.USE_SPECIFIC_AVRO_READER,
                true);
        int registeredId =
                new RegistryClient(infrastructure.registry()).latestId(Topics.AB_OBSERVATIONS.valueSubject());

        RecordMetadata sent;
        try (AvroKafkaSerializer<ObservationRecorded> serializer = new AvroKafkaSerializer<>()) {
            Map<String, Object> serializerConfig = new HashMap<>(serdeConfig);
            // look the schema up whole, as registered under the subject (Confluent's way): by default the serde
            // splits nested named types (AgentRef) into references and finds nothing
            serializerConfig.put(SerdeConfig.DEREFERENCE_SCHEMA, true);
            serializer.configure(serializerConfig, false);
            sent = send(Topics.AB_OBSERVATIONS.name(), observation.getTestId(), observation, serializer);
        }
        byte[] bytes = readOne(sent, new ByteArrayDeserializer()).value();
        ObservationRecorded read;
        try (AvroKafkaDeserializer<ObservationRecorded> deserializer = new AvroKafkaDeserializer<>()) {
            deserializer.configure(serdeConfig, false);
            read = deserializer.deserialize(Topics.AB_OBSERVATIONS.name(), bytes);
        }

        assertThat(bytes[0]).as("magic byte").isZero();
        assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).as("schema id").isEqualTo(registeredId);
        assertThat(read).isEqualTo(observation);
        assertThat(org.apache.kafka.common.utils.AppInfoParser.getVersion())
                .as("Boot's Kafka client, not the serde's")
                .startsWith("4.");
    }

    @Test
    void shouldKeepDataWhenPostgresIsStoppedAndStartedAgain() throws Exception {
        String table = "testkit_restart_" + UUID.randomUUID().toString().replace("-", "");
        try (Connection connection = connect(infrastructure.superuserLogin());
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE " + table + " (id int PRIMARY KEY, note text)");
            statement.execute("INSERT INTO " + table + " VALUES (1, 'survives')");
        }

        infrastructure.postgres().stop();
        try {
            assertThatThrownBy(() -> connect(infrastructure.superuserLogin()).close())
                    .isInstanceOf(SQLException.class);
        } finally {
            infrastructure.postgres().start();
        }

        try (Connection connection = connect(infrastructure.superuserLogin());
                Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery("SELECT note FROM " + table + " WHERE id = 1")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("survives");
        }
    }

    @Test
    void shouldKeepTopicsAndRecordsWhenKafkaIsStoppedAndStartedAgain() throws Exception {
        String key = UUID.randomUUID().toString();
        RecordMetadata before = send(Topics.OPTIMIZER_EVENTS.name(), key, "before restart");

        infrastructure.kafka().stop();
        infrastructure.kafka().start();

        try (Admin admin = admin()) {
            assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS))
                    .containsAll(Topics.ALL.stream()
                            .map(Topics.Topic::deadLetterTopic)
                            .toList())
                    .containsAll(Topics.ALL.stream().map(Topics.Topic::name).toList());
        }
        assertThat(readOne(before, new StringDeserializer()).value()).isEqualTo("before restart");
        RecordMetadata after = send(Topics.OPTIMIZER_EVENTS.name(), key, "after restart");
        assertThat(readOne(after, new StringDeserializer()).value()).isEqualTo("after restart");
    }

    @Test
    void shouldGiveServicesTheirOwnLoginInTheirSpringProperties() {
        Map<String, Object> properties = infrastructure.springProperties("ingest_app");

        assertThat(properties)
                .containsEntry("spring.kafka.bootstrap-servers", infrastructure.kafkaBootstrapServers())
                .containsEntry(
                        "spring.datasource.url", infrastructure.postgres().jdbcUrl())
                .containsEntry("spring.datasource.username", "ingest_app")
                .containsEntry(
                        "promptloop.registry.url", infrastructure.registry().apiV3Url())
                .containsKey("spring.datasource.password");
        assertThatThrownBy(() -> infrastructure.databaseLogin("nobody"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ingest_app");
    }

    private RecordMetadata send(String topic, String key, String value) throws Exception {
        return send(topic, key, value, new StringSerializer());
    }

    private <V> RecordMetadata send(String topic, String key, V value, Serializer<V> valueSerializer) throws Exception {
        Map<String, Object> config = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                infrastructure.kafkaBootstrapServers(),
                ProducerConfig.ACKS_CONFIG,
                "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                true);
        try (KafkaProducer<String, V> producer = new KafkaProducer<>(config, new StringSerializer(), valueSerializer)) {
            return producer.send(new ProducerRecord<>(topic, key, value)).get(30, TimeUnit.SECONDS);
        }
    }

    /** The record at {@code sent}'s offset, read by a consumer that assigns itself that partition. */
    private <V> ConsumerRecord<String, V> readOne(RecordMetadata sent, Deserializer<V> valueDeserializer) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                infrastructure.kafkaBootstrapServers(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                false);
        TopicPartition partition = new TopicPartition(sent.topic(), sent.partition());
        try (KafkaConsumer<String, V> consumer =
                new KafkaConsumer<>(config, new StringDeserializer(), valueDeserializer)) {
            consumer.assign(List.of(partition));
            consumer.seek(partition, sent.offset());
            List<ConsumerRecord<String, V>> records = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).records(partition).forEach(records::add);
                return !records.isEmpty();
            });
            return records.getFirst();
        }
    }

    private Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, infrastructure.kafkaBootstrapServers()));
    }

    private static String cleanupPolicy(Map<ConfigResource, Config> configs, String topic) {
        return configs.get(new ConfigResource(ConfigResource.Type.TOPIC, topic))
                .get(TopicConfig.CLEANUP_POLICY_CONFIG)
                .value();
    }

    private static Connection connect(DatabaseLogin login) throws SQLException {
        return DriverManager.getConnection(login.jdbcUrl(), login.user(), login.password());
    }

    private static String show(Statement statement, String setting) throws SQLException {
        try (ResultSet rs = statement.executeQuery("SHOW " + setting)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
