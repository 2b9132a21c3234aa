package io.promptloop.support.kafka;

import org.springframework.kafka.support.serializer.DeserializationException;

/**
 * Why a record's value could not be decoded, as a listener dead-letters it: an unknown schema id (the registry
 * answered 404) or bytes that are not Avro of the topic. A registry that could not be asked is no fault of the
 * record: {@link #of} throws its {@link RegistryUnavailableException}, so the batch is retried.
 *
 * @param unknownSchema true for an unknown schema id, false for undecodable bytes
 * @param message one line for the dead letter's reason message (attach the {@code DeserializationException} itself)
 */
public record DecodeFailure(boolean unknownSchema, String message) {

    /**
     * The record's own fault behind {@code failure} (the exception Spring's {@code ErrorHandlingDeserializer} put in
     * the record's header).
     *
     * @throws RegistryUnavailableException when the registry, not the record, is why it was not decoded
     */
    public static DecodeFailure of(DeserializationException failure) {
        for (Throwable t = failure.getCause(); t != null && t != t.getCause(); t = t.getCause()) {
            if (t instanceof RegistryUnavailableException unavailable) throw unavailable;
            if (t instanceof SchemaNotFoundException) return new DecodeFailure(true, t.getMessage());
        }
        return new DecodeFailure(false, "cannot deserialize: " + Causes.root(failure));
    }
}
