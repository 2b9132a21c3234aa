package io.promptloop.ingest.ingestion.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.microsoft.kiota.ApiException;
import io.promptloop.ingest.ingestion.domain.RejectionReason;
import io.promptloop.support.kafka.RegistryAvroDeserializer;
import io.promptloop.support.kafka.RegistryUnavailableException;
import java.io.EOFException;
import java.net.ConnectException;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.support.serializer.DeserializationException;

class RecordDecoderTest {

    @Test
    void shouldCallTruncatedAvroUndecodable() {
        var failure =
                new DeserializationException("x", new byte[] {0}, false, new RuntimeException(new EOFException()));
        assertThat(RecordDecoder.classify(failure).reason()).isEqualTo(RejectionReason.UNDECODABLE);
    }

    @Test
    void shouldCallA404FromTheRegistryAnUnknownSchema() {
        RuntimeException translated = RegistryAvroDeserializer.translate(new RuntimeException(status(404)));
        var failure = new DeserializationException("x", new byte[] {0}, false, translated);
        assertThat(RecordDecoder.classify(failure).reason()).isEqualTo(RejectionReason.UNKNOWN_SCHEMA);
    }

    @Test
    void shouldNotBlameTheRecordWhenTheRegistryFailsOrIsUnreachable() {
        for (Throwable cause : new Throwable[] {status(503), new ConnectException("Connection refused")}) {
            RuntimeException translated = RegistryAvroDeserializer.translate(new RuntimeException(cause));
            assertThat(translated).isInstanceOf(RegistryUnavailableException.class);
            var failure = new DeserializationException("x", new byte[] {0}, false, translated);
            assertThatThrownBy(() -> RecordDecoder.classify(failure)).isSameAs(translated);
        }
    }

    private static ApiException status(int code) {
        return new ApiException("registry") {
            @Override
            public int getResponseStatusCode() {
                return code;
            }
        };
    }
}
