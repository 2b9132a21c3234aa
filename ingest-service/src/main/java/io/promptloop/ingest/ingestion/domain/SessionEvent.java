package io.promptloop.ingest.ingestion.domain;

import java.util.UUID;

/** An event that belongs to one tuning session. */
public interface SessionEvent {
    UUID sessionId();
}
