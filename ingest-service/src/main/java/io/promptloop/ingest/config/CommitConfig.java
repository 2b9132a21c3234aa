package io.promptloop.ingest.config;

import io.micrometer.core.instrument.MeterRegistry;
import io.promptloop.ingest.ingestion.messaging.DurableOffsets;
import io.promptloop.ingest.ingestion.persistence.WalFlushWatcher;
import javax.sql.DataSource;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * When a stored batch's offsets are committed ({@code promptloop.ingest.commits}): the WAL flush watcher and the
 * consumers' ledgers, which Spring Boot also installs as the listener containers' rebalance listener.
 */
@Configuration(proxyBeanMethods = false)
class CommitConfig {

    @Bean
    WalFlushWatcher walFlushWatcher(IngestProperties properties, DataSource dataSource) {
        IngestProperties.Commits commits = properties.commits();
        return new WalFlushWatcher(
                commits.mode() == IngestProperties.Commits.Mode.FLUSH_GATED,
                dataSource,
                commits.flushPoll(),
                commits.flushTimeout());
    }

    @Bean
    DurableOffsets durableOffsets(
            WalFlushWatcher watcher, IngestProperties properties, KafkaProperties kafka, MeterRegistry meters) {
        DurableOffsets.requireListenerSettings(
                kafka.getListener().getAckMode(), kafka.getListener().getIdleEventInterval());
        return new DurableOffsets(watcher, properties.commits().flushTimeout(), meters);
    }
}
