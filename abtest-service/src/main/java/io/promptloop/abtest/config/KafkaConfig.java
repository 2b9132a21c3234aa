package io.promptloop.abtest.config;

import io.apicurio.registry.serde.avro.AvroKafkaSerializer;
import io.micrometer.core.instrument.MeterRegistry;
import io.promptloop.schemas.Topics;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.ConcurrentKafkaListenerContainerFactory;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.kafka.support.serializer.DeserializationException;
import org.springframework.util.backoff.ExponentialBackOff;

/**
 * Observations are read in batches; the listener sorts out bad records itself (dead letters with reasons)
 * and throws only for faults of ours (database, registry, broker), which this error handler retries with
 * back-off for as long as it takes. Decisions and routing are produced by the outbox relay with Apicurio's
 * Avro serde in the Confluent wire format.
 */
@Configuration(proxyBeanMethods = false)
class KafkaConfig {

    private static final Logger log = LoggerFactory.getLogger(KafkaConfig.class);

    @Bean
    DefaultErrorHandler kafkaErrorHandler(MeterRegistry meters) {
        ExponentialBackOff backOff = new ExponentialBackOff(500, 2.0);
        backOff.setMaxInterval(30_000);
        backOff.setMaxElapsedTime(Long.MAX_VALUE); // transient faults: retry until the database is back
        DefaultErrorHandler handler = new DefaultErrorHandler(
                (record, e) -> {
                    // only non-retryable failures of record listeners end here (optimizer-events)
                    meters.counter("promptloop.abtest.events.ignored", "topic", record.topic(), "reason", "undecodable")
                            .increment();
                    log.warn("skipped {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), e.toString());
                },
                backOff);
        handler.addNotRetryableExceptions(DeserializationException.class, ClassCastException.class);
        return handler;
    }

    /** Batch listener factory of the observation stream. */
    @Bean
    ConcurrentKafkaListenerContainerFactory<String, Object> observationListenerFactory(
            ConsumerFactory<String, Object> consumers, DefaultErrorHandler errorHandler, KafkaProperties properties) {
        var factory = new ConcurrentKafkaListenerContainerFactory<String, Object>();
        factory.setConsumerFactory(consumers);
        factory.setBatchListener(true);
        factory.setCommonErrorHandler(errorHandler);
        Integer concurrency = properties.getListener().getConcurrency();
        if (concurrency != null) factory.setConcurrency(concurrency);
        return factory;
    }

    @Bean
    KafkaTemplate<String, SpecificRecord> avroTemplate(KafkaProperties properties) {
        Map<String, Object> config = producerConfig(properties);
        // the factory configures the serializer with these same settings
        config.put("apicurio.registry.auto-register", true);
        config.put("apicurio.registry.auto-register.if-exists", "FIND_OR_CREATE_VERSION");
        config.put("apicurio.registry.dereference-schema", true); // one self-contained schema per subject
        return new KafkaTemplate<>(
                new DefaultKafkaProducerFactory<>(config, new StringSerializer(), new AvroKafkaSerializer<>()));
    }

    /** Dead letters carry the exact bytes the record arrived with: no registry is needed to dead-letter. */
    @Bean
    KafkaTemplate<String, byte[]> deadLetterTemplate(KafkaProperties properties) {
        return new KafkaTemplate<>(new DefaultKafkaProducerFactory<>(
                producerConfig(properties), new StringSerializer(), new ByteArraySerializer()));
    }

    private static Map<String, Object> producerConfig(KafkaProperties properties) {
        Map<String, Object> config = new HashMap<>(properties.buildProducerProperties());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        return config;
    }

    /** Topics this service consumes or produces, created at start-up if missing (routing is compacted). */
    @Bean
    KafkaAdmin.NewTopics abtestTopics(AbtestProperties properties) {
        List<NewTopic> topics = new ArrayList<>();
        if (properties.topics().create()) {
            int rf = properties.topics().replicationFactor();
            for (var topic : List.of(Topics.AB_OBSERVATIONS, Topics.AB_DECISIONS, Topics.INSTRUCTION_ROUTING)) {
                topics.add(build(
                        topic.name(),
                        topic.defaultPartitions(),
                        rf,
                        topic.cleanup().kafkaValue()));
            }
            topics.add(build(
                    Topics.AB_OBSERVATIONS.deadLetterTopic(),
                    Topics.AB_OBSERVATIONS.defaultPartitions(),
                    rf,
                    "delete"));
        }
        return new KafkaAdmin.NewTopics(topics.toArray(NewTopic[]::new));
    }

    private static NewTopic build(String name, int partitions, int replicationFactor, String cleanup) {
        TopicBuilder builder = TopicBuilder.name(name).partitions(partitions).config("cleanup.policy", cleanup);
        if (replicationFactor > 0) builder.replicas(replicationFactor);
        return builder.build();
    }
}
