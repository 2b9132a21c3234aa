package io.promptloop.console.config;

import io.promptloop.support.kafka.KafkaBacklog;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The console's one Kafka client: an admin client for offsets (no consumer, no producer). Bootstrap servers that
 * are not a resolvable {@code host:port} list stop the start with a message naming the property.
 */
@Configuration(proxyBeanMethods = false)
class BacklogConfig {

    @Bean(destroyMethod = "close")
    KafkaBacklog kafkaBacklog(ConsoleProperties properties) {
        ConsoleProperties.Kafka kafka = properties.kafka();
        try {
            return KafkaBacklog.connect(kafka.bootstrapServers(), kafka.timeout());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("promptloop.console.kafka.bootstrap-servers: " + e.getMessage(), e);
        }
    }
}
