package io.promptloop.abtest.experiment;

import io.promptloop.abtest.experiment.domain.AbTest;
import io.promptloop.abtest.experiment.domain.TestArm;
import io.promptloop.abtest.instruction.InstructionCatalog;
import io.promptloop.abtest.instruction.InstructionCatalog.Instruction;
import io.promptloop.abtest.outbox.Outbox;
import io.promptloop.avro.common.AgentRef;
import io.promptloop.avro.routing.InstructionRouting;
import io.promptloop.avro.routing.RunningTest;
import io.promptloop.avro.routing.TreatmentArm;
import io.promptloop.schemas.Topics;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Business rule: the compacted {@code instruction-routing} topic always tells a predictor's agents the
 * instruction to serve and, while a test is live, the test's salt, split and treatment — every change recorded
 * in {@code routing_changes} with its reason and published through the outbox.
 */
@Component
public class RoutingPublisher {

    private final InstructionCatalog catalog;
    private final Outbox outbox;
    private final JdbcClient jdbc;
    private final Clock clock;

    public RoutingPublisher(InstructionCatalog catalog, Outbox outbox, JdbcClient jdbc, Clock clock) {
        this.catalog = catalog;
        this.outbox = outbox;
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /**
     * Routes the predictor of {@code test} to {@code active}; while {@code treatments} is not null (nor empty) the
     * test is carried with those arms, each taking its weight of the units by the K-arm rule — the test's
     * treatments while it runs, the winner alone at its rollout share afterwards. The two-arm fields describe the
     * first arm.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public void route(AbTest test, UUID activeId, List<TestArm> treatments, String reason) {
        Instruction active = instruction(activeId);
        RunningTest running = null;
        Double treatmentShare = null;
        if (treatments != null && !treatments.isEmpty()) {
            List<TreatmentArm> arms = new ArrayList<>();
            double total = 0;
            for (TestArm arm : treatments) {
                Instruction i = instruction(arm.instructionId());
                arms.add(TreatmentArm.newBuilder()
                        .setVariant(arm.variant())
                        .setInstructionId(i.id().toString())
                        .setVersion(i.version())
                        .setText(i.text())
                        .setWeight(arm.weight())
                        .build());
                total += arm.weight();
            }
            TreatmentArm first = arms.get(0);
            running = RunningTest.newBuilder()
                    .setTestId(test.testId().toString())
                    .setSalt(test.salt())
                    .setTrafficSplit(first.getWeight())
                    .setTreatmentInstructionId(first.getInstructionId())
                    .setTreatmentVersion(first.getVersion())
                    .setTreatmentText(first.getText())
                    .setArms(arms)
                    .build();
            treatmentShare =
                    BigDecimal.valueOf(total).setScale(2, RoundingMode.HALF_UP).doubleValue();
        }
        publish(
                test.agentName(),
                test.predictorName(),
                active,
                treatmentShare == null ? null : test.testId(),
                treatmentShare,
                running,
                reason);
    }

    /**
     * Routes every unit of the predictor to {@code active}, no test running: an operator's activation of a version
     * (the caller makes sure no test is live for the predictor).
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public void routeAll(String agentName, String predictorName, UUID activeId, String reason) {
        publish(agentName, predictorName, instruction(activeId), null, null, null, reason);
    }

    /**
     * Serialises the routing changes of one predictor until the transaction ends (a PostgreSQL advisory lock, held
     * by every replica's publisher): a decision taken under it (e.g. "no test is live") still holds when the change
     * is published, and the outbox sends the changes in the order they were decided.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public void lockPredictor(String agentName, String predictorName) {
        // the two-key form: its key space is apart from the outbox relay's one-key lock
        jdbc.sql("SELECT 1 FROM pg_advisory_xact_lock(hashtext(?), hashtext(?))")
                .params(Topics.INSTRUCTION_ROUTING.name(), Topics.predictorKey(agentName, predictorName))
                .query(Integer.class)
                .single();
    }

    /**
     * The instruction this service last routed the predictor to (its latest {@code routing_changes} row), if it ever
     * routed it. Read it under {@link #lockPredictor} for a decision that must still hold when it is published.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public Optional<UUID> lastRouted(String agentName, String predictorName) {
        return jdbc.sql("SELECT active_instruction_id FROM abtest.routing_changes WHERE agent_name = ?"
                        + " AND predictor_name IS NOT DISTINCT FROM ? ORDER BY created_at DESC LIMIT 1")
                .params(agentName, predictorName)
                .query(UUID.class)
                .optional();
    }

    private void publish(
            String agentName,
            String predictorName,
            Instruction active,
            UUID testId,
            Double treatmentShare,
            RunningTest running,
            String reason) {
        lockPredictor(agentName, predictorName);
        UUID changeId = jdbc.sql("""
                        INSERT INTO abtest.routing_changes (agent_name, predictor_name, active_instruction_id, test_id,
                            traffic_split, reason)
                        VALUES (?, ?, ?, ?, ?, ?) RETURNING id
                        """)
                .params(
                        agentName,
                        predictorName,
                        active.id(),
                        testId,
                        treatmentShare == null ? null : BigDecimal.valueOf(treatmentShare),
                        reason)
                .query(UUID.class)
                .single();
        var routing = InstructionRouting.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setOccurredAt(clock.instant())
                .setAgent(new AgentRef(agentName, predictorName))
                .setActiveInstructionId(active.id().toString())
                .setActiveVersion(active.version())
                .setInstructionText(active.text())
                .setInstructionHash(active.hash())
                .setTest(running)
                .setReason(reason)
                .build();
        outbox.add(Topics.INSTRUCTION_ROUTING.name(), Topics.predictorKey(agentName, predictorName), routing, changeId);
    }

    private Instruction instruction(UUID id) {
        return catalog.find(id)
                .orElseThrow(() -> new IllegalStateException("instruction " + id + " vanished from the registry"));
    }
}
