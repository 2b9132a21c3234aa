package io.promptloop.optimizer.reflection.domain;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A reflector's answer.
 *
 * @param instruction the proposed new instruction
 * @param toolDescriptions proposed tool descriptions: the request's keys, or empty when the reflector proposes
 *     none
 * @param analysis free text on why (null is read as empty)
 * @param weaknesses short list of what was wrong with the current instruction; stored as the run's weakness
 *     analysis
 */
public record Proposal(
        String instruction, Map<String, String> toolDescriptions, String analysis, List<String> weaknesses) {

    public Proposal {
        Objects.requireNonNull(instruction, "instruction");
        if (instruction.isBlank()) throw new IllegalArgumentException("a proposed instruction must not be blank");
        toolDescriptions = ReflectionRequest.sortedCopy(toolDescriptions);
        analysis = analysis == null ? "" : analysis;
        weaknesses = weaknesses == null ? List.of() : List.copyOf(weaknesses);
    }
}
