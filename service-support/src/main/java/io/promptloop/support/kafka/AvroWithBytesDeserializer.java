package io.promptloop.support.kafka;

import java.util.Map;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * {@link RegistryAvroDeserializer}, keeping the raw bytes beside the value (for dead letters). It is the delegate
 * of Spring's {@code ErrorHandlingDeserializer}, which turns its failures into a header.
 */
public class AvroWithBytesDeserializer implements Deserializer<AvroWithBytes> {

    private final RegistryAvroDeserializer avro = new RegistryAvroDeserializer();

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        avro.configure(configs, isKey);
    }

    @Override
    public AvroWithBytes deserialize(String topic, byte[] data) {
        return deserialize(topic, null, data);
    }

    @Override
    public AvroWithBytes deserialize(String topic, Headers headers, byte[] data) {
        if (data == null) return null;
        return new AvroWithBytes(avro.deserialize(topic, headers, data), data);
    }

    @Override
    public void close() {
        avro.close();
    }
}
