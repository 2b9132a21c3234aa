package io.promptloop.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import io.promptloop.avro.session.TurnRecorded;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The generator's helpers only; the benchmark itself never runs in the test command. */
class TurnEventsTest {

    @Test
    void shouldGiveEverySessionContiguousTurnsOfAtMostTwentyForAnyCount() {
        for (long count : new long[] {1, 19, 20, 21, 999, 1_000, 2_345, 40_001}) {
            for (int concurrent : new int[] {1, 7, 100}) {
                TurnEvents events = new TurnEvents(42, count, concurrent);
                Map<Long, Set<Integer>> turns = new HashMap<>();
                for (long i = 0; i < count; i++) {
                    TurnEvents.Slot slot = events.slot(i);
                    assertThat(turns.computeIfAbsent(slot.session(), s -> new TreeSet<>())
                                    .add(slot.turn()))
                            .as("turn %d of session %d is unique", slot.turn(), slot.session())
                            .isTrue();
                }
                assertThat(turns).hasSize((int) events.sessions());
                for (Set<Integer> t : turns.values()) {
                    assertThat(t.size()).isBetween(1, TurnEvents.TURNS_PER_SESSION);
                    assertThat(t).first().isEqualTo(1);
                    assertThat(((TreeSet<Integer>) t).last()).isEqualTo(t.size());
                }
            }
        }
    }

    @Test
    void shouldRegenerateTheSameEventFromTheSameSeedAndIndex() {
        TurnEvents a = new TurnEvents(7, 5_000, 100);
        TurnEvents b = new TurnEvents(7, 5_000, 100);
        TurnEvents other = new TurnEvents(8, 5_000, 100);
        assertThat(a.event(4_321)).isEqualTo(b.event(4_321));
        assertThat(a.event(4_321).getEventId()).isNotEqualTo(other.event(4_321).getEventId());
        Set<String> ids = new HashSet<>();
        for (long i = 0; i < 5_000; i++) ids.add(a.event(i).getEventId());
        assertThat(ids).hasSize(5_000);
    }

    @Test
    void shouldHaveSeedThreeSizes() {
        TurnEvents events = new TurnEvents(42, 1_000, 50);
        long user = 0;
        long response = 0;
        long chunk = 0;
        for (long i = 0; i < 1_000; i++) {
            TurnRecorded t = (TurnRecorded) events.event(i).getPayload();
            user += t.getUserMessage().length();
            response += t.getAgentResponse().length();
            assertThat(t.getSearchResults()).hasSize(3);
            for (var r : t.getSearchResults()) {
                chunk += r.getChunkText().length();
                assertThat(r.getSimilarity()).isBetween(0.0, 1.0);
            }
            assertThat(t.getAvgSimilarity()).isBetween(0.0, 1.0);
            assertThat(t.getConfidenceScore()).isBetween(0.0, 1.0);
        }
        assertThat(user / 1_000).isBetween(90L, 110L);
        assertThat(response / 1_000).isBetween(450L, 550L);
        assertThat(chunk / 3_000).isBetween(180L, 220L);
    }

    @Test
    void shouldFindTheSteadyStateBetweenTenAndNinetyPercent() {
        var samples = java.util.List.of(
                new long[] {0, 0}, new long[] {1_000_000_000L, 10}, new long[] {2_000_000_000L, 50}, new long[] {
                    3_000_000_000L, 95
                });
        double[] steady = Harness.steadyState(samples, 100);
        assertThat(steady).containsExactly(85.0, 2.0);
    }
}
