package io.promptloop.optimizer.run;

import static io.promptloop.optimizer.run.RunFactsTest.candidate;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.promptloop.optimizer.run.persistence.RunStore;
import io.promptloop.optimizer.run.persistence.RunStore.CandidateRow;
import io.promptloop.optimizer.run.persistence.RunStore.RunRow;
import io.promptloop.optimizer.run.persistence.RunStore.ScoreValue;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The read a step makes: in full the first time, then only what is new (nothing at all for scores when the run's
 * position has not moved), and in full again when what is read does not continue what is held. The store is a
 * stand-in that answers like PostgreSQL from an append-only list of candidates and scores.
 */
class SteppedRunsTest {

    private final UUID runId = UUID.randomUUID();
    private final List<CandidateRow> candidates = new ArrayList<>();
    private final List<ScoreValue> scores = new ArrayList<>();
    private long lastScoreSeq;
    private RunStore store;

    @BeforeEach
    void store() {
        store = mock(RunStore.class);
        when(store.candidates(runId)).thenAnswer(i -> List.copyOf(candidates));
        when(store.candidatesFrom(any(), anyInt()))
                .thenAnswer(i -> List.copyOf(
                        candidates.subList(Math.min(candidates.size(), i.getArgument(1)), candidates.size())));
        when(store.scoreValues(runId)).thenAnswer(i -> List.copyOf(scores));
        when(store.scoreValuesAfter(any(), anyLong()))
                .thenAnswer(i -> scores.stream()
                        .filter(s -> s.seq() > (long) i.getArgument(1))
                        .toList());
        record(candidate(0, "seed", 0));
        score(0, "v1", 0.4);
        score(0, "v2", 0.6);
    }

    @Test
    void shouldReadARunInFullOnceThenOnlyWhatWasRecordedSince() {
        SteppedRuns runs = new SteppedRuns(store);
        runs.refresh(run());
        record(candidate(1, "reflection", 0));
        score(1, "t1", 0.9);

        RunFacts facts = runs.refresh(run()).facts();

        assertThat(runs.fullReads()).isEqualTo(1);
        assertThat(runs.incrementalReads()).isEqualTo(1);
        verify(store).candidatesFrom(runId, 1);
        verify(store).scoreValuesAfter(runId, 2);
        assertThat(facts.rows()).isEqualTo(candidates);
        assertThat(facts.scores()).isEqualTo(fullRead().scores());
        assertThat(facts.reflections()).isEqualTo(java.util.Map.of(0, 1));
    }

    @Test
    void shouldNotReadScoresWhileTheRunsPositionStaysWhereTheLastReadLeftIt() {
        SteppedRuns runs = new SteppedRuns(store);
        runs.refresh(run());
        runs.refresh(run());
        runs.refresh(run());

        verify(store, never()).scoreValuesAfter(any(), anyLong());
        verify(store, times(2)).candidatesFrom(runId, 1);
    }

    @Test
    void shouldTakeInWhatAnotherReplicaRecordedWhileItSteppedTheRun() {
        SteppedRuns here = new SteppedRuns(store);
        here.refresh(run());
        // the other replica steps the run a while: new candidates, copied scores, answers (one a duplicate: a gap)
        for (int i = 1; i <= 5; i++) {
            record(candidate(i, i == 3 ? "merge" : "reflection", i - 1));
            score(i, "t1", i / 10.0);
            score(i, "t2", i / 20.0);
            if (i == 2) lastScoreSeq++;
        }

        RunFacts facts = here.refresh(run()).facts();

        assertThat(here.fullReads()).isEqualTo(1);
        RunFacts full = fullRead();
        assertThat(facts.rows()).isEqualTo(full.rows());
        assertThat(facts.candidates()).isEqualTo(full.candidates());
        assertThat(facts.scores()).isEqualTo(full.scores());
        assertThat(facts.reflections()).isEqualTo(full.reflections());
        assertThat(facts.scoreSeq()).isEqualTo(lastScoreSeq).isEqualTo(13);
    }

    @Test
    void shouldReadInFullWhenTheRunsPositionIsBehindTheOneHeld() {
        SteppedRuns runs = new SteppedRuns(store);
        runs.refresh(run());
        lastScoreSeq = 1; // a run row restored from a backup, say: what is held may be ahead of the database
        scores.removeLast();

        RunFacts facts = runs.refresh(run()).facts();

        assertThat(runs.fullReads()).isEqualTo(2);
        assertThat(facts.scores()).isEqualTo(java.util.Map.of(0, java.util.Map.of("v1", 0.4)));
    }

    @Test
    void shouldReadInFullWhenNewCandidatesDoNotContinueTheOnesHeld() {
        SteppedRuns runs = new SteppedRuns(store);
        runs.refresh(run());
        when(store.candidatesFrom(runId, 1)).thenReturn(List.of(candidate(2, "reflection", 1)));

        runs.refresh(run());

        assertThat(runs.fullReads()).isEqualTo(2);
        verify(store, times(2)).candidates(runId);
    }

    @Test
    void shouldReadInFullWhenAScoreHeldIsReadWithAnotherValue() {
        SteppedRuns runs = new SteppedRuns(store);
        runs.refresh(run());
        scores.set(0, new ScoreValue(candidates.getFirst().id(), "v1", 0.1, 1));
        lastScoreSeq++;
        scores.add(new ScoreValue(candidates.getFirst().id(), "v1", 0.1, lastScoreSeq));

        RunFacts facts = runs.refresh(run()).facts();

        assertThat(runs.fullReads()).isEqualTo(2);
        assertThat(facts.scores().get(0)).containsEntry("v1", 0.1);
    }

    @Test
    void shouldRefuseAFullReadWhoseScoresNameACandidateItDidNotRead() {
        scores.add(new ScoreValue(UUID.randomUUID(), "v1", 0.5, ++lastScoreSeq));

        assertThatThrownBy(() -> new SteppedRuns(store).refresh(run())).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void shouldReadARunInFullAgainAfterItWasForgotten() {
        SteppedRuns runs = new SteppedRuns(store);
        runs.refresh(run());
        runs.forget(runId);

        runs.refresh(run());

        assertThat(runs.fullReads()).isEqualTo(2);
    }

    @Test
    void shouldDropTheLeastRecentlySteppedRunsBeyondItsBounds() {
        RunStore empty = mock(RunStore.class);
        when(empty.candidates(any())).thenReturn(List.of(candidate(0, "seed", 0)));
        SteppedRuns byCount = new SteppedRuns(empty, 2, Long.MAX_VALUE);
        UUID a = UUID.randomUUID();
        UUID b = UUID.randomUUID();
        UUID c = UUID.randomUUID();
        byCount.refresh(run(a, 0));
        byCount.refresh(run(b, 0));
        byCount.refresh(run(a, 0)); // a stepped after b
        byCount.refresh(run(c, 0));
        assertThat(byCount.holds(a)).isTrue();
        assertThat(byCount.holds(b)).isFalse();
        assertThat(byCount.holds(c)).isTrue();

        long oneRun = new SteppedRuns(empty).refresh(run(a, 0)).facts().textChars();
        SteppedRuns byText = new SteppedRuns(empty, 64, 2 * oneRun);
        byText.refresh(run(a, 0));
        byText.refresh(run(b, 0));
        byText.refresh(run(c, 0));
        assertThat(byText.holds(a)).isFalse();
        assertThat(byText.holds(b)).isTrue();
        assertThat(byText.holds(c)).isTrue();

        SteppedRuns tiny = new SteppedRuns(empty, 64, 1);
        tiny.refresh(run(a, 0));
        assertThat(tiny.holds(a))
                .as("the run just stepped stays, whatever its size")
                .isTrue();
    }

    private void record(CandidateRow candidate) {
        candidates.add(candidate);
    }

    private void score(int candidate, String example, double value) {
        scores.add(new ScoreValue(candidates.get(candidate).id(), example, value, ++lastScoreSeq));
    }

    private RunFacts fullRead() {
        RunFacts facts = new RunFacts();
        facts.addCandidates(candidates);
        facts.addScores(scores, lastScoreSeq);
        return facts;
    }

    private RunRow run() {
        return run(runId, lastScoreSeq);
    }

    static RunRow run(UUID runId, long lastScoreSeq) {
        return TestRunRows.run(runId, "agent", "light", 500, 1L, "running", 0, 3, null, "{}", lastScoreSeq);
    }
}
