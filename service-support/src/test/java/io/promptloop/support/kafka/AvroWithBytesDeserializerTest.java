package io.promptloop.support.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.http.HttpClosedException;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.AvroRuntimeException;
import org.junit.jupiter.api.Test;

class AvroWithBytesDeserializerTest {

    /** Confluent wire format: magic byte 0, schema id 7, then one Avro byte. */
    private static final byte[] RECORD_WITH_SCHEMA_7 = {0, 0, 0, 0, 7, 2};

    @Test
    void shouldCallAConnectionTheRegistryClosedUnreachableNotTheRecordsFault() {
        // the exception that once dead-lettered a valid record in CI as "undecodable"
        RuntimeException closed = new RuntimeException(new HttpClosedException("Connection was closed"));
        assertThat(RegistryAvroDeserializer.translate(closed))
                .isInstanceOf(RegistryUnavailableException.class)
                .hasMessageContaining("Connection was closed");
    }

    @Test
    void shouldLeaveFailuresOfTheRecordsBytesAlone() {
        for (RuntimeException e : new RuntimeException[] {
            new AvroRuntimeException(new EOFException()),
            new AvroRuntimeException(new WholeRecordDatumProvider.TrailingBytesException()),
            new IllegalStateException("unknown magic byte")
        }) {
            assertThat(RegistryAvroDeserializer.translate(e)).as(e.toString()).isSameAs(e);
        }
    }

    /**
     * The real registry client against a loopback server that reads each request and closes the connection
     * without an answer: whatever the HTTP stack makes of it, the record must not be blamed.
     */
    @Test
    void shouldNotBlameTheRecordWhenTheRegistryHangsUpMidRequest() throws Exception {
        AtomicInteger requests = new AtomicInteger();
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> hangUpOnEveryRequest(server, requests));
            try (var deserializer = new AvroWithBytesDeserializer()) {
                deserializer.configure(TimedRegistryClientTest.registryConfig(server.getLocalPort()), false);
                assertThatThrownBy(() -> deserializer.deserialize("agent-sessions", RECORD_WITH_SCHEMA_7))
                        .isInstanceOf(RegistryUnavailableException.class)
                        .hasMessageStartingWith("the schema registry is unreachable");
            }
        }
        assertThat(requests).as("requests the registry client sent").hasPositiveValue();
    }

    private static void hangUpOnEveryRequest(ServerSocket server, AtomicInteger requests) {
        while (!server.isClosed()) {
            try (Socket socket = server.accept()) {
                InputStream in = socket.getInputStream();
                if (in.read(new byte[8192]) > 0) requests.incrementAndGet();
            } catch (IOException closedOrReset) {
                // the test closed the server, or the client gave up first
            }
        }
    }
}
