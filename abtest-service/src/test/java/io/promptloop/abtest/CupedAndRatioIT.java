package io.promptloop.abtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.promptloop.avro.common.AgentRef;
import io.promptloop.avro.observation.ObservationRecorded;
import io.promptloop.schemas.Assignment;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;

/**
 * CUPED and ratio metrics end to end: chosen by HTTP, observations with a covariate or ratio parts published as
 * Avro through the registry, counted once into the paired sums, analysed, stored in {@code ab_interim_analyses}
 * and shown by {@code analytics.v_ab_test_results}; bad values dead-lettered.
 */
@DirtiesContext
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class CupedAndRatioIT extends AbtestTestSupport {

    @LocalServerPort
    int port;

    private static ObservationRecorded.Builder base(UUID testId, String variant, String unit) {
        return ObservationRecorded.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setOccurredAt(Instant.now())
                .setAgent(new AgentRef("support-bot", "answer"))
                .setTestId(testId.toString())
                .setVariant(variant)
                .setUnitId(unit)
                .setSuccess(true);
    }

    @Test
    void shouldAdjustAScoreTestWithThePreExposureCovariateAndCountEachPairOnce() {
        String agent = "cuped-" + UUID.randomUUID();
        UUID baseline = instruction(agent, "answer", 1, "Answer.", true);
        UUID treatment = instruction(agent, "answer", 2, "Answer and cite.", false);
        var test = createStarted(
                port,
                testBody(agent, baseline, treatment, "\"cuped\":true,\"minSamplePerVariant\":100,\"start\":true"));
        UUID testId = UUID.fromString(test.get("testId").asString());
        assertThat(test.get("cuped").asBoolean()).isTrue();

        // each unit: covariate x ~ N(0.6, 0.15) (its score before the test), score = x-correlated (ρ ≈ 0.8) + lift;
        // every 10th unit has no pre-exposure data (covariate null: the analysis fills in the mean covariate)
        var random = new SplittableRandom(21);
        List<ObservationRecorded> observations = new ArrayList<>();
        for (int i = 0; i < 1600; i++) {
            String unit = "c" + i;
            boolean isTreatment = Assignment.isTreatment(test.get("salt").asString(), unit, 0.5);
            double x = 0.6 + 0.15 * random.nextGaussian();
            double y = 0.6 + 0.8 * (x - 0.6) + 0.09 * random.nextGaussian() + (isTreatment ? 0.03 : 0);
            observations.add(base(testId, isTreatment ? "treatment" : "baseline", unit)
                    .setScore(Math.max(0, Math.min(1, y)))
                    .setLatencyMs(100L)
                    .setCovariate(i % 10 == 0 ? null : x)
                    .build());
        }
        publish(observations);
        publish(observations.subList(0, 200)); // redelivered events: counted once

        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> assertThat(sql().queryForObject(
                                        "SELECT coalesce(sum(n), 0) FROM abtest.variant_statistics WHERE test_id = ?",
                                        Long.class,
                                        testId))
                        .isEqualTo(1600L));
        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> assertThat(status(testId)).isIn("rolling_out", "rolled_out"));

        // pairs are counted for the units that sent a covariate, once each despite the redelivery
        Map<String, Object> sums = sql().queryForMap(
                        "SELECT sum(n) AS n, sum(score_n) AS score_n, sum(covariate_n) AS covariate_n,"
                                + " sum(covariate_x_sum) AS covariate_x_sum FROM abtest.variant_statistics WHERE test_id = ?",
                        testId);
        long withCovariate =
                observations.stream().filter(o -> o.getCovariate() != null).count();
        double covariateSum = observations.stream()
                .filter(o -> o.getCovariate() != null)
                .mapToDouble(ObservationRecorded::getCovariate)
                .sum();
        assertThat(((Number) sums.get("score_n")).longValue()).isEqualTo(1600L);
        assertThat(((Number) sums.get("covariate_n")).longValue())
                .isEqualTo(withCovariate)
                .isEqualTo(1440L);
        assertThat(((Number) sums.get("covariate_x_sum")).doubleValue()).isCloseTo(covariateSum, within(1e-6));

        Map<String, Object> look = sql().queryForMap(
                        "SELECT cuped_theta, decision::text, ci_lower, ci_upper, details->>'covariate_correlation' AS rho"
                                + " FROM abtest.ab_interim_analyses WHERE test_id = ? AND metric <> 'guardrails'"
                                + " ORDER BY analysis_number DESC LIMIT 1",
                        testId);
        assertThat(look.get("decision")).isEqualTo("stop_efficacy");
        // θ = Cov(y, x)/Var(x) ≈ 0.8: the 10 % without a covariate take the mean covariate and do not dilute it
        assertThat(((Number) look.get("cuped_theta")).doubleValue()).isBetween(0.5, 0.95);
        assertThat(Double.parseDouble((String) look.get("rho"))).isGreaterThan(0.6);
        assertThat(((Number) look.get("ci_lower")).doubleValue()).isPositive();

        Map<String, Object> view = sql().queryForMap(
                        "SELECT cuped, last_cuped_theta, baseline_covariate_correlation, treatment_covariate_correlation"
                                + " FROM analytics.v_ab_test_results WHERE test_id = ?",
                        testId);
        assertThat(view.get("cuped")).isEqualTo(true);
        assertThat(((Number) view.get("last_cuped_theta")).doubleValue())
                .isEqualTo(((Number) look.get("cuped_theta")).doubleValue());
        assertThat(((Number) view.get("baseline_covariate_correlation")).doubleValue())
                .isGreaterThan(0.6);
        assertThat(((Number) view.get("treatment_covariate_correlation")).doubleValue())
                .isGreaterThan(0.6);

        var inspected = json(call(port, "GET", "/api/tests/" + testId, null, "reader"));
        assertThat(inspected
                        .get("arms")
                        .get("baseline")
                        .get("covariateCorrelation")
                        .asDouble())
                .isGreaterThan(0.6);
    }

    @Test
    void shouldAnalyseARatioMetricByTheDeltaMethod() {
        String agent = "ratio-" + UUID.randomUUID();
        UUID baseline = instruction(agent, "answer", 1, "Answer.", true);
        UUID treatment = instruction(agent, "answer", 2, "Answer and resolve.", false);
        var test = createStarted(
                port,
                testBody(
                        agent,
                        baseline,
                        treatment,
                        "\"primaryMetric\":\"ratio\",\"minSamplePerVariant\":100,\"start\":true"));
        UUID testId = UUID.fromString(test.get("testId").asString());
        assertThat(test.get("primaryMetric").asString()).isEqualTo("ratio");

        // per conversation: turns 1..8 (denominator), tasks resolved among them (numerator), 0.45 vs 0.6 per turn
        var random = new SplittableRandom(22);
        List<ObservationRecorded> observations = new ArrayList<>();
        double[] numerators = new double[2];
        double[] denominators = new double[2];
        // the sums after each observation, in publish order: one key (the test id), one partition, counted in order
        List<double[]> prefix = new ArrayList<>();
        for (int i = 0; i < 1200; i++) {
            String unit = "r" + i;
            boolean isTreatment = Assignment.isTreatment(test.get("salt").asString(), unit, 0.5);
            int turns = 1 + random.nextInt(8);
            int resolved = 0;
            for (int k = 0; k < turns; k++) resolved += random.nextDouble() < (isTreatment ? 0.6 : 0.45) ? 1 : 0;
            numerators[isTreatment ? 1 : 0] += resolved;
            denominators[isTreatment ? 1 : 0] += turns;
            prefix.add(new double[] {numerators[0], denominators[0], numerators[1], denominators[1]});
            observations.add(base(testId, isTreatment ? "treatment" : "baseline", unit)
                    .setScore(0.7)
                    .setRatioNumerator((double) resolved)
                    .setRatioDenominator((double) turns)
                    .build());
        }
        publish(observations);
        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> assertThat(status(testId)).isIn("rolling_out", "rolled_out"));

        Map<String, Object> view = sql().queryForMap(
                        "SELECT baseline_ratio, treatment_ratio, baseline_ratio_n + treatment_ratio_n AS ratio_n, winner::text,"
                                + " last_effect FROM analytics.v_ab_test_results WHERE test_id = ?",
                        testId);
        assertThat(((Number) view.get("baseline_ratio")).doubleValue())
                .isCloseTo(numerators[0] / denominators[0], within(1e-9));
        assertThat(((Number) view.get("treatment_ratio")).doubleValue())
                .isCloseTo(numerators[1] / denominators[1], within(1e-9));
        assertThat(((Number) view.get("ratio_n")).longValue()).isEqualTo(1200L);
        assertThat(view.get("winner")).isEqualTo("treatment");
        // the last look may have come before every observation was counted: its effect is the ratio lift of the
        // observations it saw, the first baseline_n + treatment_n of the stream
        long seen = sql().queryForObject(
                        "SELECT baseline_n + treatment_n FROM abtest.ab_interim_analyses WHERE test_id = ?"
                                + " AND metric <> 'guardrails' ORDER BY analysis_number DESC LIMIT 1",
                        Long.class,
                        testId);
        double[] at = prefix.get((int) seen - 1);
        double lift = (at[2] / at[3]) / (at[0] / at[1]) - 1;
        assertThat(((Number) view.get("last_effect")).doubleValue()).isCloseTo(lift, within(1e-9));
    }

    @Test
    void shouldRejectImpossibleDesignsAndDeadLetterBadCovariatesAndHalfRatios() {
        String agent = "paired-bad-" + UUID.randomUUID();
        UUID baseline = instruction(agent, "answer", 1, "Answer.", true);
        UUID treatment = instruction(agent, "answer", 2, "Answer better.", false);
        var cupedRatio = call(
                port,
                "POST",
                "/api/tests",
                testBody(agent, baseline, treatment, "\"primaryMetric\":\"ratio\",\"cuped\":true"),
                "operator");
        assertThat(cupedRatio.statusCode()).as(cupedRatio.body()).isEqualTo(400);
        assertThat(cupedRatio.body()).contains("CUPED");

        var test = createStarted(port, testBody(agent, baseline, treatment, "\"start\":true"));
        UUID testId = UUID.fromString(test.get("testId").asString());
        // each row: the bad observation and words its dead letter must carry (reason invalid_value)
        record Case(String key, ObservationRecorded value, String says) {}
        List<Case> cases = List.of(
                new Case(
                        "nan-covariate-" + testId,
                        base(testId, "baseline", "u1").setCovariate(Double.NaN).build(),
                        "covariate must be finite"),
                new Case(
                        "huge-numerator-" + testId,
                        base(testId, "baseline", "u2")
                                .setRatioNumerator(1e300)
                                .setRatioDenominator(1.0)
                                .build(),
                        "ratio_numerator must be finite with |x| ≤ 1e12"),
                new Case(
                        "half-ratio-" + testId,
                        base(testId, "baseline", "u3").setRatioNumerator(2.0).build(),
                        "go together"));
        for (Case c : cases) send("ab-observations", c.key(), c.value());
        for (Case c : cases) {
            await(c.key()).atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                var dead = recordsWithKey("ab-observations-dlt", c.key());
                assertThat(dead).hasSize(1);
                assertThat(header(dead.getFirst(), "promptloop-dlt-reason")).isEqualTo("invalid_value");
                assertThat(header(dead.getFirst(), "kafka_dlt-exception-message"))
                        .contains(c.says());
            });
        }
        assertThat(sql().queryForObject(
                                "SELECT coalesce(sum(n), 0) FROM abtest.variant_statistics WHERE test_id = ?",
                                Long.class,
                                testId))
                .isZero();
    }
}
