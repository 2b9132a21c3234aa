package io.promptloop.support.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.EOFException;
import org.apache.avro.AvroRuntimeException;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.support.serializer.DeserializationException;

class CausesTest {

    @Test
    void shouldFindTheFirstCauseOfATypeTheFailureItselfIncluded() {
        EOFException eof = new EOFException("short");
        AvroRuntimeException avro = new AvroRuntimeException(eof);
        IllegalStateException outer = new IllegalStateException("outer", avro);

        assertThat(Causes.find(outer, AvroRuntimeException.class)).containsSame(avro);
        assertThat(Causes.find(outer, IllegalStateException.class)).containsSame(outer);
        assertThat(Causes.find(outer, RuntimeException.class)).containsSame(outer); // the outermost of a supertype
        assertThat(Causes.has(outer, EOFException.class)).isTrue();
        assertThat(Causes.has(outer, RegistryUnavailableException.class)).isFalse();
        assertThat(Causes.find(null, RuntimeException.class)).isEmpty();
        assertThat(Causes.root(outer)).isSameAs(eof);
        assertThat(Causes.root(eof)).isSameAs(eof);
    }

    @Test
    void shouldEndAChainThatLoopsBackOnItself() {
        // getCause() answering the throwable itself (older libraries' habit) must not walk forever
        RuntimeException selfCaused = new RuntimeException("me") {
            @Override
            public synchronized Throwable getCause() {
                return this;
            }
        };
        IllegalStateException outer = new IllegalStateException("outer", selfCaused);

        assertThat(Causes.root(outer)).isSameAs(selfCaused);
        assertThat(Causes.has(outer, RegistryUnavailableException.class)).isFalse();
    }

    @Test
    void shouldTellAnUnknownSchemaFromUndecodableBytesAndThrowTheRegistrysFailure() {
        DeserializationException unknown = new DeserializationException(
                "failed", new byte[] {0, 0, 0, 0, 9}, false, new SchemaNotFoundException("HTTP 404"));
        assertThat(DecodeFailure.of(unknown)).isEqualTo(new DecodeFailure(true, "HTTP 404"));

        DeserializationException garbage = new DeserializationException(
                "failed", new byte[] {1}, false, new AvroRuntimeException(new EOFException("no more bytes")));
        assertThat(DecodeFailure.of(garbage))
                .isEqualTo(new DecodeFailure(false, "cannot deserialize: java.io.EOFException: no more bytes"));

        RegistryUnavailableException away = new RegistryUnavailableException("the registry did not answer", null);
        DeserializationException notAsked = new DeserializationException(
                "failed", new byte[] {0, 0, 0, 0, 9}, false, new IllegalStateException(away));
        assertThatThrownBy(() -> DecodeFailure.of(notAsked)).isSameAs(away);
    }
}
