package io.promptloop.abtest.instruction;

import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Read-only view of the optimizer's instruction registry (the abtest role may SELECT optimizer.*). */
@Repository
public class InstructionCatalog {

    private static final String COLUMNS =
            "instruction_id, agent_name, predictor_name, version, instruction_text, instruction_hash, is_active";

    private final JdbcClient jdbc;

    public InstructionCatalog(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** One version of an agent/predictor's instruction. */
    public record Instruction(
            UUID id, String agentName, String predictorName, int version, String text, String hash, boolean active) {

        public boolean belongsTo(String agent, String predictor) {
            return agentName.equals(agent) && java.util.Objects.equals(predictorName, predictor);
        }
    }

    public Optional<Instruction> find(UUID id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM optimizer.optimized_instructions WHERE instruction_id = ?")
                .param(id)
                .query(InstructionCatalog::map)
                .optional();
    }

    public Optional<Instruction> active(String agentName, String predictorName) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM optimizer.optimized_instructions WHERE agent_name = ?"
                        + " AND predictor_name IS NOT DISTINCT FROM ? AND is_active")
                .params(agentName, predictorName)
                .query(InstructionCatalog::map)
                .optional();
    }

    private static Instruction map(java.sql.ResultSet rs, int row) throws java.sql.SQLException {
        return new Instruction(
                rs.getObject("instruction_id", UUID.class),
                rs.getString("agent_name"),
                rs.getString("predictor_name"),
                rs.getInt("version"),
                rs.getString("instruction_text"),
                rs.getString("instruction_hash"),
                rs.getBoolean("is_active"));
    }
}
