package io.promptloop.ingest.ingestion.domain;

/** One record of a batch after decoding and validation: either an event or the reason it was rejected. */
public sealed interface Decoded {

    record Valid(IngestEvent event) implements Decoded {}

    record Rejected(InvalidEventException rejection) implements Decoded {}
}
