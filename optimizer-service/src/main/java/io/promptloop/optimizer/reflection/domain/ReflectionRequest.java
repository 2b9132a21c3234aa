package io.promptloop.optimizer.reflection.domain;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What a reflector is asked to improve, and the evidence for it.
 *
 * @param agentName the agent the instruction belongs to
 * @param predictorName the predictor inside the agent, or null for its main instruction
 * @param currentInstruction the parent candidate's instruction
 * @param examples the parent's results on the minibatch
 * @param toolDescriptions current tool descriptions by tool name (empty when tools are not optimized); kept
 *     sorted by name so that everything derived from it is deterministic
 * @param iteration the GEPA iteration asking
 */
public record ReflectionRequest(
        String agentName,
        String predictorName,
        String currentInstruction,
        List<ReflectionExample> examples,
        Map<String, String> toolDescriptions,
        int iteration) {

    public ReflectionRequest {
        Objects.requireNonNull(agentName, "agentName");
        Objects.requireNonNull(currentInstruction, "currentInstruction");
        examples = List.copyOf(examples);
        toolDescriptions = sortedCopy(toolDescriptions);
    }

    static Map<String, String> sortedCopy(Map<String, String> map) {
        if (map == null) return Map.of();
        TreeMap<String, String> sorted = new TreeMap<>();
        map.forEach((name, description) -> sorted.put(
                Objects.requireNonNull(name, "tool name"),
                Objects.requireNonNull(description, () -> "description of tool " + name)));
        return Collections.unmodifiableMap(sorted);
    }
}
