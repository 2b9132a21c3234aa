package io.promptloop.optimizer.run.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ParetoFrontTest {

    @Test
    void shouldKeepTheBestCandidateOfEveryExampleWithItsCount() {
        double[][] scores = {
            // e0   e1   e2   e3
            {0.2, 0.2, 0.2, 0.2}, // c0: best nowhere
            {0.9, 0.9, 0.1, 0.1}, // c1: best on e0, e1
            {0.1, 0.5, 0.8, 0.3}, // c2: best on e2
            {0.5, 0.1, 0.1, 0.7}, // c3: best on e3
        };
        assertThat(ParetoFront.of(scores).frequency()).isEqualTo(Map.of(1, 2, 2, 1, 3, 1));
    }

    @Test
    void shouldDropACandidateThatIsOnAFrontButDominated() {
        double[][] scores = {
            // e0   e1   e2
            {0.9, 0.4, 0.1}, // c0: ties c1 on e0 (front), but c1 is >= everywhere and > on e1: dominated
            {0.9, 0.6, 0.1}, // c1: best on e0, e1
            {0.1, 0.1, 0.7}, // c2: best on e2
        };
        assertThat(ParetoFront.of(scores).frequency()).isEqualTo(Map.of(1, 2, 2, 1));
    }

    @Test
    void shouldKeepEqualCandidatesBothBecauseNeitherDominates() {
        double[][] scores = {{0.5, 0.5}, {0.5, 0.5}};
        assertThat(ParetoFront.of(scores).frequency()).isEqualTo(Map.of(0, 2, 1, 2));
    }

    @Test
    void shouldSampleParentsInProportionToFrontMembership() {
        double[][] scores = {
            {1, 1, 1, 0}, // c0 best on 3 of 4 examples
            {0, 0, 0, 1}, // c1 best on 1
        };
        ParetoFront front = ParetoFront.of(scores);
        SplittableRandom random = new SplittableRandom(42);
        Map<Integer, Integer> picks = new HashMap<>();
        int draws = 40_000;
        for (int i = 0; i < draws; i++) picks.merge(front.sample(random), 1, Integer::sum);
        // expected 3/4 and 1/4; 5 standard deviations of a binomial(40000, 0.25) is about 433
        assertThat(picks.get(0)).isBetween(30_000 - 433, 30_000 + 433);
        assertThat(picks.get(1)).isBetween(10_000 - 433, 10_000 + 433);
    }
}
