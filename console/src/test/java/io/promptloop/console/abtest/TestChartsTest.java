package io.promptloop.console.abtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The lift chart's series from the looks: percent values, the interval as a stacked band, the decisive look. */
class TestChartsTest {

    private static TestsRepository.Look look(
            int n, Double lift, Double lower, Double upper, Double alpha, String decision) {
        return new TestsRepository.Look(
                n, "score", 100L * n, 100L * n, 0.6, 0.65, lift, lower, upper, 0.2, alpha, null, 0.8, true, decision,
                null, null);
    }

    // table: look, lift, interval, alpha spent, decision
    private static final List<TestsRepository.Look> LOOKS = List.of(
            look(1, 0.05, -0.10, 0.20, 0.001, "continue"),
            look(2, 0.08, -0.02, 0.18, 0.01, "continue"),
            look(3, 0.10, 0.01, 0.19, 0.05, "stop_efficacy"),
            look(4, 0.11, null, null, null, "stop_efficacy")); // a look without interval: no band there

    @Test
    void shouldDrawTheIntervalAsABandBelowTheLiftInPercentAndMarkTheFirstDecisiveLook() {
        Map<String, Object> option = TestCharts.liftOverLooks(LOOKS, false);

        assertThat(((Map<?, ?>) option.get("xAxis")).get("data")).isEqualTo(List.of("1", "2", "3", "4"));
        List<Map<String, Object>> series = series(option);
        assertThat(series).extracting(s -> s.get("name")).containsExactly("interval low", "interval", "lift %");
        // lower bound, then the width stacked on it: −10 + 30 = 20, −2 + 20 = 18, 1 + 18 = 19 (the upper bounds)
        assertThat(series.get(0).get("data")).isEqualTo(Arrays.asList(-10.0, -2.0, 1.0, null));
        assertThat(series.get(1).get("data")).isEqualTo(Arrays.asList(30.0, 20.0, 18.0, null));
        assertThat(series.get(0).get("stack")).isEqualTo(series.get(1).get("stack"));
        assertThat(series.get(2).get("data")).isEqualTo(List.of(5.0, 8.0, 10.0, 11.0));
        // the first look that decided anything but "continue": look 3, at its lift
        Map<?, ?> mark = (Map<?, ?>) ((List<?>) ((Map<?, ?>) series.get(2).get("markPoint")).get("data")).getFirst();
        assertThat(mark.get("coord")).isEqualTo(List.of("3", 10.0));
        assertThat(option.get("yAxis")).isInstanceOf(Map.class);
    }

    @Test
    void shouldAddTheAlphaSpentOnASecondAxisForFixedDesignsOnly() {
        Map<String, Object> option = TestCharts.liftOverLooks(LOOKS, true);

        List<Map<String, Object>> series = series(option);
        assertThat(series.getLast().get("name")).isEqualTo("alpha spent");
        assertThat(series.getLast().get("yAxisIndex")).isEqualTo(1);
        assertThat(series.getLast().get("data")).isEqualTo(Arrays.asList(0.001, 0.01, 0.05, null));
        assertThat((List<?>) option.get("yAxis")).hasSize(2);
        assertThat(((Map<?, ?>) option.get("legend")).get("data"))
                .isEqualTo(List.of("lift %", "interval", "alpha spent"));
    }

    @Test
    void shouldMarkNoLookWhileEveryLookSaysContinue() {
        Map<String, Object> option = TestCharts.liftOverLooks(LOOKS.subList(0, 2), false);

        assertThat(series(option).getLast()).doesNotContainKey("markPoint");
    }

    @Test
    void shouldRoundThePercentToThreeDecimals() {
        Map<String, Object> option =
                TestCharts.liftOverLooks(List.of(look(1, 0.123456, 0.0000004, 0.2, null, "continue")), false);

        assertThat(series(option).get(2).get("data")).isEqualTo(List.of(12.346));
        assertThat(series(option).get(0).get("data")).isEqualTo(List.of(0.0));
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> series(Map<String, Object> option) {
        return (List<Map<String, Object>>) option.get("series");
    }
}
