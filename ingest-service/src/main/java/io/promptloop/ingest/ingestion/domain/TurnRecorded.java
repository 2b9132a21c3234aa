package io.promptloop.ingest.ingestion.domain;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

public record TurnRecorded(
        UUID eventId,
        Instant occurredAt,
        AgentId agent,
        UUID sessionId,
        int turnNumber,
        String userMessage,
        String agentResponse,
        Integer processingTimeMs,
        List<SearchResult> searchResults,
        Double avgSimilarity,
        Integer totalChunks,
        Double confidenceScore,
        String templateUsed,
        UUID instructionId,
        Map<String, String> metadata)
        implements IngestEvent, SessionEvent {

    public record SearchResult(String chunkId, String documentTitle, String chunkText, double similarity) {}

    public TurnRef ref() {
        return new TurnRef(sessionId, turnNumber);
    }
}
