package io.promptloop.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class HarnessTest {

    private static <O extends Harness.Validated> O parse(O options, String... args) {
        new CommandLine(options).parseArgs(args);
        options.validate();
        return options;
    }

    @Test
    void shouldParseTheIngestOptions() {
        IngestOptions o = parse(new IngestOptions(), "--events", "100_000", "--latency-seconds=0", "--seed", "9");
        assertThat(o.events()).isEqualTo(100_000);
        assertThat(o.latencySeconds()).isZero();
        assertThat(o.service.seed).isEqualTo(9);
        assertThat(o.service.serviceHeap).isEqualTo("1g");
        assertThat(new AbtestOptions().service.serviceHeap).isEqualTo("512m");
        assertThat(o.latencyRate()).isEqualTo(5_000);
        assertThat(o.heapSampler()).isEqualTo(HeapSampler.Kind.jstat);
        assertThat(parse(new IngestOptions()).events()).isEqualTo(1_000_000);
    }

    @Test
    void shouldRejectBadIngestOptionsNamingTheOption() {
        assertThatThrownBy(() -> parse(new IngestOptions(), "--events", "0"))
                .hasMessage("--events must be positive, was 0");
        assertThatThrownBy(() -> parse(new IngestOptions(), "--events", "many"))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("--events")
                .hasMessageContaining("many");
        assertThatThrownBy(() -> parse(new IngestOptions(), "--heap-sampler", "top"))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("jstat, actuator");
        assertThatThrownBy(() -> parse(new IngestOptions(), "--no-such-option"))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("--no-such-option");
    }

    @Test
    void shouldParseTheAbtestOptionsWithSpringDurations() {
        AbtestOptions o = parse(new AbtestOptions(), "--analysis-interval", "2s,200ms", "--relay-interval=1m");
        assertThat(o.analysisIntervals()).containsExactly(Duration.ofSeconds(2), Duration.ofMillis(200));
        assertThat(o.relayInterval()).isEqualTo(Duration.ofMinutes(1));
        assertThat(AbtestOptions.spring(Duration.ofMillis(200))).isEqualTo("200ms");
        assertThat(AbtestOptions.spring(Duration.ofSeconds(2))).isEqualTo("2s");
        assertThatThrownBy(() -> parse(new AbtestOptions(), "--relay-interval", "2 hours"))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("must look like 200ms, 2s or 1m");
        assertThatThrownBy(() -> parse(new AbtestOptions(), "--relay-interval", "0s"))
                .hasMessageContaining("must be positive");
        assertThatThrownBy(() -> parse(new AbtestOptions(), "--tests", "-1"))
                .hasMessage("--tests must be positive, was -1");
    }

    @Test
    void shouldTakeAWarmUpOnlyWhenAsked() {
        assertThat(parse(new AbtestOptions()).warmObservations()).isZero();
        assertThat(parse(new AbtestOptions(), "--warm-observations", "1_000_000")
                        .warmObservations())
                .isEqualTo(1_000_000);
        assertThatThrownBy(() -> parse(new AbtestOptions(), "--warm-observations", "-5"))
                .hasMessage("--warm-observations must not be negative, was -5");
    }

    @Test
    void shouldFindTheProcessListeningOnAPort() throws Exception {
        assumeTrue(Files.isReadable(Path.of("/proc/net/tcp")), "Linux /proc only");
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertThat(Harness.listeningPid(socket.getLocalPort()))
                    .contains(ProcessHandle.current().pid());
        }
        int closed;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = socket.getLocalPort();
        }
        assertThat(Harness.listeningPid(closed)).isEmpty();
    }

    @Test
    void shouldReadSettingsAsTheJarsYamlHasThem() {
        List<String> settings = List.of("concurrency 3", "max-poll-records 1000", "isolation-level read_committed");
        assertThat(Harness.setting(settings, "max-poll-records", 1)).isEqualTo(1000);
        assertThat(Harness.setting(settings, "concurrency", 1)).isEqualTo(3);
        assertThat(Harness.setting(settings, "maximum-pool-size", 7)).isEqualTo(7);
    }

    @Test
    void shouldReadASettingFollowedByAComment() {
        // abtest-service's yaml has one: the report said "batches of at most 1000" while the service took 5,000
        List<String> settings = List.of("max-poll-records 5000 # observations per batch and transaction at most");
        assertThat(Harness.setting(settings, "max-poll-records", 1000)).isEqualTo(5000);
        assertThat(Harness.setting(List.of("max-poll-records 5000x"), "max-poll-records", 1000))
                .isEqualTo(1000);
    }

    @Test
    void shouldReadActuatorMeasurements() {
        String json = """
                {"name":"jvm.memory.used","baseUnit":"bytes","measurements":[
                  {"statistic":"VALUE","value":1.25E8},{"statistic":"MAX","value":"NaN"}],
                 "availableTags":[]}""";
        assertThat(ServiceProcess.measurements(json)).containsExactly(java.util.Map.entry("VALUE", 1.25E8));
        assertThat(ServiceProcess.measurements("not json")).isEmpty();
    }
}
