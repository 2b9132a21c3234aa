package io.promptloop.abtest.config;

import io.promptloop.schemas.Topics;
import io.promptloop.support.kafka.AvroProducers;
import io.promptloop.support.kafka.ServiceTopics;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.ConcurrentKafkaListenerContainerFactory;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.CommonErrorHandler;

/**
 * What abtest adds to the shared Kafka handling (service-support): observations are read in batches and the
 * listener sorts out bad records itself (dead letters with reasons), throwing only for faults of ours (database,
 * registry, broker), which the shared error handler retries with back-off for as long as it takes. Decisions and
 * routing are produced by the outbox relay in the Confluent wire format.
 */
@Configuration(proxyBeanMethods = false)
class KafkaConfig {

    /** Batch listener factory of the observation stream. */
    @Bean
    ConcurrentKafkaListenerContainerFactory<String, Object> observationListenerFactory(
            ConsumerFactory<String, Object> consumers, CommonErrorHandler errorHandler, KafkaProperties properties) {
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
        return AvroProducers.registeringTemplate(properties);
    }

    /** Topics this service consumes or produces (routing is compacted) and the observations' dead letters. */
    @Bean
    ServiceTopics abtestTopics() {
        return new ServiceTopics(
                List.of(Topics.AB_OBSERVATIONS, Topics.AB_DECISIONS, Topics.INSTRUCTION_ROUTING),
                List.of(Topics.AB_OBSERVATIONS));
    }
}
