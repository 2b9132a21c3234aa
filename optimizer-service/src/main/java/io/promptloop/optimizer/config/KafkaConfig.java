package io.promptloop.optimizer.config;

import io.apicurio.registry.serde.avro.AvroKafkaSerializer;
import io.promptloop.schemas.Topics;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.util.backoff.ExponentialBackOff;

/**
 * Consumers: a record the optimizer cannot read is skipped with a log line and a metric — ingest-service
 * dead-letters the same records of the shared topics, so a second dead letter would only be a duplicate; a
 * database fault is retried with back-off without end. Producer: Apicurio's Avro serde in the Confluent wire format.
 */
@Configuration(proxyBeanMethods = false)
class KafkaConfig {

    private static final Logger log = LoggerFactory.getLogger(KafkaConfig.class);

    @Bean
    DefaultErrorHandler kafkaErrorHandler(io.micrometer.core.instrument.MeterRegistry meters) {
        ExponentialBackOff backOff = new ExponentialBackOff(500, 2.0);
        backOff.setMaxInterval(30_000);
        backOff.setMaxElapsedTime(Long.MAX_VALUE);
        DefaultErrorHandler handler = new DefaultErrorHandler(
                (record, e) -> {
                    meters.counter(
                                    "promptloop.optimizer.events.ignored",
                                    "topic",
                                    record.topic(),
                                    "reason",
                                    "undecodable")
                            .increment();
                    log.warn("skipped {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), e.toString());
                },
                backOff);
        handler.addNotRetryableExceptions(
                org.springframework.kafka.support.serializer.DeserializationException.class, ClassCastException.class);
        return handler;
    }

    @Bean
    KafkaTemplate<String, SpecificRecord> avroTemplate(KafkaProperties properties) {
        Map<String, Object> config = new HashMap<>(properties.buildProducerProperties());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        // the factory configures the serializer with these same settings
        config.put("apicurio.registry.auto-register", true);
        config.put("apicurio.registry.auto-register.if-exists", "FIND_OR_CREATE_VERSION");
        config.put("apicurio.registry.dereference-schema", true); // one self-contained schema per subject
        var values = new AvroKafkaSerializer<SpecificRecord>();
        return new KafkaTemplate<>(new DefaultKafkaProducerFactory<>(config, new StringSerializer(), values));
    }

    @Bean
    KafkaAdmin.NewTopics optimizerTopics() {
        List<NewTopic> topics = List.of(Topics.OPTIMIZER_EVALUATION_REQUESTS, Topics.OPTIMIZER_EVENTS).stream()
                .map(t -> TopicBuilder.name(t.name())
                        .partitions(t.defaultPartitions())
                        .build())
                .toList();
        return new KafkaAdmin.NewTopics(topics.toArray(NewTopic[]::new));
    }
}
