package io.promptloop.support.kafka;

/**
 * A deserialized Avro value together with the exact bytes it came from, so that a dead letter carries
 * the original record (replayable as it was sent) and the dead-letter path never needs the registry.
 */
public record AvroWithBytes(Object value, byte[] bytes) {}
