package io.promptloop.ingest.ingestion.messaging;

import static io.promptloop.ingest.ingestion.domain.RejectionReason.INVALID_VALUE;
import static io.promptloop.ingest.ingestion.domain.RejectionReason.UNDECODABLE;
import static io.promptloop.ingest.ingestion.domain.RejectionReason.UNKNOWN_SCHEMA;

import io.promptloop.ingest.ingestion.domain.Decoded;
import io.promptloop.ingest.ingestion.domain.EventValidator;
import io.promptloop.ingest.ingestion.domain.IngestEvent;
import io.promptloop.ingest.ingestion.domain.InvalidEventException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.support.serializer.DeserializationException;
import org.springframework.kafka.support.serializer.SerializationUtils;
import org.springframework.stereotype.Component;

/**
 * Turns the records of a batch into decoded events or rejections. A record whose bytes could not be
 * deserialized arrives with a null value and the {@link DeserializationException} in a header (put there
 * by the {@code ErrorHandlingDeserializer}); it becomes a rejection, so it never blocks the partition.
 */
@Component
class RecordDecoder {

    private final EventValidator validator;

    RecordDecoder(EventValidator validator) {
        this.validator = validator;
    }

    <V> List<Decoded> decode(
            List<ConsumerRecord<String, Object>> records, Class<V> valueType, Function<V, IngestEvent> mapper) {
        List<Decoded> decoded = new ArrayList<>(records.size());
        for (ConsumerRecord<String, Object> record : records) {
            decoded.add(decodeOne(record, valueType, mapper));
        }
        return decoded;
    }

    private <V> Decoded decodeOne(
            ConsumerRecord<String, Object> record, Class<V> valueType, Function<V, IngestEvent> mapper) {
        try {
            Object value = record.value();
            if (value == null) {
                DeserializationException failure = SerializationUtils.getExceptionFromHeader(
                        record, SerializationUtils.VALUE_DESERIALIZER_EXCEPTION_HEADER, null);
                if (failure != null) throw classify(failure);
                throw new InvalidEventException(INVALID_VALUE, "record has no value (tombstone)");
            }
            if (!valueType.isInstance(value)) {
                throw new InvalidEventException(
                        UNDECODABLE, "value is a " + value.getClass().getName() + ", expected " + valueType.getName());
            }
            return new Decoded.Valid(validator.validate(mapper.apply(valueType.cast(value))));
        } catch (InvalidEventException e) {
            return new Decoded.Rejected(e);
        } catch (RuntimeException e) {
            // Avro may hand over a record that breaks our mapping (e.g. a null where the schema forbids it).
            return new Decoded.Rejected(new InvalidEventException(UNDECODABLE, "cannot map value: " + e, e));
        }
    }

    /** Tells an unknown schema id (the registry answered 404) from bytes that are not Avro of the topic. */
    static InvalidEventException classify(DeserializationException failure) {
        for (Throwable t = failure.getCause(); t != null; t = t.getCause()) {
            String name = t.getClass().getSimpleName().toLowerCase(Locale.ROOT);
            String message = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
            if (name.contains("notfound") || message.contains("404") || message.contains("not found")) {
                return new InvalidEventException(
                        UNKNOWN_SCHEMA, "schema id unknown to the registry: " + t.getMessage(), failure);
            }
        }
        Throwable root = failure;
        while (root.getCause() != null) root = root.getCause();
        return new InvalidEventException(UNDECODABLE, "cannot deserialize: " + root, failure);
    }
}
