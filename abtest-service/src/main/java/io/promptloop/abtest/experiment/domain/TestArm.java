package io.promptloop.abtest.experiment.domain;

import java.util.UUID;

/**
 * One arm of a test: arm 0 is the baseline, arms 1..K the treatments (labels {@code treatment}, {@code treatment_2}
 * .. {@code treatment_8}).
 *
 * @param index 0 for the baseline, 1..K in the order of the cumulative assignment rule
 * @param variant the arm's label in observations and statistics
 * @param instructionId the instruction the arm serves
 * @param weight share of units assigned to the arm while the test runs, in (0, 1)
 */
public record TestArm(int index, String variant, UUID instructionId, double weight) {

    /** The most treatments a test may have (labels up to {@code treatment_8}). */
    public static final int MAX_TREATMENTS = 8;

    public TestArm {
        if (index < 0 || index > MAX_TREATMENTS || variant == null || instructionId == null) {
            throw new IllegalArgumentException(
                    "an arm needs an index 0.." + MAX_TREATMENTS + ", a label and an instruction");
        }
    }

    /** The label of arm {@code index}: baseline, treatment, treatment_2, ... */
    public static String label(int index) {
        return index == 0 ? "baseline" : index == 1 ? "treatment" : "treatment_" + index;
    }
}
