package io.promptloop.optimizer.run.domain;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * GEPA's system-aware merge for a single-instruction system. In a system of several modules, GEPA's merge takes
 * each module from whichever of two descendants changed it relative to their common ancestor; with one
 * instruction both descendants changed the same module, so the merge works one level down, on lines: the merged
 * text is the first descendant followed by every line that the second added relative to the ancestor and the
 * first does not have — for the reflectors' guideline lists, the union of the guidelines each branch learned.
 * Source: Agrawal et al., "GEPA: Reflective Prompt Evolution Can Outperform Reinforcement Learning" (2025),
 * section 3 "System-aware merge", and the reference implementation's {@code MergeProposer}.
 */
public final class GuidelineMerge {

    private GuidelineMerge() {}

    /**
     * @return the merge of {@code first} and {@code second}, which both descend from {@code ancestor}; equal to
     *     {@code first} when {@code second} added nothing that {@code first} lacks
     */
    public static String merge(String ancestor, String first, String second) {
        Set<String> known = new LinkedHashSet<>(lines(ancestor));
        known.addAll(lines(first));
        List<String> added = new ArrayList<>();
        for (String line : lines(second)) {
            if (line.isBlank() || known.contains(line)) continue;
            known.add(line);
            added.add(line);
        }
        if (added.isEmpty()) return first;
        return first.stripTrailing() + "\n" + String.join("\n", added);
    }

    private static List<String> lines(String text) {
        return text == null ? List.of() : List.of(text.split("\n", -1));
    }
}
