package io.promptloop.ingest.ingestion.domain;

import java.time.Duration;

/**
 * Bounds on what an event may carry, so that one oversized or absurd event cannot bloat the database.
 *
 * @param maxTextLength characters in any one text (message, response, note, input, output)
 * @param maxSearchResults RAG chunks on one turn
 * @param maxMetadataEntries entries in a metadata map
 * @param maxClockSkew how far in the future an event's occurred_at may lie
 */
public record Limits(int maxTextLength, int maxSearchResults, int maxMetadataEntries, Duration maxClockSkew) {

    public static final Limits DEFAULT = new Limits(100_000, 200, 100, Duration.ofHours(24));

    public Limits {
        if (maxTextLength < 1 || maxSearchResults < 0 || maxMetadataEntries < 0) {
            throw new IllegalArgumentException(
                    "limits must be positive: " + maxTextLength + ", " + maxSearchResults + ", " + maxMetadataEntries);
        }
        if (maxClockSkew == null || maxClockSkew.isNegative()) {
            throw new IllegalArgumentException("maxClockSkew must be >= 0");
        }
    }
}
