package io.promptloop.support.kafka;

import io.apicurio.registry.serde.avro.AvroKafkaSerializer;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;

/** How a service publishes its own events: idempotent, {@code acks=all}, Confluent wire format. */
public final class AvroProducers {

    private AvroProducers() {}

    /**
     * A template for the topics a service owns: their value schemas are registered on first use (as one
     * self-contained schema per subject), found again by content afterwards.
     */
    public static KafkaTemplate<String, SpecificRecord> registeringTemplate(KafkaProperties properties) {
        Map<String, Object> config = new HashMap<>(properties.buildProducerProperties());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        // the factory configures the serializer with these same settings; its registry calls are bounded in time
        config.put("apicurio.registry.auto-register", true);
        config.put("apicurio.registry.auto-register.if-exists", "FIND_OR_CREATE_VERSION");
        config.put("apicurio.registry.dereference-schema", true);
        var factory = new DefaultKafkaProducerFactory<String, SpecificRecord>(
                config, new StringSerializer(), new AvroKafkaSerializer<>(TimedRegistryClient.of(config)));
        factory.setPhysicalCloseTimeout(5); // a producer closing while the broker is gone must not hold shutdown
        return new KafkaTemplate<>(factory);
    }
}
