package io.promptloop.console.run;

import static io.promptloop.console.web.Charts.list;
import static io.promptloop.console.web.Charts.map;

import io.promptloop.console.web.Charts;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** The run page's three charts as ECharts options; their numbers are in the tables beside them. */
final class RunCharts {

    private RunCharts() {}

    /** The best validation score found so far, over the metric calls spent when each validation finished. */
    static Map<String, Object> bestOverCalls(List<RunsRepository.Validated> progress) {
        List<Object> best = new ArrayList<>();
        List<Object> each = new ArrayList<>();
        double max = Double.NEGATIVE_INFINITY;
        for (var v : progress) {
            max = Math.max(max, v.validationScore());
            best.add(list(v.metricCalls(), max));
            each.add(map("value", list(v.metricCalls(), v.validationScore()), "name", "#" + v.candidateIndex()));
        }
        return map(
                "animation", false,
                "grid", map("left", 56, "right", 24, "top", 36, "bottom", 48),
                "legend", map("top", 0),
                "tooltip", map("trigger", "item"),
                "xAxis", map("type", "value", "name", "metric calls", "nameLocation", "middle", "nameGap", 28),
                "yAxis", map("type", "value", "name", "validation score", "min", 0, "max", 1),
                "series",
                        list(
                                map(
                                        "name",
                                        "best so far",
                                        "type",
                                        "line",
                                        "step",
                                        "end",
                                        "data",
                                        best,
                                        "color",
                                        Charts.BLUE,
                                        "lineStyle",
                                        map("width", 3)),
                                map(
                                        "name",
                                        "each validated candidate",
                                        "type",
                                        "scatter",
                                        "data",
                                        each,
                                        "color",
                                        Charts.ORANGE,
                                        "symbol",
                                        "diamond",
                                        "symbolSize",
                                        9)));
    }

    /**
     * The candidates' lineage as a graph: a column per generation (one more than its deepest parent), an edge from
     * each parent; green accepted, vermilion rejected, blue the seed, grey not yet judged. A click opens the candidate.
     */
    static Map<String, Object> lineage(String runId, List<RunsRepository.CandidateRow> candidates) {
        Map<Integer, Integer> depth = new HashMap<>();
        Map<Integer, Integer> rowsInDepth = new HashMap<>();
        List<Object> nodes = new ArrayList<>();
        List<Object> links = new ArrayList<>();
        for (var c : candidates) { // by index: parents come first
            int d = 0;
            for (Integer p : c.parentIndices()) d = Math.max(d, depth.getOrDefault(p, 0) + 1);
            depth.put(c.candidateIndex(), d);
            int row = rowsInDepth.merge(d, 1, Integer::sum) - 1;
            String colour = c.origin().equals("seed")
                    ? Charts.BLUE
                    : c.accepted() == null ? Charts.GREY : c.accepted() ? Charts.GREEN : Charts.VERMILION;
            Double score = c.validationScore() != null ? c.validationScore() : c.minibatchScore();
            nodes.add(map(
                    "id",
                    String.valueOf(c.candidateIndex()),
                    "name",
                    "#" + c.candidateIndex() + " " + c.origin()
                            + (score == null ? "" : String.format(java.util.Locale.ROOT, " %.3f", score)),
                    "x",
                    d * 120,
                    "y",
                    row * 60,
                    "symbol",
                    c.origin().equals("merge") ? "diamond" : "circle",
                    "symbolSize",
                    22,
                    "itemStyle",
                    map("color", colour),
                    "url",
                    "/runs/" + runId + "/candidates/" + c.candidateIndex()));
            for (Integer p : c.parentIndices()) {
                links.add(map("source", String.valueOf(p), "target", String.valueOf(c.candidateIndex())));
            }
        }
        return map(
                "animation", false,
                "tooltip", map("trigger", "item"),
                "series",
                        list(map(
                                "type",
                                "graph",
                                "layout",
                                "none",
                                "roam",
                                true,
                                "label",
                                map("show", true, "position", "bottom", "fontSize", 11),
                                "edgeSymbol",
                                list("none", "arrow"),
                                "edgeSymbolSize",
                                8,
                                "lineStyle",
                                map("color", "#666", "width", 1.5),
                                "data",
                                nodes,
                                "links",
                                links)));
    }

    /**
     * Validation scores per example (columns) and candidate (rows); the best score on each example is starred:
     * the candidates that hold a star are the per-example Pareto front GEPA samples parents from.
     */
    static Map<String, Object> frontHeatmap(List<RunsRepository.Score> scores) {
        TreeSet<String> examples = new TreeSet<>();
        TreeSet<Integer> candidates = new TreeSet<>();
        Map<String, Double> best = new HashMap<>();
        for (var s : scores) {
            examples.add(s.exampleId());
            candidates.add(s.candidateIndex());
            best.merge(s.exampleId(), s.score(), Math::max);
        }
        List<String> xs = new ArrayList<>(examples);
        List<String> ys = candidates.stream().map(i -> "#" + i).toList();
        Map<String, Integer> xIndex = new LinkedHashMap<>();
        for (int i = 0; i < xs.size(); i++) xIndex.put(xs.get(i), i);
        List<Integer> yOrder = new ArrayList<>(candidates);
        List<Object> data = new ArrayList<>();
        for (var s : scores) {
            boolean isBest = s.score() >= best.get(s.exampleId());
            data.add(map(
                    "value", list(xIndex.get(s.exampleId()), yOrder.indexOf(s.candidateIndex()), s.score()),
                    "label", map("show", isBest, "formatter", "★", "color", "#000", "fontSize", 14)));
        }
        return map(
                "animation", false,
                "tooltip", map("position", "top"),
                "grid", map("left", 56, "right", 24, "top", 16, "bottom", 72),
                "xAxis",
                        map(
                                "type",
                                "category",
                                "data",
                                xs,
                                "name",
                                "validation example",
                                "nameLocation",
                                "middle",
                                "nameGap",
                                56,
                                "axisLabel",
                                map("rotate", 45, "fontSize", 10)),
                "yAxis", map("type", "category", "data", ys, "name", "candidate"),
                "visualMap",
                        map(
                                "min",
                                0,
                                "max",
                                1,
                                "calculable",
                                false,
                                "orient",
                                "horizontal",
                                "left",
                                "center",
                                "bottom",
                                0,
                                "show",
                                false,
                                "inRange",
                                map("color", list("#440154", "#3b528b", "#21918c", "#5ec962", "#fde725"))),
                "series", list(map("type", "heatmap", "data", data)));
    }
}
