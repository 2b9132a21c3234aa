package io.promptloop.support.kafka;

import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.ConsumerRecordRecoverer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.kafka.listener.RetryListener;
import org.springframework.kafka.support.serializer.DelegatingByTypeSerializer;
import org.springframework.kafka.support.serializer.DeserializationException;
import org.springframework.util.backoff.ExponentialBackOff;

/**
 * Kafka the same way in every service: one error handler whose back-off (0.5 s doubling to 30 s, without end)
 * retries faults of ours (database down, registry unreachable) while the consumer waits, and which hands records
 * that can never be processed to the service's {@link ConsumerRecordRecoverer} at once; dead letters with one set
 * of headers ({@link DeadLetters}); the service's topics created with the catalogue's partitions, the configured
 * replication and clean-up policy.
 */
@AutoConfiguration(after = KafkaAutoConfiguration.class)
@EnableConfigurationProperties({TopicProperties.class, LagProperties.class})
public class PromptloopKafkaAutoConfiguration {

    private static final Logger log = LoggerFactory.getLogger(PromptloopKafkaAutoConfiguration.class);

    /** Failures that are the record's own and must never be retried, in addition to a service's. */
    public static final List<Class<? extends Exception>> NOT_RETRYABLE =
            List.of(DeserializationException.class, ClassCastException.class);

    /**
     * Exceptions a service declares as the record's fault (never retried; handed to its recoverer at once).
     *
     * @param exceptions their classes
     */
    public record NotRetryable(List<Class<? extends Exception>> exceptions) {}

    @Bean
    @ConditionalOnMissingBean
    DefaultErrorHandler kafkaErrorHandler(
            ObjectProvider<ConsumerRecordRecoverer> recoverer,
            ObjectProvider<NotRetryable> notRetryable,
            MeterRegistry meters) {
        ExponentialBackOff backOff = new ExponentialBackOff(500, 2.0);
        backOff.setMaxInterval(30_000);
        backOff.setMaxElapsedTime(Long.MAX_VALUE); // transient faults: retry until the dependency is back
        PromptloopErrorHandler handler = new PromptloopErrorHandler(
                recoverer.getIfAvailable(() -> DeadLetters.skipping(meters, "promptloop.events.skipped")), backOff);
        List<Class<? extends Exception>> recordsFault = new ArrayList<>(NOT_RETRYABLE);
        notRetryable.orderedStream().forEach(n -> recordsFault.addAll(n.exceptions()));
        recordsFault.forEach(handler::addNotRetryableExceptions);
        // Spring logs every failure with its stack trace at ERROR; we log one line per retry and per dead letter
        handler.setLogLevel(org.springframework.kafka.KafkaException.Level.DEBUG);
        handler.setRetryListeners(new RetryListener() {
            @Override
            public void failedDelivery(ConsumerRecord<?, ?> record, Exception ex, int deliveryAttempt) {
                if (!isRecordsFault(ex, recordsFault)) { // the record's own fault is logged once, by the recoverer
                    log.warn(
                            "retrying {}-{}@{} after a back-off (attempt {}): {}",
                            record.topic(),
                            record.partition(),
                            record.offset(),
                            deliveryAttempt,
                            DeadLetters.messageOf(ex));
                }
            }
        });
        return handler;
    }

    /** The record's own fault (never retried); a registry that could not be asked never is. */
    static boolean isRecordsFault(Throwable failure, List<Class<? extends Exception>> recordsFault) {
        if (PromptloopErrorHandler.isRegistryUnavailable(failure)) return false;
        return recordsFault.stream().anyMatch(type -> Causes.has(failure, type));
    }

    /**
     * Dead letters carry the exact bytes a record arrived with (a byte array, or the bytes kept beside a decoded
     * value), so no schema registry is needed to dead-letter.
     */
    @Bean
    @ConditionalOnMissingBean
    DeadLetters deadLetters(
            KafkaProperties properties, MeterRegistry meters, @Value("${spring.application.name}") String service) {
        Map<String, Object> config = new HashMap<>(properties.buildProducerProperties());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        Serializer<AvroWithBytes> original = (topic, value) -> value.bytes();
        var values = new DelegatingByTypeSerializer(
                Map.of(byte[].class, new ByteArraySerializer(), AvroWithBytes.class, original));
        @SuppressWarnings({"unchecked", "rawtypes"})
        Serializer<Object> keys = (Serializer) new StringSerializer();
        var factory = new DefaultKafkaProducerFactory<>(config, keys, values);
        factory.setPhysicalCloseTimeout(5);
        return new DeadLetters(new KafkaTemplate<>(factory), meters, service);
    }

    /** The topics every {@link ServiceTopics} bean names, created at start-up if missing. */
    @Bean
    KafkaAdmin.NewTopics promptloopTopics(List<ServiceTopics> declared, TopicProperties properties) {
        List<NewTopic> topics = new ArrayList<>();
        if (properties.create()) {
            int rf = properties.replicationFactor();
            for (ServiceTopics service : declared) {
                for (var topic : service.topics()) {
                    topics.add(build(
                            topic.name(),
                            topic.defaultPartitions(),
                            rf,
                            topic.cleanup().kafkaValue()));
                }
                for (var topic : service.deadLetters()) {
                    topics.add(build(topic.deadLetterTopic(), topic.defaultPartitions(), rf, "delete"));
                }
            }
        }
        return new KafkaAdmin.NewTopics(topics.stream().distinct().toArray(NewTopic[]::new));
    }

    /**
     * Each listener container's consumer group with the topics it reads, as the lag gauges; the admin client uses
     * the service's own Kafka settings (bootstrap servers, security).
     */
    @Bean
    @ConditionalOnBean(KafkaListenerEndpointRegistry.class)
    @ConditionalOnProperty(name = "promptloop.kafka.lag.enabled", havingValue = "true", matchIfMissing = true)
    ConsumerGroupLag consumerGroupLag(
            KafkaAdmin admin, KafkaListenerEndpointRegistry listeners, MeterRegistry meters, LagProperties properties) {
        return new ConsumerGroupLag(
                KafkaBacklog.connect(admin.getConfigurationProperties(), properties.timeout()),
                () -> listenerGroups(listeners),
                meters,
                properties.interval());
    }

    /** group -> topics (in a stable order) of every listener container that names its topics. */
    static Map<String, List<String>> listenerGroups(KafkaListenerEndpointRegistry listeners) {
        Map<String, java.util.SortedSet<String>> groups = new java.util.TreeMap<>();
        for (MessageListenerContainer container : listeners.getAllListenerContainers()) {
            String group = container.getGroupId();
            String[] topics = container.getContainerProperties().getTopics();
            if (group == null || topics == null) continue;
            groups.computeIfAbsent(group, g -> new java.util.TreeSet<>()).addAll(List.of(topics));
        }
        Map<String, List<String>> result = new java.util.LinkedHashMap<>();
        groups.forEach((group, topics) -> result.put(group, List.copyOf(topics)));
        return result;
    }

    private static NewTopic build(String name, int partitions, int replicationFactor, String cleanup) {
        TopicBuilder builder = TopicBuilder.name(name).partitions(partitions).config("cleanup.policy", cleanup);
        if (replicationFactor > 0) builder.replicas(replicationFactor);
        return builder.build();
    }
}
