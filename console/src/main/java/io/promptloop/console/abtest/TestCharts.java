package io.promptloop.console.abtest;

import static io.promptloop.console.web.Charts.list;
import static io.promptloop.console.web.Charts.map;

import io.promptloop.console.web.Charts;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The A/B page's chart: the lift and its interval at every look (the confidence sequence narrowing). */
final class TestCharts {

    private TestCharts() {}

    /**
     * Lift in percent with its interval per look, as a band (lower bound, then the width stacked on it; stacking
     * "all" because ECharts stacks negative and positive values apart by default); the first
     * look that decided anything but "continue" is marked. For fixed designs the alpha spent at each look is drawn on
     * a second axis.
     */
    static Map<String, Object> liftOverLooks(List<TestsRepository.Look> looks, boolean fixed) {
        List<Object> x = new ArrayList<>();
        List<Object> lift = new ArrayList<>();
        List<Object> lower = new ArrayList<>();
        List<Object> width = new ArrayList<>();
        List<Object> alpha = new ArrayList<>();
        Integer decisive = null;
        for (var l : looks) {
            x.add(String.valueOf(l.analysisNumber()));
            lift.add(percent(l.relativeLift()));
            boolean band = l.ciLower() != null && l.ciUpper() != null;
            lower.add(band ? percent(l.ciLower()) : null);
            width.add(band ? percent(l.ciUpper() - l.ciLower()) : null);
            alpha.add(l.adjustedAlpha());
            if (decisive == null && !"continue".equals(l.decision())) decisive = l.analysisNumber();
        }
        List<Object> series = new ArrayList<>();
        series.add(map(
                "name",
                "interval low",
                "type",
                "line",
                "stack",
                "ci",
                "stackStrategy",
                "all",
                "data",
                lower,
                "symbol",
                "none",
                "lineStyle",
                map("opacity", 0),
                "tooltip",
                map("show", false)));
        series.add(map(
                "name",
                "interval",
                "type",
                "line",
                "stack",
                "ci",
                "stackStrategy",
                "all",
                "data",
                width,
                "symbol",
                "none",
                "lineStyle",
                map("opacity", 0),
                "areaStyle",
                map("color", Charts.SKY, "opacity", 0.45),
                "color",
                Charts.SKY));
        Map<String, Object> liftSeries = map(
                "name",
                "lift %",
                "type",
                "line",
                "data",
                lift,
                "color",
                Charts.BLUE,
                "symbolSize",
                5,
                "lineStyle",
                map("width", 2),
                "markLine",
                map(
                        "silent",
                        true,
                        "symbol",
                        "none",
                        "lineStyle",
                        map("color", "#333", "type", "dashed"),
                        "data",
                        list(map("yAxis", 0, "name", "no difference"))));
        if (decisive != null) {
            int index = x.indexOf(String.valueOf(decisive));
            liftSeries.put(
                    "markPoint",
                    map(
                            "symbol",
                            "pin",
                            "symbolSize",
                            44,
                            "itemStyle",
                            map("color", Charts.VERMILION),
                            "label",
                            map("formatter", "decided"),
                            "data",
                            list(map(
                                    "coord",
                                    list(String.valueOf(decisive), lift.get(index)),
                                    "name",
                                    "decisive look"))));
        }
        series.add(liftSeries);
        Map<String, Object> yLift = map("type", "value", "name", "lift %", "scale", true);
        Object yAxis = yLift;
        if (fixed) {
            series.add(map(
                    "name",
                    "alpha spent",
                    "type",
                    "line",
                    "yAxisIndex",
                    1,
                    "data",
                    alpha,
                    "color",
                    Charts.ORANGE,
                    "lineStyle",
                    map("type", "dotted", "width", 2)));
            yAxis = list(yLift, map("type", "value", "name", "alpha spent", "min", 0));
        }
        return map(
                "animation", false,
                "legend",
                        map(
                                "top",
                                0,
                                "data",
                                fixed ? list("lift %", "interval", "alpha spent") : list("lift %", "interval")),
                "tooltip", map("trigger", "axis"),
                "grid", map("left", 56, "right", fixed ? 64 : 24, "top", 36, "bottom", 40),
                "xAxis", map("type", "category", "data", x, "name", "look", "nameLocation", "middle", "nameGap", 26),
                "yAxis", yAxis,
                "series", series);
    }

    private static Double percent(Double fraction) {
        return fraction == null ? null : Math.round(fraction * 100_000.0) / 1000.0;
    }
}
