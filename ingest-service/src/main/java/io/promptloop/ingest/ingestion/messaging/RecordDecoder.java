package io.promptloop.ingest.ingestion.messaging;

import static io.promptloop.ingest.ingestion.domain.RejectionReason.INVALID_VALUE;
import static io.promptloop.ingest.ingestion.domain.RejectionReason.UNDECODABLE;
import static io.promptloop.ingest.ingestion.domain.RejectionReason.UNKNOWN_SCHEMA;
import static io.promptloop.ingest.ingestion.domain.RejectionReason.WRONG_TYPE;

import io.promptloop.ingest.ingestion.domain.Decoded;
import io.promptloop.ingest.ingestion.domain.EventValidator;
import io.promptloop.ingest.ingestion.domain.IngestEvent;
import io.promptloop.ingest.ingestion.domain.InvalidEventException;
import io.promptloop.support.kafka.AvroWithBytes;
import io.promptloop.support.kafka.DecodeFailure;
import io.promptloop.support.kafka.RegistryUnavailableException;
import java.util.ArrayList;
import java.util.List;
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

    /**
     * Decodes the records in order. When the registry cannot be reached the batch stops there: the decoded
     * prefix is returned with the index from which the records must be read again.
     */
    <V> Batch decode(
            List<ConsumerRecord<String, Object>> records, Class<V> valueType, Function<V, IngestEvent> mapper) {
        List<Decoded> decoded = new ArrayList<>(records.size());
        for (ConsumerRecord<String, Object> record : records) {
            try {
                decoded.add(decodeOne(record, valueType, mapper));
            } catch (RegistryUnavailableException e) {
                return new Batch(decoded, decoded.size(), e);
            }
        }
        return new Batch(decoded, -1, null);
    }

    /**
     * @param decoded decoded records, in offset order
     * @param retryIndex index of the first record to read again later, or -1
     * @param retryCause why it must be read again
     */
    record Batch(List<Decoded> decoded, int retryIndex, RegistryUnavailableException retryCause) {}

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
            if (value instanceof AvroWithBytes withBytes) value = withBytes.value();
            if (!valueType.isInstance(value)) {
                throw new InvalidEventException(
                        WRONG_TYPE,
                        "value is a " + value.getClass().getSimpleName() + ", the topic carries "
                                + valueType.getSimpleName());
            }
            return new Decoded.Valid(validator.validate(mapper.apply(valueType.cast(value))));
        } catch (InvalidEventException e) {
            return new Decoded.Rejected(e);
        } catch (RegistryUnavailableException e) {
            throw e;
        } catch (RuntimeException e) {
            // Avro may hand over a record that breaks our mapping (e.g. a null where the schema forbids it).
            return new Decoded.Rejected(new InvalidEventException(UNDECODABLE, "cannot map value: " + e, e));
        }
    }

    /**
     * Tells an unknown schema id (the registry answered 404) from bytes that are not Avro of the topic, and
     * both from a registry that could not be reached, which is no fault of the record.
     */
    static InvalidEventException classify(DeserializationException failure) {
        DecodeFailure why = DecodeFailure.of(failure);
        return new InvalidEventException(why.unknownSchema() ? UNKNOWN_SCHEMA : UNDECODABLE, why.message(), failure);
    }
}
