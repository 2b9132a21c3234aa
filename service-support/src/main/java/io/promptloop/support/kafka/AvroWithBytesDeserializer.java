package io.promptloop.support.kafka;

import io.apicurio.registry.serde.avro.AvroKafkaDeserializer;
import java.util.Map;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Apicurio's Avro deserializer (Confluent wire format), keeping the raw bytes beside the value. It is
 * the delegate of Spring's {@code ErrorHandlingDeserializer}, which turns its failures into a header.
 */
public class AvroWithBytesDeserializer implements Deserializer<AvroWithBytes> {

    private final AvroKafkaDeserializer<Object> avro = new AvroKafkaDeserializer<>();

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
        try {
            Object value = headers == null ? avro.deserialize(topic, data) : avro.deserialize(topic, headers, data);
            return new AvroWithBytes(value, data);
        } catch (RuntimeException e) {
            throw translate(e);
        }
    }

    /**
     * Registry failures become our own exceptions, without their causes: the error-handling deserializer
     * passes the failure on in a record header by Java serialization, which the registry client's exceptions
     * do not survive (their HTTP status would be lost).
     */
    public static RuntimeException translate(RuntimeException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof com.microsoft.kiota.ApiException api) {
                int status = api.getResponseStatusCode();
                return status == 404
                        ? new SchemaNotFoundException("the registry does not know the record's schema id (HTTP 404)")
                        : new RegistryUnavailableException("the schema registry answered HTTP " + status, null);
            }
            if (t.getClass().getName().startsWith("java.net.")
                    || t instanceof java.util.concurrent.TimeoutException
                    || t.getClass().getName().startsWith("io.netty.channel.")) {
                return new RegistryUnavailableException("the schema registry is unreachable: " + t, null);
            }
        }
        return e;
    }

    @Override
    public void close() {
        avro.close();
    }
}
