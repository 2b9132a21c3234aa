package io.promptloop.console.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.promptloop.console.web.Charts;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The run page's charts from a run's rows: best score so far, the lineage layout, the front's stars. */
class RunChartsTest {

    @Test
    void shouldStepTheBestScoreUpOnlyWhenACandidateBeatsItAndShowEachCandidate() {
        // table: candidate, validation score, metric calls when its validation finished
        List<RunsRepository.Validated> progress = List.of(
                new RunsRepository.Validated(0, 0.50, 10),
                new RunsRepository.Validated(2, 0.40, 20), // worse: the best stays 0.50
                new RunsRepository.Validated(3, 0.70, 35));

        List<Map<String, Object>> series = series(RunCharts.bestOverCalls(progress));

        assertThat(series.get(0).get("data"))
                .isEqualTo(List.of(List.of(10L, 0.5), List.of(20L, 0.5), List.of(35L, 0.7)));
        assertThat(series.get(1).get("data"))
                .isEqualTo(List.of(
                        Charts.map("value", List.of(10L, 0.5), "name", "#0"),
                        Charts.map("value", List.of(20L, 0.4), "name", "#2"),
                        Charts.map("value", List.of(35L, 0.7), "name", "#3")));
    }

    @Test
    void shouldLayTheLineageOutByGenerationAndColourItByVerdict() {
        // table: index, origin, parents, accepted (null: not judged yet)
        List<RunsRepository.CandidateRow> candidates = List.of(
                candidate(0, "seed", new Integer[0], null, 0.5),
                candidate(1, "reflection", new Integer[] {0}, true, 0.6),
                candidate(2, "reflection", new Integer[] {0}, false, null),
                candidate(3, "merge", new Integer[] {1, 2}, null, null));

        Map<String, Object> graph = series(RunCharts.lineage("r1", candidates)).getFirst();

        List<Map<String, Object>> nodes = cast(graph.get("data"));
        // generation = 1 + the deepest parent's; the row counts the candidates already in that generation
        assertThat(nodes)
                .extracting(n -> List.of(n.get("id"), n.get("x"), n.get("y")))
                .containsExactly(List.of("0", 0, 0), List.of("1", 120, 0), List.of("2", 120, 60), List.of("3", 240, 0));
        assertThat(nodes)
                .extracting(n -> (Object) ((Map<?, ?>) n.get("itemStyle")).get("color"))
                .containsExactly(Charts.BLUE, Charts.GREEN, Charts.VERMILION, Charts.GREY);
        assertThat(nodes).extracting(n -> n.get("symbol")).containsExactly("circle", "circle", "circle", "diamond");
        assertThat(nodes.get(1).get("name")).isEqualTo("#1 reflection 0.600");
        assertThat(nodes.get(2).get("name"))
                .as("its minibatch score when not validated")
                .isEqualTo("#2 reflection 0.400");
        assertThat(nodes.get(3).get("url")).isEqualTo("/runs/r1/candidates/3");
        assertThat(cast(graph.get("links")))
                .extracting(l -> l.get("source") + "→" + l.get("target"))
                .containsExactly("0→1", "0→2", "1→3", "2→3");
    }

    @Test
    void shouldStarEveryCandidateThatHoldsTheBestScoreOnAnExampleTiesIncluded() {
        // table: candidate, example, score
        List<RunsRepository.Score> scores = List.of(
                new RunsRepository.Score(0, "a", 0.5),
                new RunsRepository.Score(1, "a", 0.7), // best on a
                new RunsRepository.Score(0, "b", 0.9), // tied best on b
                new RunsRepository.Score(1, "b", 0.9)); // tied best on b

        Map<String, Object> option = RunCharts.frontHeatmap(scores);

        assertThat(((Map<?, ?>) option.get("xAxis")).get("data")).isEqualTo(List.of("a", "b"));
        assertThat(((Map<?, ?>) option.get("yAxis")).get("data")).isEqualTo(List.of("#0", "#1"));
        List<Map<String, Object>> cells = cast(series(option).getFirst().get("data"));
        assertThat(cells)
                .extracting(c -> List.of(c.get("value"), ((Map<?, ?>) c.get("label")).get("show")))
                .containsExactly(
                        List.of(List.of(0, 0, 0.5), false),
                        List.of(List.of(0, 1, 0.7), true),
                        List.of(List.of(1, 0, 0.9), true),
                        List.of(List.of(1, 1, 0.9), true));
    }

    private static RunsRepository.CandidateRow candidate(
            int index, String origin, Integer[] parents, Boolean accepted, Double validation) {
        return new RunsRepository.CandidateRow(
                null, index, origin, index, parents, 0.4, 0.3, validation, accepted, "text " + index, null);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> cast(Object list) {
        return (List<Map<String, Object>>) list;
    }

    private static List<Map<String, Object>> series(Map<String, Object> option) {
        return cast(option.get("series"));
    }
}
