package io.promptloop.console;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The overview shows what the database holds for an agent: its active instruction, the live test, the last runs. */
class OverviewPageIT extends ConsoleTestSupport {

    @Test
    void shouldShowTheActiveInstructionTheLiveTestAndTheLastRunsAsTheDatabaseHoldsThem() throws Exception {
        LoopRows rows = new LoopRows().write(superuser());
        var expected = superuser()
                .sql("""
                        SELECT i.version, i.promoted_by_test_id, r.baseline_n, r.treatment_n, t.min_sample_per_variant,
                               r.last_decision
                          FROM analytics.v_active_instructions i
                          JOIN analytics.v_ab_test_results r ON r.test_id = i.live_test_id
                          JOIN abtest.prompt_ab_tests t ON t.test_id = r.test_id
                         WHERE i.agent_name = ?
                        """)
                .param(rows.agent)
                .query((rs, n) -> new Object[] {
                    rs.getInt(1), rs.getObject(2), rs.getLong(3), rs.getLong(4), rs.getInt(5), rs.getString(6)
                })
                .single();

        WebSession reader = new WebSession();
        reader.login(READER, PASSWORD);
        var page = reader.get("/?page=0");
        assertThat(page.statusCode()).isEqualTo(200);
        String html = page.body();
        String card = html.substring(html.indexOf("data-agent=\"" + rows.agent + "\""));
        card = card.substring(0, card.indexOf("</section>"));

        assertThat(card).contains(">v" + expected[0] + "<");
        assertThat(card).contains("/tests/" + expected[1]);
        assertThat(card).contains("/tests/" + rows.liveTestId);
        assertThat(card).contains("class=\"live-baseline-n\">" + expected[2] + "<");
        assertThat(card).contains("class=\"live-treatment-n\">" + expected[3] + "<");
        long progress = Math.min((long) expected[2], (long) expected[3]) * 100 / (int) expected[4];
        assertThat(card).contains("class=\"live-progress\">" + progress + " %<");
        assertThat(card).contains("class=\"live-decision\">" + expected[5] + "<");
        assertThat(card).contains("/runs/" + rows.runId).contains("388 / 400").contains("29.09");
    }

    /** The pages that read several statements in one REPEATABLE READ transaction still render what the rows hold. */
    @Test
    void shouldRenderTheRunTheTestAndTheInstructionPagesOfTheLoop() throws Exception {
        LoopRows rows = new LoopRows().write(superuser());
        WebSession reader = new WebSession();
        reader.login(READER, PASSWORD);

        var run = reader.get("/runs/" + rows.runId);
        assertThat(run.statusCode()).isEqualTo(200);
        assertThat(run.body()).contains(rows.runId.toString()).contains("388 / 400");
        var test = reader.get("/tests/" + rows.liveTestId);
        assertThat(test.statusCode()).isEqualTo(200);
        assertThat(test.body()).contains(rows.agent);
        var instruction = reader.get("/instructions/" + rows.baselineId);
        assertThat(instruction.statusCode()).isEqualTo(200);
        assertThat(instruction.body()).contains(rows.agent);
        var diff = reader.get("/instructions/diff?from=" + rows.baselineId + "&to=" + rows.optimizedId);
        assertThat(diff.statusCode()).isEqualTo(200);
        assertThat(reader.get("/runs/" + java.util.UUID.randomUUID()).statusCode())
                .isEqualTo(404);
    }
}
