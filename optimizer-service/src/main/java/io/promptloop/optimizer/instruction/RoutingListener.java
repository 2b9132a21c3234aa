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

/** Business rule: the active instruction of a predictor is whatever the A/B service last routed to it. */
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
        UUID id;
        try {
            id = UUID.fromString(routing.getActiveInstructionId());
        } catch (IllegalArgumentException e) {
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
}
