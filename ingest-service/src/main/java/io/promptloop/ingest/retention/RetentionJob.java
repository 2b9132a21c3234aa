package io.promptloop.ingest.retention;

import io.promptloop.ingest.config.IngestProperties;
import java.time.Clock;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Business rule: tuning sessions (and their turns and notes) that started longer ago than the configured
 * age are deleted, or archived and then deleted. One replica at a time does it (a PostgreSQL advisory
 * lock), in small transactions so that ingestion is never blocked for long.
 */
@Component
public class RetentionJob {

    private static final Logger log = LoggerFactory.getLogger(RetentionJob.class);

    private final RetentionRepository repository;
    private final IngestProperties.Retention settings;
    private final Clock clock;

    RetentionJob(RetentionRepository repository, IngestProperties properties, Clock clock) {
        this.repository = repository;
        this.settings = properties.retention();
        this.clock = clock;
    }

    @Scheduled(cron = "${promptloop.ingest.retention.cron:0 17 3 * * *}")
    void scheduled() {
        if (settings.enabled()) run();
    }

    /** Removes every session older than the retention age; returns how many. */
    public int run() {
        Instant cutoff = clock.instant().minus(settings.maxAge());
        boolean archive = settings.mode() == IngestProperties.Retention.Mode.ARCHIVE;
        int total = 0;
        int removed;
        do {
            removed = repository.removeBatch(cutoff, settings.batchSize(), archive);
            if (removed < 0) {
                log.info("retention: another replica holds the lock; skipping");
                return total;
            }
            total += removed;
        } while (removed == settings.batchSize());
        if (total > 0)
            log.info("retention: {} {} sessions started before {}", archive ? "archived" : "deleted", total, cutoff);
        return total;
    }
}
