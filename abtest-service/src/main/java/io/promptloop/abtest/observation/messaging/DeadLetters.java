package io.promptloop.abtest.observation.messaging;

import io.micrometer.core.instrument.MeterRegistry;
import io.promptloop.abtest.observation.domain.Rejection;
import io.promptloop.schemas.Topics;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.support.KafkaHeaders;
import org.springframework.stereotype.Component;

/**
 * Sends rejected observations to {@code ab-observations-dlt} with the bytes they arrived with and headers
 * naming the reason, the service, the exception and the origin (the same names as Spring's
 * DeadLetterPublishingRecoverer uses, so one tool reads the dead letters of every service).
 */
@Component
class DeadLetters {

    static final String REASON_HEADER = "promptloop-dlt-reason";
    static final String SERVICE_HEADER = "promptloop-dlt-service";

    private static final Logger log = LoggerFactory.getLogger(DeadLetters.class);

    private final KafkaTemplate<String, byte[]> template;
    private final MeterRegistry meters;

    DeadLetters(KafkaTemplate<String, byte[]> deadLetterTemplate, MeterRegistry meters) {
        this.template = deadLetterTemplate;
        this.meters = meters;
    }

    record Letter(
            ConsumerRecord<String, Object> record, byte[] bytes, Rejection reason, String message, String exception) {}

    /** Sends and waits for the broker: the batch's offsets are committed only after its dead letters are safe. */
    void send(List<Letter> letters) {
        if (letters.isEmpty()) return;
        List<CompletableFuture<?>> sends = letters.stream()
                .<CompletableFuture<?>>map(l -> template.send(toRecord(l)))
                .toList();
        try {
            CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("could not dead-letter " + letters.size() + " observations: " + e, e);
        }
        for (Letter l : letters) {
            meters.counter(
                            "promptloop.abtest.dead.letters",
                            "reason",
                            l.reason().code())
                    .increment();
            log.warn(
                    "dead-lettered {}-{}@{}: {} ({})",
                    l.record().topic(),
                    l.record().partition(),
                    l.record().offset(),
                    l.reason().code(),
                    l.message());
        }
    }

    private static ProducerRecord<String, byte[]> toRecord(Letter l) {
        ConsumerRecord<String, Object> r = l.record();
        List<Header> headers = new java.util.ArrayList<>();
        for (Header h : r.headers()) {
            if (!h.key().startsWith("springDeserializerException")) headers.add(h); // keep the agent's headers
        }
        headers.add(header(REASON_HEADER, l.reason().code()));
        headers.add(header(SERVICE_HEADER, "abtest-service"));
        headers.add(header(KafkaHeaders.DLT_EXCEPTION_FQCN, l.exception()));
        headers.add(header(KafkaHeaders.DLT_EXCEPTION_MESSAGE, l.message()));
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
        return new ProducerRecord<>(r.topic() + Topics.DEAD_LETTER_SUFFIX, null, r.key(), l.bytes(), headers);
    }

    private static Header header(String key, String value) {
        return new RecordHeader(key, (value == null ? "" : value).getBytes(StandardCharsets.UTF_8));
    }
}
