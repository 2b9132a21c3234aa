package io.promptloop.ingest.config;

import io.promptloop.ingest.ingestion.domain.InvalidEventException;
import io.promptloop.ingest.ingestion.domain.RejectionReason;
import io.promptloop.ingest.ingestion.messaging.IngestMetrics;
import io.promptloop.schemas.Topics;
import io.promptloop.support.kafka.AvroWithBytes;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.kafka.support.serializer.DelegatingByTypeSerializer;
import org.springframework.kafka.support.serializer.DeserializationException;
import org.springframework.util.backoff.ExponentialBackOff;

/**
 * One error handler for every listener: records that can never be stored go to {@code <topic>-dlt}
 * with headers naming the reason, the exception and the origin; anything else (PostgreSQL down, a
 * broken grant) is retried with exponential back-off for as long as it takes, with the consumer paused,
 * so that nothing is lost and nothing is dead-lettered for a fault of ours.
 */
@Configuration(proxyBeanMethods = false)
class KafkaConfig {

    /** Header with the machine-readable reason of a dead letter (see {@link RejectionReason}). */
    static final String REASON_HEADER = "promptloop-dlt-reason";

    @Bean
    DefaultErrorHandler kafkaErrorHandler(DeadLetterPublishingRecoverer recoverer) {
        ExponentialBackOff backOff = new ExponentialBackOff(500, 2.0);
        backOff.setMaxInterval(30_000);
        backOff.setMaxElapsedTime(Long.MAX_VALUE); // transient faults: retry until the database is back
        DefaultErrorHandler handler = new DefaultErrorHandler(recoverer, backOff);
        handler.addNotRetryableExceptions(InvalidEventException.class, DeserializationException.class);
        return handler;
    }

    @Bean
    DeadLetterPublishingRecoverer deadLetterRecoverer(
            KafkaTemplate<Object, Object> deadLetterTemplate, IngestMetrics metrics) {
        var recoverer = new DeadLetterPublishingRecoverer(
                deadLetterTemplate, (record, ex) -> new TopicPartition(record.topic() + Topics.DEAD_LETTER_SUFFIX, -1));
        recoverer.setHeadersFunction((record, ex) -> {
            String reason = reasonOf(ex);
            metrics.deadLettered(record.topic(), reason);
            return new RecordHeaders(List.of(new RecordHeader(REASON_HEADER, reason.getBytes(StandardCharsets.UTF_8))));
        });
        return recoverer;
    }

    static String reasonOf(Throwable ex) {
        for (Throwable t = ex; t != null; t = t.getCause()) {
            if (t instanceof InvalidEventException invalid)
                return invalid.reason().code();
            if (t instanceof DeserializationException) return RejectionReason.UNDECODABLE.code();
        }
        return "unexpected";
    }

    /**
     * Publishes dead letters with the exact bytes the record arrived with: the raw value when it could not be
     * deserialized (Spring keeps it in the exception header), otherwise the bytes kept beside the decoded value.
     * No schema registry is needed to dead-letter.
     */
    @Bean
    KafkaTemplate<Object, Object> deadLetterTemplate(KafkaProperties properties) {
        Map<String, Object> config = new HashMap<>(properties.buildProducerProperties());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        Serializer<AvroWithBytes> original = (topic, value) -> value.bytes();
        var values = new DelegatingByTypeSerializer(
                Map.of(byte[].class, new ByteArraySerializer(), AvroWithBytes.class, original));
        @SuppressWarnings({"unchecked", "rawtypes"})
        Serializer<Object> keys = (Serializer) new StringSerializer();
        var factory = new DefaultKafkaProducerFactory<>(config, keys, values);
        return new KafkaTemplate<>(factory);
    }

    /** The consumed topics and their dead-letter topics, created at start-up if missing. */
    @Bean
    KafkaAdmin.NewTopics promptloopTopics(IngestProperties properties) {
        List<NewTopic> topics = new ArrayList<>();
        if (properties.topics().create()) {
            int rf = properties.topics().replicationFactor();
            for (var topic : List.of(Topics.AGENT_SESSIONS, Topics.AGENT_EVALUATIONS, Topics.AB_OBSERVATIONS)) {
                topics.add(build(
                        topic.name(),
                        topic.defaultPartitions(),
                        rf,
                        topic.cleanup().kafkaValue()));
                topics.add(build(topic.deadLetterTopic(), topic.defaultPartitions(), rf, "delete"));
            }
        }
        return new KafkaAdmin.NewTopics(topics.toArray(NewTopic[]::new));
    }

    private static NewTopic build(String name, int partitions, int replicationFactor, String cleanup) {
        TopicBuilder builder = TopicBuilder.name(name).partitions(partitions).config("cleanup.policy", cleanup);
        if (replicationFactor > 0) builder.replicas(replicationFactor);
        return builder.build();
    }
}
