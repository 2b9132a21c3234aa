package io.promptloop.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class InfrastructureModeTest {

    @Test
    void shouldReadTheModeFromTheEnvironment() {
        // variable value -> mode
        assertThat(InfrastructureMode.from(Map.of())).isEqualTo(InfrastructureMode.EMBEDDED); // unset
        assertThat(InfrastructureMode.from(Map.of("PROMPTLOOP_TEST_INFRA", " ")))
                .isEqualTo(InfrastructureMode.EMBEDDED);
        assertThat(InfrastructureMode.from(Map.of("PROMPTLOOP_TEST_INFRA", "external")))
                .isEqualTo(InfrastructureMode.EXTERNAL);
        assertThat(InfrastructureMode.from(Map.of("PROMPTLOOP_TEST_INFRA", "Testcontainers")))
                .isEqualTo(InfrastructureMode.TESTCONTAINERS);
    }

    @Test
    void shouldNameTheValidModesWhenTheValueIsUnknown() {
        assertThatThrownBy(() -> InfrastructureMode.from(Map.of("PROMPTLOOP_TEST_INFRA", "docker")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("embedded, external, testcontainers");
    }
}
