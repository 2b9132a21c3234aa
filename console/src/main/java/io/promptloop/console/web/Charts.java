package io.promptloop.console.web;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.ObjectMapper;

/**
 * ECharts options as JSON for a page's {@code data-chart} attribute. Colours: the Okabe–Ito palette, which
 * stays distinguishable with the common colour-vision deficiencies (Okabe &amp; Ito, "Color Universal Design",
 * 2002).
 */
public final class Charts {

    public static final String BLUE = "#0072B2";
    public static final String ORANGE = "#E69F00";
    public static final String GREEN = "#009E73";
    public static final String VERMILION = "#D55E00";
    public static final String SKY = "#56B4E9";
    public static final String GREY = "#999999";

    private Charts() {}

    public static String json(ObjectMapper mapper, Map<String, Object> option) {
        return mapper.writeValueAsString(option);
    }

    /** A map literal that keeps its order and allows nulls (Map.of does neither). */
    public static Map<String, Object> map(Object... keysAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        return m;
    }

    public static List<Object> list(Object... values) {
        return java.util.Arrays.asList(values);
    }
}
