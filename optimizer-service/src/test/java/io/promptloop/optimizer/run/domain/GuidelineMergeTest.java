package io.promptloop.optimizer.run.domain;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GuidelineMergeTest {

    private static final String SEED = "You are an HR assistant.";
    private static final String HEADER = "\n\nGuidelines learned from feedback:\n";

    @Test
    void shouldUniteTheGuidelinesEachBranchLearnedSinceTheCommonAncestor() {
        String first = SEED + HEADER + "- cite the policy section\n- give a concrete next step";
        String second = SEED + HEADER + "- keep medical details confidential\n- give a concrete next step";

        assertThat(GuidelineMerge.merge(SEED, first, second))
                .isEqualTo(
                        SEED + HEADER
                                + "- cite the policy section\n- give a concrete next step\n- keep medical details confidential");
    }

    @Test
    void shouldKeepTheAncestorsLinesThatTheSecondBranchDropped() {
        String ancestor = SEED + HEADER + "- be brief";
        String first = ancestor + "\n- cite the policy section";
        String second = SEED + HEADER + "- ask for documentation";

        assertThat(GuidelineMerge.merge(ancestor, first, second)).isEqualTo(first + "\n- ask for documentation");
    }

    @Test
    void shouldReturnTheFirstWhenTheSecondAddedNothingNew() {
        String first = SEED + HEADER + "- a\n- b";
        assertThat(GuidelineMerge.merge(SEED, first, SEED + HEADER + "- b")).isEqualTo(first);
        assertThat(GuidelineMerge.merge(null, "x", "x")).isEqualTo("x");
    }
}
