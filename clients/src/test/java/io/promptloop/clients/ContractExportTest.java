package io.promptloop.clients;

import static org.assertj.core.api.Assertions.assertThat;

import io.promptloop.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContractExportTest {

    @Test
    void shouldExportEachValueSchemaSelfContainedAndEqualToTheCatalogues(@TempDir Path dir) throws Exception {
        ContractExport.main(new String[] {
            dir.resolve("fixtures").toString(), dir.resolve("schemas").toString()
        });

        for (Topics.Topic<?> topic : Topics.ALL) {
            String text = Files.readString(dir.resolve("schemas/" + topic.valueSubject() + ".avsc"));
            // a fresh parser knows no common.avsc: the file must define AgentRef itself
            Schema parsed = new Schema.Parser().parse(text);
            assertThat(SchemaNormalization.toParsingForm(parsed))
                    .as(topic.name())
                    .isEqualTo(SchemaNormalization.toParsingForm(topic.valueSchema()));
        }
        assertThat(Files.readString(dir.resolve("schemas/topics.json")))
                .contains("\"name\": \"agent-sessions\", \"key\": \"session id (UUID)\"")
                .contains("\"name\": \"instruction-routing\", \"key\": \"agent/predictor\"");
    }

    @Test
    void shouldWriteThePartitionsOfTheClassicJavaFormula(@TempDir Path dir) throws Exception {
        ContractExport.main(new String[] {dir.toString()});
        String json = Files.readString(dir.resolve("partitions.json"));

        // the formula of Kafka's default partitioner since 0.8.2, written out: toPositive(murmur2(key)) % n
        for (String key : ContractExport.KEYS) {
            for (int n : ContractExport.PARTITION_COUNTS) {
                int expected = Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % n;
                assertThat(json)
                        .contains("{\"key\": \"" + key + "\", \"partitions\": " + n + ", \"partition\": " + expected
                                + "}");
            }
        }
        assertThat(Files.readString(dir.resolve("thresholds.json")))
                .contains("{\"split\": 5.0E-5, \"threshold\": 1}") // 0.5 rounds up, as Math.round does
                .contains("{\"split\": 0.12345, \"threshold\": 1235}");
    }
}
