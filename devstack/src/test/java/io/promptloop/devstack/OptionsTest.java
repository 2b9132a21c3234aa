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

    @Test
    void shouldLetALaterOptionWin() throws Exception {
        Options options = Options.parse(
                new String[] {"--project-dir", "/first", "--pg-port", "1", "--project-dir=/second", "--pg-port", "0"},
                PROJECT);

        assertThat(options.projectDirectory()).isEqualTo(Path.of("/second"));
        assertThat(options.postgresPort()).isZero();
    }

    @Test
    void shouldAnswerHelpWithEveryOption() throws Exception {
        assertThat(Options.parse(new String[] {"--help"}, PROJECT).help()).isTrue();
        assertThat(Options.parse(new String[] {"-h"}, PROJECT).help()).isTrue();
        assertThat(Options.usage())
                .startsWith("Usage: ./promptloop run [options]")
                .contains(
                        "--data-dir=DIR",
                        "--project-dir=DIR",
                        "--pg-port=PORT",
                        "--kafka-port=PORT",
                        "--kafka-controller-port=PORT",
                        "--registry-port=PORT",
                        "--registry-management-port=PORT",
                        "--registry-storage=KIND",
                        "--ingest-port=PORT",
                        "--optimizer-port=PORT",
                        "--abtest-port=PORT",
                        "--no-services",
                        "--no-agent",
                        "--agent-rate=N",
                        "--agent-seed=N",
                        "--traffic-rate=N",
                        "-h, --help",
                        "Port 0 picks a free port.");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "--bogus                     | Unknown option: '--bogus'",
                "stray                       | Unmatched argument at index 0: 'stray'",
                "--pg-port                   | Missing required parameter for option '--pg-port'",
                "--pg-port --no-agent        | Expected parameter for option '--pg-port' but found '--no-agent'",
                "--pg-port 70000             | --pg-port': must be a port number 0..65535, was '70000'",
                "--kafka-port=abc            | --kafka-port': must be a port number 0..65535, was 'abc'",
                "--agent-rate 0              | --agent-rate': must be a number of sessions per second in (0, 1000]",
                "--agent-rate=-1             | sessions per second",
                "--traffic-rate 5000         | requests per second in (0, 1000], was '5000'",
                "--agent-seed x              | --agent-seed': must be a whole number, was 'x'",
                "--no-agent=yes              | --no-agent",
                "--registry-storage disk     | must be postgresql or memory, was 'disk'",
            })
    void shouldRejectABadCommandLine(String commandLine, String message) {
        assertThatThrownBy(() -> Options.parse(commandLine.split(" "), PROJECT))
                .isInstanceOf(Options.UsageException.class)
                .hasMessageContaining(message);
    }
}
