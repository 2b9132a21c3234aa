package io.promptloop.ingest.ingestion.domain;

import java.util.UUID;

/** A turn as agents refer to it: its session and its number there. */
public record TurnRef(UUID sessionId, int turnNumber) {}
