package io.promptloop.ingest.config;

import io.promptloop.ingest.ingestion.domain.EventValidator;
import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires the pure domain objects, with time as a parameter so tests and replays control it. */
@Configuration(proxyBeanMethods = false)
class DomainConfig {

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Bean
    EventValidator eventValidator(IngestProperties properties, Clock clock) {
        return new EventValidator(properties.limits().toDomain(), clock);
    }
}
