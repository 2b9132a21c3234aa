package io.promptloop.support.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.promptloop.avro.common.AgentRef;
import io.promptloop.avro.observation.ObservationRecorded;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.Arrays;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;

class WholeRecordDatumProviderTest {

    private final WholeRecordDatumProvider<Object> provider = new WholeRecordDatumProvider<>();

    @Test
    void shouldReadARecordThatUsesAllItsBytes() throws IOException {
        byte[] bytes = encode(observation());
        Object read = provider.createDatumReader(ObservationRecorded.getClassSchema())
                .read(null, DecoderFactory.get().binaryDecoder(bytes, 0, bytes.length, null));
        assertThat(read.toString()).contains("unit-7");
    }

    @Test
    void shouldRefuseBytesAfterTheRecord() throws IOException {
        byte[] whole = encode(observation());
        for (byte[] trailing : new byte[][] {{0}, {42, 42, 42}, "garbage".getBytes()}) {
            byte[] bytes = Arrays.copyOf(whole, whole.length + trailing.length);
            System.arraycopy(trailing, 0, bytes, whole.length, trailing.length);
            var reader = provider.createDatumReader(ObservationRecorded.getClassSchema());
            assertThatThrownBy(
                            () -> reader.read(null, DecoderFactory.get().binaryDecoder(bytes, 0, bytes.length, null)))
                    .as("%d trailing bytes", trailing.length)
                    .isInstanceOf(WholeRecordDatumProvider.TrailingBytesException.class)
                    .hasMessageContaining("bytes after the end of its Avro record");
        }
    }

    @Test
    void shouldCacheOneReaderPerSchema() {
        var schema = ObservationRecorded.getClassSchema();
        assertThat(provider.createDatumReader(schema)).isSameAs(provider.createDatumReader(schema));
    }

    private static ObservationRecorded observation() {
        return ObservationRecorded.newBuilder()
                .setEventId("4f8c5a57-3c38-4d2c-9a39-8d8f5f3a0c11")
                .setOccurredAt(Instant.parse("2026-12-06T12:00:00Z"))
                .setAgent(AgentRef.newBuilder()
                        .setAgentName("agent")
                        .setPredictorName("answer")
                        .build())
                .setTestId("9a1f7e3e-7b8e-4bb1-8d56-2d1f1c4c0b21")
                .setVariant("baseline")
                .setUnitId("unit-7")
                .setScore(0.8)
                .setLatencyMs(120L)
                .setSuccess(true)
                .build();
    }

    private static byte[] encode(ObservationRecorded record) throws IOException {
        var out = new ByteArrayOutputStream();
        var encoder = EncoderFactory.get().binaryEncoder(out, null);
        new SpecificDatumWriter<>(ObservationRecorded.class).write(record, encoder);
        encoder.flush();
        return out.toByteArray();
    }
}
