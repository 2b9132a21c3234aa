package io.promptloop.devstack.agent;

import java.time.Instant;
import org.apache.avro.specific.SpecificRecord;

/**
 * One record the simulated agent publishes.
 *
 * @param topic the catalogue topic
 * @param key the record key (session id, or agent/predictor)
 * @param value the Avro event
 * @param occurredAt the event's {@code occurred_at}; the agent sends it then
 */
public record AgentRecord(String topic, String key, SpecificRecord value, Instant occurredAt) {}
