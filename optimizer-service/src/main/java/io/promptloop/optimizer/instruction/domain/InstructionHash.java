package io.promptloop.optimizer.instruction.domain;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/** SHA-256 of an instruction's exact text, lower-case hex: the identity used to deduplicate versions. */
public final class InstructionHash {

    private InstructionHash() {}

    /**
     * The identity of a candidate system: the instruction's hash when no tool description goes with it, otherwise
     * the SHA-256 of the instruction and every {@code (tool, description)} in tool-name order, each part
     * NUL-separated (with the lengths, so that no two different systems share an encoding). Scores are reused by this identity.
     */
    public static String ofSystem(String instruction, Map<String, String> toolDescriptions) {
        if (toolDescriptions == null || toolDescriptions.isEmpty()) return of(instruction);
        StringBuilder encoded = new StringBuilder()
                .append(instruction.length())
                .append('\u0000')
                .append(instruction);
        new TreeMap<>(toolDescriptions)
                .forEach((tool, description) -> encoded.append('\u0000')
                        .append(tool.length())
                        .append('\u0000')
                        .append(tool)
                        .append('\u0000')
                        .append(description.length())
                        .append('\u0000')
                        .append(description));
        return of(encoded.toString());
    }

    public static String of(String text) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
