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
import org.springframework.kafka.listener.ContainerProperties.AssignmentCommitOption;

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
        // The stored offsets in the database say where counting resumes (ObservationListener seeks to them) and
        // Kafka's committed offsets only feed lag monitoring, which counts a partition never committed from its
        // oldest record: the container's synchronous commit of the initial positions on assignment (a round trip
        // before the first fetch) adds nothing.
        factory.getContainerProperties().setAssignmentCommitOption(AssignmentCommitOption.NEVER);
        // For the same reason the offset commit after each batch is asynchronous: waiting for it took about 15 ms a
        // batch on the listener thread (3.2 s of 11.4 s for 1,000,000 observations, benchmarks/results/
        // abtest-2026-12-07-1m-*.txt); a commit lost in a crash or a rebalance only leaves the lag higher until the
        // next one, the records below the stored offsets are skipped when they come again.
        factory.getContainerProperties().setSyncCommits(false);
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
