package io.promptloop.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ExternalInfrastructureTest {

    private static final Map<String, String> COMPLETE = Map.of(
            "PROMPTLOOP_TEST_KAFKA_BOOTSTRAP", "kafka:9092",
            "PROMPTLOOP_TEST_JDBC_URL", "jdbc:postgresql://db:5432/promptloop",
            "PROMPTLOOP_TEST_JDBC_USER", "postgres",
            "PROMPTLOOP_TEST_JDBC_PASSWORD", "secret",
            "PROMPTLOOP_TEST_REGISTRY_URL", "http://registry:8080/apis/ccompat/v7/");

    @Test
    void shouldNameEveryMissingVariable() {
        assertThatThrownBy(() -> ExternalInfrastructure.fromEnvironment(
                        Map.of("PROMPTLOOP_TEST_KAFKA_BOOTSTRAP", "kafka:9092", "PROMPTLOOP_TEST_JDBC_USER", " ")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("PROMPTLOOP_TEST_JDBC_URL")
                .hasMessageContaining("PROMPTLOOP_TEST_JDBC_USER")
                .hasMessageContaining("PROMPTLOOP_TEST_JDBC_PASSWORD")
                .hasMessageContaining("PROMPTLOOP_TEST_REGISTRY_URL")
                .hasMessageNotContaining("PROMPTLOOP_TEST_KAFKA_BOOTSTRAP");
    }

    @Test
    void shouldPointAtTheGivenServers() {
        ExternalInfrastructure infrastructure = ExternalInfrastructure.fromEnvironment(COMPLETE);

        assertThat(infrastructure.kafka().bootstrapServers()).isEqualTo("kafka:9092");
        assertThat(infrastructure.postgres().superuser())
                .isEqualTo(new DatabaseLogin("jdbc:postgresql://db:5432/promptloop", "postgres", "secret"));
        assertThat(infrastructure.registry().url()).isEqualTo("http://registry:8080");
        assertThat(infrastructure.registry().apiV3Url()).isEqualTo("http://registry:8080/apis/registry/v3");
        assertThat(infrastructure.registry().ccompatUrl()).isEqualTo("http://registry:8080/apis/ccompat/v7");
    }

    @Test
    void shouldRefuseFaultInjectionOnServersItDoesNotRun() {
        ExternalInfrastructure infrastructure = ExternalInfrastructure.fromEnvironment(COMPLETE);

        assertThatThrownBy(() -> infrastructure.kafka().stop())
                .isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("external");
        assertThatThrownBy(() -> infrastructure.postgres().start())
                .isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("embedded");
    }

    @Test
    void shouldMaskThePasswordOfALogin() {
        assertThat(new DatabaseLogin("jdbc:x", "u", "secret").toString()).doesNotContain("secret");
    }
}
