package io.promptloop.ingest.ingestion.domain;

/** An event that can never be stored as it is; it goes to the dead-letter topic, never retried. */
public class InvalidEventException extends RuntimeException {

    private final RejectionReason reason;

    public InvalidEventException(RejectionReason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public InvalidEventException(RejectionReason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public RejectionReason reason() {
        return reason;
    }
}
