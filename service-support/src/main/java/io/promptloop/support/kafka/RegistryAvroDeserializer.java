package io.promptloop.support.kafka;

import io.apicurio.registry.serde.avro.AvroKafkaDeserializer;
import java.util.Map;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Apicurio's Avro deserializer (Confluent wire format) as every service reads: its registry calls bounded in time
 * ({@link TimedRegistryClient}) and its failures sorted into the registry's ({@link RegistryUnavailableException},
 * retried), an unknown schema id ({@link SchemaNotFoundException}) and the record's own (anything else). It is the
 * delegate of Spring's {@code ErrorHandlingDeserializer}, which turns a failure into a header.
 */
public class RegistryAvroDeserializer implements Deserializer<Object> {

    private AvroKafkaDeserializer<Object> avro;

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        avro = new AvroKafkaDeserializer<>(TimedRegistryClient.of(configs));
        avro.configure(configs, isKey);
    }

    @Override
    public Object deserialize(String topic, byte[] data) {
        return deserialize(topic, null, data);
    }

    @Override
    public Object deserialize(String topic, Headers headers, byte[] data) {
        if (data == null) return null;
        if (avro == null) throw new IllegalStateException("the deserializer was not configured");
        try {
            return headers == null ? avro.deserialize(topic, data) : avro.deserialize(topic, headers, data);
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
            if (t instanceof RegistryUnavailableException unavailable) return unavailable;
            if (t instanceof com.microsoft.kiota.ApiException api) {
                int status = api.getResponseStatusCode();
                return status == 404
                        ? new SchemaNotFoundException("the registry does not know the record's schema id (HTTP 404)")
                        : new RegistryUnavailableException("the schema registry answered HTTP " + status, null);
            }
            if (isTransportFailure(t)) {
                return new RegistryUnavailableException("the schema registry is unreachable: " + t, null);
            }
        }
        return e;
    }

    /**
     * A failure of the way to the registry, not of the record: the registry client's HTTP stack (Vert.x over
     * Netty) and the JDK's networking. Vert.x and Netty only carry the registry calls here; decoding the
     * record's bytes never goes through them. A connection the registry closed while a look-up was on it
     * (Vert.x's {@code HttpClosedException}) was once dead-lettered as undecodable; it is transient.
     */
    private static boolean isTransportFailure(Throwable t) {
        String name = t.getClass().getName();
        return name.startsWith("java.net.")
                || name.startsWith("javax.net.ssl.")
                || name.startsWith("io.vertx.")
                || name.startsWith("io.netty.")
                || t instanceof java.nio.channels.ClosedChannelException
                || t instanceof java.util.concurrent.TimeoutException;
    }

    @Override
    public void close() {
        if (avro != null) avro.close();
    }
}
