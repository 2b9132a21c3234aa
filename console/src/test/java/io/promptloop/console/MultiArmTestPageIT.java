package io.promptloop.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A test with two treatments shows all three arms, each treatment compared with the baseline at the last look,
 * with the figures {@code analytics.v_ab_test_arm_results} holds (rows written as abtest-service writes them).
 */
class MultiArmTestPageIT extends ConsoleTestSupport {

    @Test
    void shouldShowEveryArmOfAMultiArmTestWithItsComparisonAtTheLastLook() throws Exception {
        String agent = "console-arms-" + UUID.randomUUID().toString().substring(0, 8);
        UUID testId = UUID.randomUUID();
        List<UUID> instructions = List.of(UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID());
        var su = superuser();
        su.sql("""
                INSERT INTO abtest.prompt_ab_tests
                       (test_id, agent_name, baseline_instruction_id, treatment_instruction_id, status,
                        min_sample_per_variant, started_at, created_at)
                VALUES (?, ?, ?, ?, 'running', 200, now() - interval '5 minutes', now() - interval '6 minutes')
                """)
                .params(testId, agent, instructions.get(0), instructions.get(1))
                .update();
        su.sql("""
                INSERT INTO abtest.ab_test_arms (test_id, arm_index, variant, instruction_id, weight)
                VALUES (?, 0, 'baseline', ?, 0.4), (?, 1, 'treatment', ?, 0.3), (?, 2, 'treatment_2', ?, 0.3)
                """)
                .params(testId, instructions.get(0), testId, instructions.get(1), testId, instructions.get(2))
                .update();
        su.sql("""
                INSERT INTO abtest.variant_statistics (test_id, variant, n, successes, score_n, score_sum)
                VALUES (?, 'baseline', 400, 300, 400, 280.0), (?, 'treatment', 300, 240, 300, 222.0),
                       (?, 'treatment_2', 310, 220, 310, 201.5)
                """).params(testId, testId, testId).update();
        su.sql("""
                INSERT INTO abtest.ab_interim_analyses
                       (test_id, analysis_number, method, baseline_n, treatment_n, relative_lift, ci_lower,
                        ci_upper, decision)
                VALUES (?, 2, 'sequential', 400, 300, 0.0571, -0.01, 0.12, 'continue')
                """).params(testId).update();
        su.sql("""
                INSERT INTO abtest.ab_arm_analyses
                       (test_id, analysis_number, variant, n, mean, effect_type, effect, ci_lower, ci_upper, p_value,
                        adjusted_p_value, holm_alpha, state)
                VALUES (?, 2, 'treatment', 300, 0.74, 'relative', 0.0571, -0.0100, 0.1200, 0.0310, 0.0620, 0.025,
                        'open'),
                       (?, 2, 'treatment_2', 310, 0.65, 'relative', -0.0714, -0.1500, 0.0100, 0.0800, 0.0800, 0.05,
                        'open')
                """).params(testId, testId).update();

        WebSession reader = new WebSession();
        reader.login(READER, PASSWORD);
        var page = reader.get("/tests/" + testId);
        assertThat(page.statusCode()).isEqualTo(200);
        String html = page.body();

        var arms = su.sql("""
                        SELECT variant::text, n, mean_score, last_effect, adjusted_p_value
                          FROM analytics.v_ab_test_arm_results WHERE test_id = ? ORDER BY arm_index
                        """)
                .param(testId)
                .query((rs, n) ->
                        new Object[] {rs.getString(1), rs.getLong(2), rs.getDouble(3), rs.getObject(4), rs.getObject(5)
                        })
                .list();
        assertThat(arms).hasSize(3);
        for (Object[] arm : arms) {
            String row = row(html, (String) arm[0]);
            assertThat(row).as("arm %s", arm[0]).contains("class=\"num n\">" + arm[1] + "<");
            assertThat(row).contains(String.format(java.util.Locale.ROOT, "class=\"num mean\">%.4f<", (double) arm[2]));
            if (arm[3] != null) {
                assertThat(row)
                        .contains(String.format(
                                java.util.Locale.ROOT,
                                "class=\"num effect\">%.2f %%<",
                                ((Number) arm[3]).doubleValue() * 100));
                assertThat(row)
                        .contains(String.format(
                                java.util.Locale.ROOT, "class=\"num p\">%.4f<", ((Number) arm[4]).doubleValue()));
            }
        }
        assertThat(row(html, "baseline")).contains("class=\"state\">baseline<");
        assertThat(row(html, "treatment_2"))
                .contains("/instructions/" + instructions.get(2))
                .contains("class=\"num effect\">-7.14 %<")
                .contains("class=\"num interval\">[-0.1500, 0.0100]<");
    }

    private static String row(String html, String variant) {
        int start = html.indexOf("data-arm=\"" + variant + "\"");
        assertThat(start).as("a row for arm %s", variant).isPositive();
        return html.substring(start, html.indexOf("</tr>", start));
    }
}
