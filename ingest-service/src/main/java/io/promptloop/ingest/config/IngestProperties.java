package io.promptloop.ingest.config;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.time.Duration;
import java.util.List;
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
        @Valid @NotNull @DefaultValue Topics topics,
        @Valid @NotNull @DefaultValue Security security) {

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

    /**
     * @param create whether the service creates its topics and dead-letter topics if missing
     * @param replicationFactor replication of created topics; -1 takes the broker's default
     */
    public record Topics(
            @DefaultValue("true") boolean create,
            @DefaultValue("-1") @Min(-1) @Max(10) int replicationFactor) {}

    /** HTTP users. Everything but health needs one of them. */
    public record Security(
            @DefaultValue @NotEmpty(message = "configure at least one user in promptloop.ingest.security.users") @Valid
            List<User> users) {}

    /**
     * @param name user name
     * @param password password, with its encoding prefix: {bcrypt}..., {noop}... (dev only)
     * @param roles READER (list and export sessions), OPERATOR (reserved)
     */
    public record User(
            @NotNull @Pattern(regexp = "[A-Za-z0-9_.@-]{1,64}")
            String name,

            @NotNull
            @Pattern(
                    regexp = "\\{[a-z0-9]+}.+",
                    message = "must start with an encoding prefix such as {bcrypt} or {noop}")
            String password,

            @DefaultValue("READER") List<@Pattern(regexp = "READER|OPERATOR") String> roles) {

        @Override
        public String toString() {
            return "User[name=" + name + ", roles=" + roles + "]";
        }
    }
}
