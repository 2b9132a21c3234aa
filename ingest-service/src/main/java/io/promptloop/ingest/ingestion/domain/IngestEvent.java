package io.promptloop.ingest.ingestion.domain;

import java.time.Instant;
import java.util.UUID;

/** An event from an agent topic, decoded into plain values. Every event is stored at most once by its id. */
public sealed interface IngestEvent
        permits SessionStarted, TurnRecorded, ImprovementNoted, SessionEnded, EvaluationRecorded, ObservationRecorded {

    UUID eventId();

    Instant occurredAt();

    AgentId agent();
}
