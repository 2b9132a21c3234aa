package io.promptloop.optimizer.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.promptloop.optimizer.run.persistence.RunStore.CandidateRow;
import io.promptloop.optimizer.run.persistence.RunStore.ScoreValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class RunFactsTest {

    @Test
    void shouldHoldWhatWasReadInPartsExactlyAsOneReadOfTheWhole() {
        SplittableRandom random = new SplittableRandom(3);
        List<CandidateRow> candidates = new ArrayList<>();
        List<ScoreValue> scores = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            candidates.add(candidate(i, i == 0 ? "seed" : i % 7 == 0 ? "merge" : "reflection", i));
            for (int e = 0; e < 5; e++)
                scores.add(new ScoreValue(candidates.get(i).id(), "e" + e, random.nextDouble(), scores.size() + 1));
        }
        RunFacts whole = new RunFacts();
        assertThat(whole.addCandidates(candidates)).isTrue();
        assertThat(whole.addScores(scores, scores.size())).isTrue();

        RunFacts parts = new RunFacts();
        int c = 0;
        int s = 0;
        while (c < candidates.size() || s < scores.size()) {
            // a step reads the candidates from the first index not held, then the scores after the last position held
            int nextC = Math.min(candidates.size(), c + random.nextInt(4));
            assertThat(parts.addCandidates(candidates.subList(c, nextC))).isTrue();
            c = nextC;
            int nextS = Math.min(5 * c, s + random.nextInt(12));
            assertThat(parts.addScores(scores.subList(s, nextS), nextS)).isTrue();
            assertThat(parts.scoreSeq()).isEqualTo(nextS);
            s = nextS;
        }

        assertThat(parts.rows()).isEqualTo(whole.rows());
        assertThat(parts.candidates()).isEqualTo(whole.candidates());
        assertThat(parts.scores()).isEqualTo(whole.scores());
        assertThat(parts.reflections()).isEqualTo(whole.reflections()).hasSize(199);
        assertThat(parts.scoreSeq()).isEqualTo(whole.scoreSeq()).isEqualTo(1_000);
        assertThat(parts.textChars()).isEqualTo(whole.textChars()).isPositive();
    }

    @Test
    void shouldRefuseCandidatesThatDoNotContinueTheOnesHeld() {
        RunFacts facts = new RunFacts();
        assertThat(facts.addCandidates(List.of(candidate(0, "seed", 0), candidate(1, "reflection", 0))))
                .isTrue();

        assertThat(new RunFacts().addCandidates(List.of(candidate(1, "reflection", 0))))
                .as("index 0 missing")
                .isFalse();
        assertThat(copyOf(facts).addCandidates(List.of(candidate(3, "reflection", 2))))
                .as("a gap")
                .isFalse();
        assertThat(copyOf(facts).addCandidates(List.of(facts.rows().get(1))))
                .as("an index held already")
                .isFalse();
        assertThat(copyOf(facts).addCandidates(List.of(candidate(2, "reflection", 1))))
                .isTrue();
    }

    @Test
    void shouldIgnoreAScoreReadTwiceButRefuseOneThatChangesOrNamesAnUnknownCandidate() {
        RunFacts facts = new RunFacts();
        CandidateRow seed = candidate(0, "seed", 0);
        facts.addCandidates(List.of(seed));
        assertThat(facts.addScores(List.of(new ScoreValue(seed.id(), "v1", 0.5, 4)), 4))
                .isTrue();

        assertThat(facts.addScores(List.of(new ScoreValue(seed.id(), "v1", 0.5, 4)), 4))
                .as("overlapping reads")
                .isTrue();
        assertThat(facts.scores()).isEqualTo(Map.of(0, Map.of("v1", 0.5)));
        assertThat(facts.addScores(List.of(new ScoreValue(seed.id(), "v1", 0.7, 5)), 5))
                .as("a held score rewritten")
                .isFalse();

        RunFacts other = new RunFacts();
        other.addCandidates(List.of(seed));
        assertThat(other.addScores(List.of(new ScoreValue(UUID.randomUUID(), "v1", 0.5, 1)), 1))
                .as("a candidate not held")
                .isFalse();
    }

    @Test
    void shouldHoldThePositionOfTheReadWhenItIsAheadOfTheLastScoreSeen() {
        RunFacts facts = new RunFacts();
        CandidateRow seed = candidate(0, "seed", 0);
        facts.addCandidates(List.of(seed));
        assertThat(facts.scoreSeq()).isEqualTo(-1);

        // a duplicate answer takes a position and writes no score: the run's position is ahead of the last score
        facts.addScores(List.of(new ScoreValue(seed.id(), "v1", 0.5, 2)), 3);

        assertThat(facts.scoreSeq()).isEqualTo(3);
        facts.addScores(List.of(), 3);
        assertThat(facts.scoreSeq()).isEqualTo(3);
    }

    static CandidateRow candidate(int index, String origin, int iteration) {
        return new CandidateRow(
                UUID.nameUUIDFromBytes(("c" + index).getBytes()),
                index,
                "instruction " + index,
                "0".repeat(64),
                index == 0 ? List.of() : List.of(UUID.nameUUIDFromBytes(("c" + (index - 1)).getBytes())),
                index == 0 ? List.of() : List.of(index - 1),
                origin,
                iteration,
                null,
                null,
                index % 3 == 0 ? Map.of("lookup", "looks up " + index) : Map.of());
    }

    private static RunFacts copyOf(RunFacts facts) {
        RunFacts copy = new RunFacts();
        copy.addCandidates(facts.rows());
        return copy;
    }
}
