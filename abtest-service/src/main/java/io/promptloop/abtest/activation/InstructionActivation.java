package io.promptloop.abtest.activation;

import io.promptloop.abtest.experiment.ExperimentException;
import io.promptloop.abtest.experiment.RoutingPublisher;
import io.promptloop.abtest.experiment.persistence.ExperimentRepository;
import io.promptloop.abtest.instruction.InstructionCatalog;
import io.promptloop.abtest.instruction.InstructionCatalog.Instruction;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Business rule: an operator may route a predictor to any of its versions by hand, but never while a test is live
 * for it (the test owns the routing until it ends); the change is published like every other routing change
 * (recorded in {@code routing_changes}, sent through the outbox) and the optimizer moves its active pointer on it.
 */
@Service
public class InstructionActivation {

    /** The reason the routing change carries. */
    public static final String REASON = "activated_by_operator";

    private static final Logger log = LoggerFactory.getLogger(InstructionActivation.class);

    private final InstructionCatalog catalog;
    private final ExperimentRepository tests;
    private final RoutingPublisher routing;

    public InstructionActivation(InstructionCatalog catalog, ExperimentRepository tests, RoutingPublisher routing) {
        this.catalog = catalog;
        this.tests = tests;
        this.routing = routing;
    }

    /**
     * @param previous the version that was active before, if any
     */
    public record Activated(Instruction instruction, Optional<Instruction> previous, String reason) {}

    @Transactional
    public Activated activate(UUID instructionId) {
        Instruction instruction = catalog.find(instructionId)
                .orElseThrow(() -> new ExperimentException(
                        ExperimentException.Kind.NOT_FOUND, "instruction " + instructionId + " is unknown"));
        String agent = instruction.agentName();
        String predictor = instruction.predictorName();
        // under the predictor's routing lock: a test that starts now publishes after this change, never before it
        routing.lockPredictor(agent, predictor);
        tests.liveTest(agent, predictor).ifPresent(live -> {
            throw new ExperimentException(
                    ExperimentException.Kind.CONFLICT,
                    "test " + live.testId() + " is live for " + key(agent, predictor) + " ("
                            + live.status().code() + "); stop it or roll it back before activating a version");
        });
        Optional<Instruction> previous = catalog.active(agent, predictor);
        routing.routeAll(agent, predictor, instruction.id(), REASON);
        log.info(
                "{} routed to v{} ({}) by an operator; was {}",
                key(agent, predictor),
                instruction.version(),
                instruction.id(),
                previous.map(p -> "v" + p.version()).orElse("none"));
        return new Activated(instruction, previous, REASON);
    }

    private static String key(String agent, String predictor) {
        return predictor == null ? agent : agent + "/" + predictor;
    }
}
