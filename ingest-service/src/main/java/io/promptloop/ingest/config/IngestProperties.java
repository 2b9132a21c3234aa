package io.promptloop.ingest.config;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Everything an operator can set on ingest-service, validated at start-up: a bad value stops the service
 * with a message naming the property instead of failing later.
 */
@Validated
@ConfigurationProperties("promptloop.ingest")
public record IngestProperties(
        @Valid @NotNull @DefaultValue Limits limits,
        @Valid @NotNull @DefaultValue Retention retention,
        @Valid @NotNull @DefaultValue Commits commits) {

    /**
     * How a batch's transaction is made durable before its Kafka offsets are committed.
     *
     * @param mode SYNCHRONOUS (default): every commit waits for its flush (the server's {@code synchronous_commit}
     *     applies), offsets committed right after it; FLUSH_GATED: committed with {@code synchronous_commit = off}
     *     and its offsets committed once the server reports its WAL flushed past the commit (read on a connection
     *     of its own; a broken connection means the batches not seen flushed are read again)
     * @param flushPoll how often the WAL flush position is read while batches wait for it
     * @param flushTimeout how long a reading of it may take, and how long a batch that is followed by a dead letter
     *     or a retry waits for its flush before it is read again instead
     */
    public record Commits(
            @DefaultValue("SYNCHRONOUS") @NotNull Mode mode,
            @DefaultValue("20ms") @NotNull Duration flushPoll,
            @DefaultValue("10s") @NotNull Duration flushTimeout) {

        public Commits {
            if (flushPoll != null && (flushPoll.toMillis() < 1 || flushPoll.compareTo(Duration.ofSeconds(1)) > 0)) {
                throw new IllegalArgumentException(
                        "promptloop.ingest.commits.flush-poll must be between 1ms and 1s, was " + flushPoll);
            }
            if (flushTimeout != null && flushTimeout.toMillis() < 100) {
                throw new IllegalArgumentException(
                        "promptloop.ingest.commits.flush-timeout must be at least 100ms, was " + flushTimeout);
            }
        }

        public enum Mode {
            FLUSH_GATED,
            SYNCHRONOUS
        }
    }

    /**
     * @param maxTextLength characters in one text field
     * @param maxSearchResults RAG chunks per turn
     * @param maxMetadataEntries entries per metadata map
     * @param maxClockSkew how far in the future occurred_at may be
     */
    public record Limits(
            @DefaultValue("100000") @Min(1) @Max(10_000_000) int maxTextLength,
            @DefaultValue("200") @Min(0) @Max(10_000) int maxSearchResults,
            @DefaultValue("100") @Min(0) @Max(10_000) int maxMetadataEntries,
            @DefaultValue("24h") @NotNull Duration maxClockSkew) {

        public io.promptloop.ingest.ingestion.domain.Limits toDomain() {
            return new io.promptloop.ingest.ingestion.domain.Limits(
                    maxTextLength, maxSearchResults, maxMetadataEntries, maxClockSkew);
        }
    }

    /**
     * @param enabled whether the retention job runs
     * @param maxAge sessions that started longer ago are removed
     * @param mode DELETE drops them; ARCHIVE moves them to the *_archive tables first
     * @param cron when the job runs (Spring cron, six fields)
     * @param batchSize sessions removed per transaction
     */
    public record Retention(
            @DefaultValue("false") boolean enabled,
            @DefaultValue("90d") @NotNull Duration maxAge,
            @DefaultValue("DELETE") @NotNull Mode mode,
            @DefaultValue("0 17 3 * * *") @NotNull String cron,
            @DefaultValue("500") @Min(1) @Max(100_000) int batchSize) {

        public Retention {
            if (maxAge != null && (maxAge.isNegative() || maxAge.isZero())) {
                throw new IllegalArgumentException(
                        "promptloop.ingest.retention.max-age must be positive, was " + maxAge);
            }
        }

        public enum Mode {
            DELETE,
            ARCHIVE
        }
    }
}
