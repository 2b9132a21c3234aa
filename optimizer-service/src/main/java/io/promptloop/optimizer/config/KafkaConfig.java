package io.promptloop.optimizer.config;

import io.micrometer.core.instrument.MeterRegistry;
import io.promptloop.schemas.Topics;
import io.promptloop.support.kafka.AvroProducers;
import io.promptloop.support.kafka.DeadLetters;
import io.promptloop.support.kafka.ServiceTopics;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.ConsumerRecordRecoverer;

/**
 * What the optimizer adds to the shared Kafka handling (service-support): unreadable records are skipped, the
 * producer writes Apicurio's Avro serde in the Confluent wire format, and its own topics are created.
 */
@Configuration(proxyBeanMethods = false)
class KafkaConfig {

    /**
     * Records the optimizer cannot read are skipped with one log line and a metric, not dead-lettered: ingest-service
     * dead-letters the same records of the shared topics, so a second dead letter would only be a duplicate.
     */
    @Bean
    ConsumerRecordRecoverer skipUnreadable(MeterRegistry meters) {
        return DeadLetters.skipping(meters, "promptloop.optimizer.events.ignored");
    }

    @Bean
    KafkaTemplate<String, SpecificRecord> avroTemplate(KafkaProperties properties) {
        return AvroProducers.registeringTemplate(properties);
    }

    @Bean
    ServiceTopics optimizerTopics() {
        return new ServiceTopics(List.of(Topics.OPTIMIZER_EVALUATION_REQUESTS, Topics.OPTIMIZER_EVENTS), List.of());
    }
}
