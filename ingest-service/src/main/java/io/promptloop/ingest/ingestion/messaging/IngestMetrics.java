package io.promptloop.ingest.ingestion.messaging;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.stereotype.Component;

/** Counters of what happened to each event: stored, duplicate (already stored), dead-lettered by reason. */
@Component
public class IngestMetrics {

    private final MeterRegistry registry;

    public IngestMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void stored(String topic, int count) {
        if (count > 0) events(topic, "stored").increment(count);
    }

    void duplicates(String topic, int count) {
        if (count > 0) events(topic, "duplicate").increment(count);
    }

    /** Counted by outcome here; by reason in the shared {@code promptloop_dead_letters_total{topic,reason}}. */
    public void deadLettered(String topic) {
        events(topic, "dead_lettered").increment();
    }

    private Counter events(String topic, String outcome) {
        return Counter.builder("promptloop.ingest.events")
                .description("Agent events by outcome")
                .tag("topic", topic)
                .tag("outcome", outcome)
                .register(registry);
    }
}
