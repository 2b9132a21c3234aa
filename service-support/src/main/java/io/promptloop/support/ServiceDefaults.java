package io.promptloop.support;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * The operational defaults every promptloop service shares, at the lowest precedence so a service's
 * {@code application.yml}, the environment or the command line can still change each of them:
 * graceful shutdown with bounded phases; health probes answering from background checks; a connection pool whose
 * waits are bounded (an API call while PostgreSQL is down is answered 503 in about 1.5 s, not after the driver's
 * default 10 s connect timeout); Kafka clients whose blocking calls are bounded; only health, info and prometheus
 * exposed.
 */
public final class ServiceDefaults implements EnvironmentPostProcessor {

    static final String SOURCE = "promptloopServiceDefaults";

    static Map<String, Object> defaults() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("server.shutdown", "graceful");
        d.put("spring.lifecycle.timeout-per-shutdown-phase", "15s");
        d.put("spring.datasource.hikari.connection-timeout", "1500");
        d.put("spring.datasource.hikari.validation-timeout", "1000");
        d.put("spring.datasource.hikari.data-source-properties.connectTimeout", "2");
        d.put("spring.datasource.hikari.data-source-properties.tcpKeepAlive", "true");
        d.put(
                "spring.kafka.properties.apicurio.registry.avro-datum-provider",
                "io.promptloop.support.kafka.WholeRecordDatumProvider");
        // a schema id the registry answers 404 for is not worth three retries per record; an unreachable registry is
        // retried by the error handler's back-off anyway
        d.put("spring.kafka.properties.apicurio.registry.retry-count", "1");
        d.put("spring.kafka.properties.apicurio.registry.retry-backoff-ms", "100");
        d.put("spring.kafka.producer.properties.max.block.ms", "10000");
        d.put("spring.kafka.producer.properties.delivery.timeout.ms", "60000");
        d.put("spring.kafka.admin.close-timeout", "2s");
        d.put("spring.kafka.admin.operation-timeout", "10s");
        d.put("spring.kafka.listener.shutdown-timeout", "10s");
        d.put("management.endpoints.web.exposure.include", "health,info,prometheus");
        d.put("management.endpoint.health.probes.enabled", "true");
        d.put("management.endpoint.health.show-details", "always");
        d.put("management.endpoint.health.group.liveness.include", "livenessState");
        d.put("management.health.db.enabled", "false"); // replaced by the background check of DependencyWatch
        d.put("springdoc.api-docs.path", "/v3/api-docs");
        // the registry client logs every unknown schema id as an ERROR with a stack trace; the record is
        // dead-lettered (or skipped) with one WARN line of ours, and an unreachable registry is retried and logged
        d.put("logging.level.io.apicurio.registry.resolver.cache.ERCache", "OFF");
        // the consumer logs every seek at INFO, and the error handler seeks once per dead-lettered record
        d.put("logging.level.org.apache.kafka.clients.consumer.internals.ClassicKafkaConsumer", "WARN");
        return d;
    }

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        environment.getPropertySources().addLast(new MapPropertySource(SOURCE, defaults()));
    }
}
