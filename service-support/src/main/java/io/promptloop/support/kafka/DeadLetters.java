package io.promptloop.support.kafka;

import io.micrometer.core.instrument.MeterRegistry;
import io.promptloop.schemas.Topics;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.ConsumerRecordRecoverer;
import org.springframework.kafka.support.KafkaHeaders;
import org.springframework.kafka.support.serializer.DeserializationException;
import org.springframework.kafka.support.serializer.SerializationUtils;

/**
 * Sends records that can never be processed to {@code <topic>-dlt}, the same way in every service: the key and the
 * exact bytes the record arrived with (replayable as sent; no registry needed), the agent's own headers, and
 * {@value #REASON_HEADER} (machine-readable reason), {@value #SERVICE_HEADER} (who dead-lettered it) plus Spring's
 * {@code kafka_dlt-*} headers (exception, message, original topic, partition, offset, timestamp). Each dead letter
 * is counted in {@code promptloop_dead_letters_total{topic,reason}} and logged as one WARN line; the stack trace,
 * if any, only at DEBUG, so a burst of poison records cannot flood the log.
 */
public final class DeadLetters {

    /** Header with the machine-readable reason of a dead letter. */
    public static final String REASON_HEADER = "promptloop-dlt-reason";
    /** Header naming the service that dead-lettered the record (several services read the same topics). */
    public static final String SERVICE_HEADER = "promptloop-dlt-service";

    private static final Logger log = LoggerFactory.getLogger(DeadLetters.class);
    private static final long SEND_TIMEOUT_SECONDS = 30;

    private final KafkaTemplate<Object, Object> template;
    private final MeterRegistry meters;
    private final String service;

    public DeadLetters(KafkaTemplate<Object, Object> template, MeterRegistry meters, String service) {
        this.template = template;
        this.meters = meters;
        this.service = service;
    }

    /**
     * One record to dead-letter.
     *
     * @param record the record as consumed
     * @param bytes the value's bytes as they arrived, or null to take them from the record
     * @param reason machine-readable reason ({@code undecodable}, {@code invalid_value}, ...)
     * @param message what is wrong, for a person
     * @param failure the exception behind it, if any (its class goes in a header; its stack trace at DEBUG)
     */
    public record Letter(ConsumerRecord<?, ?> record, byte[] bytes, String reason, String message, Throwable failure) {}

    /** Sends and waits for the broker: a caller commits offsets only after its dead letters are safe. */
    public void send(List<Letter> letters) {
        if (letters.isEmpty()) return;
        List<CompletableFuture<?>> sends = new ArrayList<>(letters.size());
        for (Letter letter : letters) sends.add(template.send(toRecord(letter)));
        try {
            CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new))
                    .get(SEND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while dead-lettering " + letters.size() + " records", e);
        } catch (Exception e) {
            throw new IllegalStateException("could not dead-letter " + letters.size() + " records: " + e, e);
        }
        for (Letter letter : letters) {
            ConsumerRecord<?, ?> r = letter.record();
            meters.counter("promptloop.dead.letters", "topic", r.topic(), "reason", letter.reason())
                    .increment();
            log.warn(
                    "dead-lettered {}-{}@{} reason={} schemaId={}: {}",
                    r.topic(),
                    r.partition(),
                    r.offset(),
                    letter.reason(),
                    schemaId(bytesOf(letter)),
                    letter.message());
            if (letter.failure() != null && log.isDebugEnabled()) {
                log.debug("dead letter {}-{}@{} failure", r.topic(), r.partition(), r.offset(), letter.failure());
            }
        }
    }

    /**
     * A recoverer for the shared error handler: dead-letters a record that failed for good, with the reason the
     * service's classifier names.
     */
    public ConsumerRecordRecoverer recoverer(Function<Throwable, String> reasonOf) {
        return (record, failure) ->
                send(List.of(new Letter(record, null, reasonOf.apply(failure), messageOf(failure), failure)));
    }

    /**
     * A recoverer for a service that reads a topic another service dead-letters (so a second dead letter would only
     * be a duplicate): the record is skipped, counted in {@code metric{topic, reason="undecodable"}} and logged as one
     * WARN line.
     */
    public static ConsumerRecordRecoverer skipping(MeterRegistry meters, String metric) {
        return (record, failure) -> {
            meters.counter(metric, "topic", record.topic(), "reason", "undecodable")
                    .increment();
            log.warn("skipped {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), messageOf(failure));
        };
    }

    /**
     * What went wrong, one line: the first exception under Spring Kafka's wrappers; for a record that could not be
     * deserialized, the innermost cause (e.g. {@code TrailingBytesException: the value has bytes after ...}).
     */
    public static String messageOf(Throwable failure) {
        Throwable t = failure;
        while (t.getCause() != null
                && t.getClass().getName().startsWith("org.springframework.kafka.")
                && !(t instanceof DeserializationException)) {
            t = t.getCause();
        }
        String message;
        if (t instanceof DeserializationException) {
            Throwable root = Causes.root(t);
            message = "cannot deserialize: " + root.getClass().getSimpleName()
                    + (root.getMessage() == null ? "" : ": " + root.getMessage());
        } else {
            message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    private ProducerRecord<Object, Object> toRecord(Letter letter) {
        ConsumerRecord<?, ?> r = letter.record();
        List<Header> headers = new ArrayList<>();
        for (Header h : r.headers()) {
            if (!h.key().startsWith("springDeserializerException")) headers.add(h); // keep the agent's headers
        }
        headers.add(header(REASON_HEADER, letter.reason()));
        headers.add(header(SERVICE_HEADER, service));
        Throwable failure = letter.failure();
        headers.add(header(
                KafkaHeaders.DLT_EXCEPTION_FQCN,
                failure == null
                        ? IllegalArgumentException.class.getName()
                        : Causes.root(failure).getClass().getName()));
        headers.add(header(KafkaHeaders.DLT_EXCEPTION_MESSAGE, letter.message()));
        headers.add(header(KafkaHeaders.DLT_ORIGINAL_TOPIC, r.topic()));
        headers.add(new RecordHeader(
                KafkaHeaders.DLT_ORIGINAL_PARTITION,
                ByteBuffer.allocate(4).putInt(r.partition()).array()));
        headers.add(new RecordHeader(
                KafkaHeaders.DLT_ORIGINAL_OFFSET,
                ByteBuffer.allocate(8).putLong(r.offset()).array()));
        headers.add(new RecordHeader(
                KafkaHeaders.DLT_ORIGINAL_TIMESTAMP,
                ByteBuffer.allocate(8).putLong(r.timestamp()).array()));
        return new ProducerRecord<>(r.topic() + Topics.DEAD_LETTER_SUFFIX, null, r.key(), bytesOf(letter), headers);
    }

    /** The bytes the value arrived with. */
    static byte[] bytesOf(Letter letter) {
        if (letter.bytes() != null) return letter.bytes();
        Object value = letter.record().value();
        if (value instanceof AvroWithBytes withBytes) return withBytes.bytes();
        if (value instanceof byte[] raw) return raw;
        if (value == null) {
            @SuppressWarnings("unchecked")
            DeserializationException failure = SerializationUtils.getExceptionFromHeader(
                    (ConsumerRecord<Object, Object>) letter.record(),
                    SerializationUtils.VALUE_DESERIALIZER_EXCEPTION_HEADER,
                    null);
            if (failure != null) return failure.getData();
        }
        return Causes.find(letter.failure(), DeserializationException.class)
                .map(DeserializationException::getData)
                .orElse(null);
    }

    /** The schema id of Confluent's wire format (magic byte 0, then 4 bytes), or -1 when the bytes have none. */
    static int schemaId(byte[] bytes) {
        if (bytes == null || bytes.length < 5 || bytes[0] != 0) return -1;
        return ByteBuffer.wrap(bytes, 1, 4).getInt();
    }

    private static Header header(String key, String value) {
        return new RecordHeader(key, (value == null ? "" : value).getBytes(StandardCharsets.UTF_8));
    }
}
