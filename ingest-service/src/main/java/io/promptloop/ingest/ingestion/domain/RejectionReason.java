package io.promptloop.ingest.ingestion.domain;

import java.util.Locale;

/** Why an event was dead-lettered. The lower-case name is the {@code promptloop-dlt-reason} header. */
public enum RejectionReason {
    /** The bytes are not a record of the topic's schema (wrong magic byte, truncated, bytes after the record). */
    UNDECODABLE,
    /** A valid record of another event type than the topic carries (e.g. an evaluation on agent-sessions). */
    WRONG_TYPE,
    /** The schema id in the record is not known to the registry. */
    UNKNOWN_SCHEMA,
    /** A value is missing, malformed or out of range. */
    INVALID_VALUE,
    /** A text or collection is larger than the configured limit. */
    OVERSIZED,
    /** The event refers to something that was never sent (e.g. a note on an unknown turn). */
    UNKNOWN_REFERENCE,
    /** Another event already holds this turn number in the session. */
    DUPLICATE_TURN_NUMBER,
    /** PostgreSQL refused the row (a constraint the validation did not foresee). */
    REJECTED_BY_DATABASE;

    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }
}
