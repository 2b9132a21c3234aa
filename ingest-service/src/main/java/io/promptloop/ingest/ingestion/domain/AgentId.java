package io.promptloop.ingest.ingestion.domain;

/** An agent and, where it applies, the predictor inside it. */
public record AgentId(String agentName, String predictorName) {}
