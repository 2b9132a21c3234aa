package io.promptloop.optimizer.instruction;

import io.micrometer.core.instrument.MeterRegistry;
import io.promptloop.avro.routing.InstructionRouting;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * Business rule: the active instruction of a predictor is whatever the A/B service last routed to it, and an A/B
 * test is in flight for it while its latest routing names one.
 */
@Component
class RoutingListener {

    private static final Logger log = LoggerFactory.getLogger(RoutingListener.class);

    private final InstructionRepository instructions;
    private final MeterRegistry meters;

    RoutingListener(InstructionRepository instructions, MeterRegistry meters) {
        this.instructions = instructions;
        this.meters = meters;
    }

    @KafkaListener(
            id = "optimizer-routing",
            topics = "#{T(io.promptloop.schemas.Topics).INSTRUCTION_ROUTING.name()}",
            idIsGroup = false)
    @Transactional
    void onRouting(ConsumerRecord<String, Object> record) {
        if (!(record.value() instanceof InstructionRouting routing)) return; // tombstone or foreign value
        String agent = routing.getAgent().getAgentName();
        String predictor = routing.getAgent().getPredictorName();
        String testId = routing.getTest() == null ? null : routing.getTest().getTestId();
        if (invalid(agent, 100)
                || invalid(predictor, 100)
                || invalid(testId, 200)
                || invalid(routing.getEventId(), 200)) {
            // would fail the insert for ever (the error handler retries database faults without end)
            meters.counter("promptloop.optimizer.events.ignored", "topic", record.topic(), "reason", "invalid_value")
                    .increment();
            log.warn(
                    "ignored routing {}-{}@{}: a name or id is empty or too long",
                    record.topic(),
                    record.partition(),
                    record.offset());
            return;
        }
        UUID id;
        try {
            id = UUID.fromString(routing.getActiveInstructionId());
        } catch (IllegalArgumentException e) {
            id = null;
        }
        // the test in flight is recorded whatever the instruction: the run policy must not start during a test
        instructions.recordRouting(agent, predictor, id, testId, routing.getEventId(), routing.getOccurredAt());
        if (id == null) {
            meters.counter(
                            "promptloop.optimizer.events.ignored",
                            "topic",
                            record.topic(),
                            "reason",
                            "malformed_instruction_id")
                    .increment();
            return;
        }
        if (!instructions.activate(id)) {
            meters.counter(
                            "promptloop.optimizer.events.ignored",
                            "topic",
                            record.topic(),
                            "reason",
                            "unknown_instruction")
                    .increment();
            log.warn("routing names instruction {} which the optimizer does not know; active pointer unchanged", id);
        }
    }

    private static boolean invalid(String value, int max) {
        return value != null && (value.isEmpty() || value.length() > max);
    }
}
