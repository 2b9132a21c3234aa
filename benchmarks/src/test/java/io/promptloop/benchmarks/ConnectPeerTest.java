package io.promptloop.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.promptloop.testkit.DatabaseLogin;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.json.JsonConverter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ConnectPeerTest {

    @Test
    void shouldParseSinkConfigurationsAndTakeDefaultsForMissingKeys() {
        ConnectPeer.Config c = ConnectPeer.Config.parse("batch.size=5_000, tasks.max=6,unnest=false");
        assertThat(c).isEqualTo(new ConnectPeer.Config(5_000, 6, 2_000, false));
        assertThat(ConnectPeer.Config.parse(ConnectPeer.Config.DEFAULT))
                .isEqualTo(new ConnectPeer.Config(2_000, 3, 2_000, true));
    }

    @Test
    void shouldRejectBadSinkConfigurationsNamingTheKey() {
        assertThatThrownBy(() -> ConnectPeer.Config.parse("batch=500"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'batch=500' is not one of batch.size=..");
        assertThatThrownBy(() -> ConnectPeer.Config.parse("tasks.max=0"))
                .hasMessage("--peer-config tasks.max must be positive, was 0");
        assertThatThrownBy(() -> ConnectPeer.Config.parse("max.poll.records=lots"))
                .hasMessageContaining("max.poll.records must be a whole number, was 'lots'");
        assertThatThrownBy(() -> ConnectPeer.Config.parse("unnest=yes"))
                .hasMessageContaining("unnest must be true or false, was 'yes'");
    }

    @Test
    void shouldParseThePeerOptionsOfTheIngestBenchmark() {
        IngestOptions o = new IngestOptions();
        new CommandLine(o)
                .parseArgs(
                        "--peer",
                        "connect",
                        "--peer-config",
                        "batch.size=500,tasks.max=1",
                        "--peer-config=unnest=false");
        o.validate();
        assertThat(o.peer.enabled()).isTrue();
        assertThat(o.peer.configs())
                .containsExactly(
                        new ConnectPeer.Config(500, 1, 2_000, true), new ConnectPeer.Config(2_000, 3, 2_000, false));
        assertThat(new IngestOptions().peer.enabled()).isFalse();
        IngestOptions bad = new IngestOptions();
        new CommandLine(bad).parseArgs("--peer", "connect", "--peer-config", "batch.size=-1");
        assertThatThrownBy(bad::validate).hasMessageContaining("--peer-config batch.size must be positive");
    }

    @Test
    void shouldWriteRowsThatConnectsJsonConverterReadsWithDebeziumSemanticTypes() {
        TurnRow row = TurnRow.of(new TurnEvents(42, 10, 3).event(7));
        String value = ConnectPeer.envelope(ConnectPeer.schema().toString(), row);

        JsonConverter converter = new JsonConverter();
        converter.configure(Map.of("schemas.enable", "true"), false);
        SchemaAndValue decoded = converter.toConnectData(ConnectPeer.TOPIC, value.getBytes(StandardCharsets.UTF_8));

        Schema schema = decoded.schema();
        assertThat(schema.type()).isEqualTo(Schema.Type.STRUCT);
        assertThat(schema.field("id").schema().name()).isEqualTo("io.debezium.data.Uuid");
        assertThat(schema.field("session_id").schema().name()).isEqualTo("io.debezium.data.Uuid");
        assertThat(schema.field("instruction_id").schema().name()).isEqualTo("io.debezium.data.Uuid");
        assertThat(schema.field("search_results").schema().name()).isEqualTo("io.debezium.data.Json");
        assertThat(schema.field("metadata").schema().name()).isEqualTo("io.debezium.data.Json");
        assertThat(schema.field("occurred_at").schema().name()).isEqualTo("io.debezium.time.ZonedTimestamp");
        assertThat(schema.field("turn_number").schema().type()).isEqualTo(Schema.Type.INT32);
        assertThat(schema.field("avg_similarity").schema().type()).isEqualTo(Schema.Type.FLOAT64);
        assertThat(schema.field("avg_similarity").schema().isOptional()).isTrue();
        assertThat(schema.field("ingested_at"))
                .as("ingested_at takes the table's default")
                .isNull();
        // every column the service writes, and only those
        assertThat(schema.fields().stream().map(f -> f.name()).toList()).containsExactly(TurnRow.COLUMNS.split(", "));

        Struct struct = (Struct) decoded.value();
        assertThat(struct.getString("id")).isEqualTo(row.id().toString());
        assertThat(struct.getString("session_id")).isEqualTo(row.sessionId().toString());
        assertThat(struct.getInt32("turn_number")).isEqualTo(row.turnNumber());
        assertThat(struct.getString("user_message")).isEqualTo(row.userMessage());
        assertThat(struct.getString("agent_response")).isEqualTo(row.agentResponse());
        assertThat(java.time.OffsetDateTime.parse(struct.getString("occurred_at"))
                        .toInstant())
                .isEqualTo(row.occurredAt());
        assertThat(struct.getString("search_results")).isEqualTo(row.searchResults());
        assertThat(struct.getFloat64("avg_similarity")).isEqualTo(row.avgSimilarity());
        assertThat(struct.getString("metadata")).isEqualTo(row.metadata());
        converter.close();
    }

    @Test
    void shouldConfigureAStandaloneWorkerAndAnUpsertingSink() {
        ConnectPeer.Config config = new ConnectPeer.Config(5_000, 6, 4_000, true);
        Properties worker =
                ConnectPeer.workerProperties("127.0.0.1:40001", 40002, Path.of("offsets"), Path.of("plugins"), config);
        assertThat(worker)
                .containsEntry("bootstrap.servers", "127.0.0.1:40001")
                .containsEntry("listeners", "http://127.0.0.1:40002")
                .containsEntry("value.converter", JsonConverter.class.getName())
                .containsEntry("value.converter.schemas.enable", "true")
                .containsEntry("offset.storage.file.filename", "offsets")
                .containsEntry("plugin.path", "plugins")
                .containsEntry("connector.client.config.override.policy", "All");

        Properties sink = ConnectPeer.connectorProperties(
                "peer-1",
                new DatabaseLogin("jdbc:postgresql://127.0.0.1:40003/promptloop", "su", "pw"),
                "bench.t",
                config);
        assertThat(sink)
                .containsEntry("connector.class", "io.debezium.connector.jdbc.JdbcSinkConnector")
                .containsEntry("topics", ConnectPeer.TOPIC)
                .containsEntry("connection.url", "jdbc:postgresql://127.0.0.1:40003/promptloop")
                .containsEntry("insert.mode", "upsert")
                .containsEntry("primary.key.mode", "record_value")
                .containsEntry("primary.key.fields", "id")
                .containsEntry("schema.evolution", "none")
                .containsEntry("collection.name.format", "bench.t")
                .containsEntry("tasks.max", "6")
                .containsEntry("batch.size", "5000")
                .containsEntry("consumer.override.max.poll.records", "4000")
                .containsEntry("dialect.postgres.unnest.insert.enabled", "true");
    }
}
