package io.promptloop.optimizer.instruction;

import io.promptloop.optimizer.instruction.domain.InstructionHash;
import java.sql.Array;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Versioned instructions per agent/predictor: SHA-256 deduplication, one active version (a partial unique
 * index in PostgreSQL guarantees it), lineage to the versions they were derived from.
 */
@Repository
public class InstructionRepository {

    private final JdbcClient jdbc;

    public InstructionRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public record Instruction(
            UUID id,
            String agentName,
            String predictorName,
            int version,
            String text,
            String hash,
            String optimizerType,
            boolean active,
            Double valScore,
            UUID runId,
            List<UUID> parentInstructionIds,
            Instant createdAt) {}

    public Optional<Instruction> active(String agent, String predictor) {
        return jdbc.sql(SELECT + " WHERE agent_name = ? AND predictor_name IS NOT DISTINCT FROM ? AND is_active")
                .params(agent, predictor)
                .query(InstructionRepository::map)
                .optional();
    }

    public Optional<Instruction> find(UUID id) {
        return jdbc.sql(SELECT + " WHERE instruction_id = ?")
                .param(id)
                .query(InstructionRepository::map)
                .optional();
    }

    public List<Instruction> list(String agent, String predictor) {
        return jdbc.sql(SELECT
                        + " WHERE (?::text IS NULL OR agent_name = ?) AND (?::text IS NULL OR predictor_name = ?)"
                        + " ORDER BY agent_name, predictor_name, version DESC LIMIT 500")
                .params(agent, agent, predictor, predictor)
                .query(InstructionRepository::map)
                .list();
    }

    /**
     * Registers a version, or returns the existing one with the same text (same SHA-256) for this agent/predictor.
     * Must run in a transaction; versions are numbered under a per-predictor advisory lock.
     */
    public Instruction register(
            String agent,
            String predictor,
            String text,
            String optimizerType,
            UUID runId,
            UUID candidateId,
            Double valScore,
            List<Integer> parentIndices,
            List<UUID> parentInstructionIds) {
        String hash = InstructionHash.of(text);
        jdbc.sql("SELECT pg_advisory_xact_lock(hashtext(?))")
                .param(agent + "/" + predictor)
                .query()
                .singleRow();
        Optional<Instruction> existing = jdbc.sql(SELECT
                        + " WHERE agent_name = ? AND predictor_name IS NOT DISTINCT FROM ? AND instruction_hash = ?")
                .params(agent, predictor, hash)
                .query(InstructionRepository::map)
                .optional();
        if (existing.isPresent()) return existing.get();
        int version = jdbc.sql("SELECT coalesce(max(version), 0) + 1 FROM optimizer.optimized_instructions"
                        + " WHERE agent_name = ? AND predictor_name IS NOT DISTINCT FROM ?")
                .params(agent, predictor)
                .query(Integer.class)
                .single();
        UUID id = UUID.randomUUID();
        jdbc.sql("""
                        INSERT INTO optimizer.optimized_instructions
                               (instruction_id, run_id, candidate_id, agent_name, predictor_name, version, instruction_text,
                                instruction_hash, optimizer_type, val_score, parent_indices, parent_instruction_ids)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?::optimizer.optimizer_type, ?, ?::int[], ?::uuid[])
                        """)
                .params(
                        id,
                        runId,
                        candidateId,
                        agent,
                        predictor,
                        version,
                        text,
                        hash,
                        optimizerType,
                        valScore,
                        pgArray(parentIndices),
                        pgArray(parentInstructionIds))
                .update();
        return find(id).orElseThrow();
    }

    /** Makes {@code id} the active instruction of its agent/predictor; false if it is unknown. */
    public boolean activate(UUID id) {
        Optional<Instruction> target = find(id);
        if (target.isEmpty()) return false;
        Instruction t = target.get();
        jdbc.sql("""
                        UPDATE optimizer.optimized_instructions SET is_active = false, deactivated_at = now()
                         WHERE agent_name = ? AND predictor_name IS NOT DISTINCT FROM ? AND is_active AND instruction_id <> ?
                        """).params(t.agentName(), t.predictorName(), id).update();
        jdbc.sql("UPDATE optimizer.optimized_instructions SET is_active = true, activated_at = now()"
                        + " WHERE instruction_id = ? AND NOT is_active")
                .param(id)
                .update();
        return true;
    }

    /** Keeps the latest routing of an agent/predictor: its active instruction and the A/B test in flight, if any. */
    public void recordRouting(
            String agent,
            String predictor,
            UUID activeInstructionId,
            String runningTestId,
            String eventId,
            Instant occurredAt) {
        jdbc.sql("""
                        INSERT INTO optimizer.routing_state
                               (agent_name, predictor_name, active_instruction_id, running_test_id, routing_event_id, routed_at)
                        VALUES (?, ?, ?, ?, ?, ?)
                        ON CONFLICT ON CONSTRAINT routing_state_predictor_key DO UPDATE
                           SET active_instruction_id = EXCLUDED.active_instruction_id,
                               running_test_id = EXCLUDED.running_test_id,
                               routing_event_id = EXCLUDED.routing_event_id,
                               routed_at = EXCLUDED.routed_at, updated_at = now()
                        """)
                .params(
                        agent,
                        predictor,
                        activeInstructionId,
                        runningTestId,
                        eventId,
                        java.sql.Timestamp.from(occurredAt))
                .update();
    }

    static String pgArray(List<?> values) {
        if (values == null) return null;
        StringBuilder out = new StringBuilder("{");
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) out.append(',');
            out.append(values.get(i));
        }
        return out.append('}').toString();
    }

    private static final String SELECT = """
            SELECT instruction_id, agent_name, predictor_name, version, instruction_text, instruction_hash,
                   optimizer_type::text, is_active, val_score, run_id, parent_instruction_ids, created_at
              FROM optimizer.optimized_instructions
            """;

    private static Instruction map(java.sql.ResultSet rs, int n) throws java.sql.SQLException {
        Array parents = rs.getArray(11);
        List<UUID> parentIds = parents == null ? List.of() : List.of((UUID[]) parents.getArray());
        return new Instruction(
                rs.getObject(1, UUID.class),
                rs.getString(2),
                rs.getString(3),
                rs.getInt(4),
                rs.getString(5),
                rs.getString(6),
                rs.getString(7),
                rs.getBoolean(8),
                rs.getObject(9) == null ? null : rs.getDouble(9),
                rs.getObject(10, UUID.class),
                parentIds,
                rs.getTimestamp(12).toInstant());
    }
}
