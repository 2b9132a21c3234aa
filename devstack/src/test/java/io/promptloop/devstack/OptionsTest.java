package io.promptloop.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OptionsTest {

    private static final Path PROJECT = Path.of("/checkout");

    @Test
    void shouldUseTheDocumentedDefaults() throws Exception {
        Options options = Options.parse(new String[0], PROJECT);

        assertThat(options.dataDirectory()).isEqualTo(Path.of(".promptloop"));
        assertThat(options.postgresPort()).isEqualTo(5432);
        assertThat(options.kafkaPort()).isEqualTo(9092);
        assertThat(options.registryPort()).isEqualTo(8080);
        assertThat(options.ingestPort()).isEqualTo(8081);
        assertThat(options.registryStorage()).isEqualTo(Options.RegistryStorage.POSTGRESQL);
        assertThat(options.agent()).isTrue();
        assertThat(options.agentRate()).isEqualTo(2.0);
        assertThat(options.agentSeed()).isEmpty();
        assertThat(options.trafficRate()).isEqualTo(25.0);
        assertThat(options.projectDirectory()).isEqualTo(PROJECT);
    }

    @Test
    void shouldReadBothOptionForms() throws Exception {
        Options options = Options.parse(
                new String[] {
                    "--data-dir",
                    "/tmp/pl",
                    "--pg-port=15432",
                    "--no-agent",
                    "--agent-rate",
                    "0.5",
                    "--agent-seed=-7",
                    "--traffic-rate",
                    "40",
                    "--registry-storage",
                    "memory"
                },
                PROJECT);

        assertThat(options.dataDirectory()).isEqualTo(Path.of("/tmp/pl"));
        assertThat(options.postgresPort()).isEqualTo(15432);
        assertThat(options.agent()).isFalse();
        assertThat(options.agentRate()).isEqualTo(0.5);
        assertThat(options.agentSeed()).hasValue(-7);
        assertThat(options.trafficRate()).isEqualTo(40.0);
        assertThat(options.registryStorage()).isEqualTo(Options.RegistryStorage.MEMORY);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "--bogus                     | unknown option --bogus",
                "stray                       | unexpected argument 'stray'",
                "--pg-port                   | --pg-port needs a value",
                "--pg-port --no-agent        | --pg-port needs a value",
                "--pg-port 70000             | port number",
                "--kafka-port=abc            | port number",
                "--agent-rate 0              | sessions per second",
                "--agent-rate=-1             | sessions per second",
                "--traffic-rate 5000         | requests per second in (0, 1000]",
                "--no-agent=yes              | --no-agent takes no value",
                "--registry-storage disk     | postgresql or memory",
            })
    void shouldRejectABadCommandLine(String commandLine, String message) {
        assertThatThrownBy(() -> Options.parse(commandLine.split(" "), PROJECT))
                .isInstanceOf(Options.UsageException.class)
                .hasMessageContaining(message);
    }
}
