package io.promptloop.optimizer.run.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MinibatchesTest {

    private final List<String> train = List.of("a", "b", "c", "d", "e", "f", "g");

    @Test
    void shouldUseEveryExampleOncePerEpoch() {
        List<String> firstEpoch = new ArrayList<>();
        // 7 examples, batches of 3: positions 0..20 are three whole epochs
        for (int t = 0; t < 7; t++) firstEpoch.addAll(Minibatches.forIteration(train, t, 3, 11));
        assertThat(firstEpoch.subList(0, 7)).containsExactlyInAnyOrderElementsOf(train);
        assertThat(firstEpoch.subList(7, 14)).containsExactlyInAnyOrderElementsOf(train);
        assertThat(firstEpoch.subList(14, 21)).containsExactlyInAnyOrderElementsOf(train);
    }

    @Test
    void shouldDependOnlyOnSeedAndIteration() {
        assertThat(Minibatches.forIteration(train, 5, 3, 11)).isEqualTo(Minibatches.forIteration(train, 5, 3, 11));
        assertThat(Minibatches.epoch(train, 0, 11)).isNotEqualTo(Minibatches.epoch(train, 1, 11));
    }

    @Test
    void shouldCapTheBatchAtTheTrainSetSize() {
        assertThat(Minibatches.forIteration(List.of("x", "y"), 0, 3, 1)).containsExactlyInAnyOrder("x", "y");
    }
}
