package io.promptloop.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.junit.jupiter.api.Test;

/**
 * Holds every topic's value schema BACKWARD-compatible (the registry's rule: a consumer on the new schema
 * reads records written with any earlier one) with its earlier versions, kept in
 * {@code src/test/resources/schema-history/<subject>/v<N>.avsc}. Changing a schema means adding the next
 * {@code v<N>.avsc}; this test says so when it is missing.
 */
class SchemaHistoryTest {

    @Test
    void shouldKeepEveryTopicSchemaBackwardCompatibleWithItsHistory() throws IOException {
        for (Topics.Topic<?> topic : Topics.ALL) {
            List<Schema> history = history(topic.valueSubject());
            assertThat(history).as("history of %s", topic.valueSubject()).isNotEmpty();
            Schema current = topic.valueSchema();
            for (int v = 0; v < history.size(); v++) {
                var result = SchemaCompatibility.checkReaderWriterCompatibility(current, history.get(v));
                assertThat(result.getType())
                        .as(
                                "%s: the current schema must read data written with v%d: %s",
                                topic.valueSubject(), v + 1, result.getResult().getIncompatibilities())
                        .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
            }
            assertThat(current)
                    .as(
                            "%s changed: add it as src/test/resources/schema-history/%s/v%d.avsc",
                            topic.valueSubject(), topic.valueSubject(), history.size() + 1)
                    .isEqualTo(history.getLast());
        }
    }

    @Test
    void shouldCatchANewRequiredFieldWithoutADefault() {
        Schema old = Topics.AB_OBSERVATIONS.valueSchema();
        var fields = SchemaBuilder.record(old.getName())
                .namespace(old.getNamespace())
                .fields();
        for (Schema.Field f : old.getFields())
            fields = fields.name(f.name()).type(f.schema()).noDefault();
        Schema breaking = fields.name("region").type().stringType().noDefault().endRecord();

        var result = SchemaCompatibility.checkReaderWriterCompatibility(breaking, old);

        assertThat(result.getType()).isEqualTo(SchemaCompatibilityType.INCOMPATIBLE);
    }

    @Test
    void shouldCatalogueEveryTopicOnceWithItsDeadLetterTopic() {
        assertThat(Topics.ALL)
                .extracting(Topics.Topic::name)
                .doesNotHaveDuplicates()
                .hasSize(7);
        assertThat(Topics.byName("agent-sessions")).contains(Topics.AGENT_SESSIONS);
        assertThat(Topics.AGENT_SESSIONS.deadLetterTopic()).isEqualTo("agent-sessions-dlt");
        assertThat(Topics.INSTRUCTION_ROUTING.cleanup()).isEqualTo(Topics.Cleanup.COMPACT);
        assertThat(Topics.predictorKey("era", null)).isEqualTo("era");
        assertThat(Topics.predictorKey("era", "answer")).isEqualTo("era/answer");
    }

    private static List<Schema> history(String subject) throws IOException {
        List<Schema> versions = new ArrayList<>();
        for (int v = 1; ; v++) {
            try (InputStream in =
                    SchemaHistoryTest.class.getResourceAsStream("/schema-history/" + subject + "/v" + v + ".avsc")) {
                if (in == null) return versions;
                versions.add(new Schema.Parser().parse(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
            }
        }
    }
}
