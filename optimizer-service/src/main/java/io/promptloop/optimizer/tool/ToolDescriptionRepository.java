package io.promptloop.optimizer.tool;

import io.promptloop.optimizer.instruction.domain.InstructionHash;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Tool descriptions per agent and tool: an operator's baselines and the descriptions that runs with tool optimization
 * produced. SHA-256 deduplication per agent/tool, and at most one active description per agent/tool (a partial
 * unique index in PostgreSQL guarantees it). Runs start from the active ones.
 */
@Repository
public class ToolDescriptionRepository {

    private final JdbcClient jdbc;

    public ToolDescriptionRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * @param originalDescription the description a run started from (null for an operator's baseline)
     * @param accuracy mean validation score of the run's best candidate, which carried this description
     */
    public record ToolDescription(
            UUID id,
            String agentName,
            String toolName,
            String description,
            String originalDescription,
            String hash,
            Double accuracy,
            boolean active,
            UUID runId,
            Instant createdAt) {}

    /** The active description of every tool of the agent, by tool name (sorted). */
    public Map<String, String> active(String agent) {
        Map<String, String> tools = new LinkedHashMap<>();
        jdbc.sql(SELECT + " WHERE agent_name = ? AND is_active ORDER BY tool_name")
                .param(agent)
                .query(ToolDescriptionRepository::map)
                .list()
                .forEach(t -> tools.put(t.toolName(), t.description()));
        return tools;
    }

    public List<ToolDescription> list(String agent, String tool) {
        return jdbc.sql(SELECT + " WHERE (?::text IS NULL OR agent_name = ?) AND (?::text IS NULL OR tool_name = ?)"
                        + " ORDER BY agent_name, tool_name, created_at DESC LIMIT 500")
                .params(agent, agent, tool, tool)
                .query(ToolDescriptionRepository::map)
                .list();
    }

    public Optional<ToolDescription> find(UUID id) {
        return jdbc.sql(SELECT + " WHERE tool_description_id = ?")
                .param(id)
                .query(ToolDescriptionRepository::map)
                .optional();
    }

    /**
     * Registers a description, or returns the existing one with the same text (same SHA-256) for this agent/tool.
     * Must run in a transaction (serialised per agent/tool by an advisory lock).
     */
    public ToolDescription register(
            String agent, String tool, String description, String originalDescription, UUID runId, Double accuracy) {
        String hash = InstructionHash.of(description);
        jdbc.sql("SELECT pg_advisory_xact_lock(hashtext(?))")
                .param("tool:" + agent + "/" + tool)
                .query()
                .singleRow();
        Optional<ToolDescription> existing = jdbc.sql(
                        SELECT + " WHERE agent_name = ? AND tool_name = ? AND description_hash = ?")
                .params(agent, tool, hash)
                .query(ToolDescriptionRepository::map)
                .optional();
        if (existing.isPresent()) return existing.get();
        UUID id = UUID.randomUUID();
        jdbc.sql("""
                        INSERT INTO optimizer.optimized_tool_descriptions
                               (tool_description_id, run_id, agent_name, tool_name, description_text, original_description,
                                description_hash, tool_selection_accuracy)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        """)
                .params(id, runId, agent, tool, description, originalDescription, hash, accuracy)
                .update();
        return find(id).orElseThrow();
    }

    /** Makes {@code id} the active description of its agent/tool; false if it is unknown. */
    public boolean activate(UUID id) {
        Optional<ToolDescription> target = find(id);
        if (target.isEmpty()) return false;
        jdbc.sql("""
                        UPDATE optimizer.optimized_tool_descriptions SET is_active = false
                         WHERE agent_name = ? AND tool_name = ? AND is_active AND tool_description_id <> ?
                        """)
                .params(target.get().agentName(), target.get().toolName(), id)
                .update();
        jdbc.sql("UPDATE optimizer.optimized_tool_descriptions SET is_active = true, activated_at = now()"
                        + " WHERE tool_description_id = ? AND NOT is_active")
                .param(id)
                .update();
        return true;
    }

    private static final String SELECT = """
            SELECT tool_description_id, agent_name, tool_name, description_text, original_description, description_hash,
                   tool_selection_accuracy, is_active, run_id, created_at
              FROM optimizer.optimized_tool_descriptions
            """;

    private static ToolDescription map(java.sql.ResultSet rs, int n) throws java.sql.SQLException {
        return new ToolDescription(
                rs.getObject(1, UUID.class),
                rs.getString(2),
                rs.getString(3),
                rs.getString(4),
                rs.getString(5),
                rs.getString(6),
                rs.getObject(7) == null ? null : rs.getDouble(7),
                rs.getBoolean(8),
                rs.getObject(9, UUID.class),
                rs.getTimestamp(10).toInstant());
    }
}
