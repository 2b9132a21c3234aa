package io.promptloop.console.config;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Kafka bootstrap servers that cannot be right stop the console's start, with the property's name. */
class ConsolePropertiesTest {

    private final Validator validator =
            Validation.buildDefaultValidatorFactory().getValidator();

    @Test
    void shouldAcceptHostPortListsAndRejectAnythingElseNamingTheProperty() {
        // table: bootstrap servers → valid?
        record Row(String servers, boolean valid) {}
        List<Row> rows = List.of(
                new Row("127.0.0.1:9092", true),
                new Row("kafka-0.kafka:9092,kafka-1.kafka:9092", true),
                new Row("[::1]:9092", true),
                new Row("", false), // not configured
                new Row("127.0.0.1", false), // no port
                new Row("127.0.0.1:9092,", false), // trailing comma
                new Row("kafka 9092", false), // a space, no colon
                new Row("PLAINTEXT://kafka:9092", false)); // a listener URL, not host:port
        for (Row row : rows) {
            var violations =
                    validator.validate(new ConsoleProperties.Kafka(row.servers(), Duration.ofSeconds(5), List.of()));
            assertThat(violations.isEmpty()).as(row.servers()).isEqualTo(row.valid());
            if (!row.valid()) {
                assertThat(violations)
                        .extracting(ConstraintViolation::getMessage)
                        .allMatch(m -> m.contains("promptloop.console.kafka.bootstrap-servers"));
            }
        }
    }

    @Test
    void shouldShowTheServicesGroupsUnlessGroupsAreConfigured() {
        var none = new ConsoleProperties.Kafka("k:9092", Duration.ofSeconds(5), List.of());
        assertThat(none.groupsOrServices())
                .extracting(ConsoleProperties.Group::name)
                .containsExactly("promptloop-ingest", "promptloop-optimizer", "promptloop-abtest");
        var one = new ConsoleProperties.Kafka(
                "k:9092", Duration.ofSeconds(5), List.of(new ConsoleProperties.Group("g", List.of("t"))));
        assertThat(one.groupsOrServices())
                .extracting(ConsoleProperties.Group::name)
                .containsExactly("g");
    }
}
