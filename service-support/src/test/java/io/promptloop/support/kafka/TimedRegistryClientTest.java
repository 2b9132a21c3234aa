package io.promptloop.support.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class TimedRegistryClientTest {

    /** Confluent wire format: magic byte 0, schema id 7, then one Avro byte. */
    private static final byte[] RECORD_WITH_SCHEMA_7 = {0, 0, 0, 0, 7, 2};

    /**
     * The failure CI met: the registry takes the request and never answers. Before, the deserializer waited for
     * good (this test hung until its guard failed it); now the wait ends after the configured time with the
     * registry's fault; for as long again the registry is not asked (a consumer decodes a whole fetch in one
     * poll: one time-out per record would add up), and after that a look-up gets a real answer over a new
     * connection.
     */
    @Test
    void shouldGiveUpOnARegistryThatNeverAnswersAndAskAgainOnANewConnection() throws Exception {
        List<Socket> held = new CopyOnWriteArrayList<>();
        AtomicInteger connections = new AtomicInteger();
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            // the first connection swallows its request (retry-count 1 is one attempt); later ones answer as a
            // registry that does not know the id
            Thread.ofVirtual().start(() -> serve(server, connections, held, 1));
            Map<String, Object> config = new java.util.HashMap<>(registryConfig(server.getLocalPort()));
            config.put(TimedRegistryClient.TIMEOUT_CONFIG, "500");
            try (var deserializer = new AvroWithBytesDeserializer()) {
                deserializer.configure(config, false);
                assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
                    assertThatThrownBy(() -> deserializer.deserialize("agent-sessions", RECORD_WITH_SCHEMA_7))
                            .isInstanceOf(RegistryUnavailableException.class)
                            .hasMessageContaining("did not answer")
                            .hasMessageContaining("within 500 ms");
                    assertThatThrownBy(() -> deserializer.deserialize("agent-sessions", RECORD_WITH_SCHEMA_7))
                            .as("right after a time-out the registry is not asked")
                            .isInstanceOf(RegistryUnavailableException.class)
                            .hasMessageContaining("a moment ago");
                    assertThat(connections)
                            .as("no connection for the refused call")
                            .hasValue(1);
                    await().atMost(Duration.ofSeconds(20))
                            .pollInterval(Duration.ofMillis(100))
                            .untilAsserted(() -> assertThatThrownBy(
                                            () -> deserializer.deserialize("agent-sessions", RECORD_WITH_SCHEMA_7))
                                    .as("a later look-up reaches the registry and is told the id is unknown")
                                    .isInstanceOf(SchemaNotFoundException.class));
                });
            } finally {
                for (Socket socket : held) socket.close();
            }
        }
        assertThat(connections).as("connections the registry client opened").hasValueGreaterThanOrEqualTo(2);
    }

    @Test
    void shouldWaitTenSecondsUnlessConfigured() {
        assertThat(TimedRegistryClient.timeout(null)).isEqualTo(Duration.ofSeconds(10));
        assertThat(TimedRegistryClient.timeout("2500")).isEqualTo(Duration.ofMillis(2500));
        assertThat(TimedRegistryClient.timeout(750)).isEqualTo(Duration.ofMillis(750));
    }

    @Test
    void shouldRefuseATimeOutThatIsNotAPositiveWholeNumberOfMilliseconds() {
        for (Object bad : new Object[] {"10s", "", "0", -1, "1.5"}) {
            assertThatThrownBy(() -> TimedRegistryClient.timeout(bad))
                    .as(String.valueOf(bad))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining(TimedRegistryClient.TIMEOUT_CONFIG);
        }
        Map<String, Object> config = new java.util.HashMap<>(registryConfig(9));
        config.put(TimedRegistryClient.TIMEOUT_CONFIG, "soon");
        try (var deserializer = new AvroWithBytesDeserializer()) {
            assertThatThrownBy(() -> deserializer.configure(config, false))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("soon");
        }
    }

    static Map<String, Object> registryConfig(int port) {
        return Map.of(
                "apicurio.registry.url", "http://127.0.0.1:" + port + "/apis/registry/v3",
                "apicurio.registry.id-handler", "io.apicurio.registry.serde.Default4ByteIdHandler",
                "apicurio.registry.use-id", "contentId",
                "apicurio.registry.headers.enabled", false,
                "apicurio.registry.retry-count", "1",
                "apicurio.registry.retry-backoff-ms", "10");
    }

    /** Holds the first {@code silent} connections open without a word; answers 404 on the others. */
    private static void serve(ServerSocket server, AtomicInteger connections, List<Socket> held, int silent) {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                if (connections.incrementAndGet() <= silent) {
                    held.add(socket);
                    continue;
                }
                Thread.ofVirtual().start(() -> answerNotFound(socket));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private static void answerNotFound(Socket socket) {
        try (socket) {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            byte[] buffer = new byte[8192];
            while (in.read(buffer) > 0) { // one request per read is enough for a GET without a body
                String body =
                        "{\"status\":404,\"title\":\"No content with id 7\",\"name\":\"ContentNotFoundException\"}";
                out.write(("HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: "
                                + body.length() + "\r\n\r\n" + body)
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
        } catch (IOException closed) {
            // the client closed the connection
        }
    }
}
