package io.promptloop.abtest.experiment.persistence;

import io.promptloop.abtest.analysis.domain.Analysis;
import io.promptloop.abtest.analysis.domain.ArmResult;
import io.promptloop.abtest.analysis.domain.EffectType;
import io.promptloop.abtest.analysis.domain.MultiArmAnalysis;
import io.promptloop.abtest.analysis.domain.SrmResult;
import io.promptloop.abtest.experiment.domain.AbTest;
import io.promptloop.abtest.experiment.domain.TestArm;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.databind.json.JsonMapper;

/** Interim analyses and SRM checks (seed 002 §8): one row per look, never updated. */
@Repository
public class LookRepository {

    private final JdbcClient jdbc;
    private final JsonMapper json;

    public LookRepository(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    /** A look, as stored. */
    public record Look(
            String metric,
            String decision,
            long baselineN,
            long treatmentN,
            Double baselineMean,
            Double treatmentMean,
            Analysis analysis,
            Boolean guardrailsOk,
            Map<String, Object> details,
            Double cupedTheta) {

        /** A look of a test without CUPED. */
        public Look(
                String metric,
                String decision,
                long baselineN,
                long treatmentN,
                Double baselineMean,
                Double treatmentMean,
                Analysis analysis,
                Boolean guardrailsOk,
                Map<String, Object> details) {
            this(
                    metric,
                    decision,
                    baselineN,
                    treatmentN,
                    baselineMean,
                    treatmentMean,
                    analysis,
                    guardrailsOk,
                    details,
                    null);
        }
    }

    public int insert(AbTest t, Look look) {
        int number = jdbc.sql("SELECT coalesce(max(analysis_number), 0) + 1 FROM abtest.ab_interim_analyses"
                        + " WHERE test_id = ?")
                .param(t.testId())
                .query(Integer.class)
                .single();
        Analysis a = look.analysis();
        jdbc.sql("""
                        INSERT INTO abtest.ab_interim_analyses (test_id, analysis_number, method, metric,
                            information_fraction, spending_function, adjusted_alpha, baseline_n, treatment_n,
                            baseline_mean, treatment_mean, relative_lift, ci_lower, ci_upper, p_value, chance_to_win,
                            srm_p_value, guardrails_ok, decision, details, effect_type, effect, risk_control,
                            risk_treatment, cuped_theta)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::abtest.interim_decision, ?::jsonb,
                            ?, ?, ?, ?, ?)
                        """)
                .params(
                        t.testId(),
                        number,
                        t.design().method().code(),
                        look.metric(),
                        a == null ? null : a.informationFraction(),
                        a != null && a.informationFraction() != null ? "obrien_fleming" : null,
                        a == null ? null : clamp(a.adjustedAlpha()),
                        look.baselineN(),
                        look.treatmentN(),
                        finite(look.baselineMean()),
                        finite(look.treatmentMean()),
                        a == null || a.estimate() == null || a.estimate().type() != EffectType.RELATIVE
                                ? null
                                : finite(a.estimate().effect()),
                        a == null || a.interval() == null
                                ? null
                                : finite(a.interval().lower()),
                        a == null || a.interval() == null
                                ? null
                                : finite(a.interval().upper()),
                        a == null ? null : clamp(a.pValue()),
                        a == null ? null : clamp(a.chanceToWin()),
                        a == null || a.srm() == null ? null : clamp(a.srm().pValue()),
                        look.guardrailsOk(),
                        look.decision(),
                        json.writeValueAsString(look.details()),
                        a == null || a.estimate() == null
                                ? null
                                : a.estimate().type().code(),
                        a == null || a.estimate() == null
                                ? null
                                : finite(a.estimate().effect()),
                        a == null || a.bayesian() == null
                                ? null
                                : finite(a.bayesian().riskControl()),
                        a == null || a.bayesian() == null
                                ? null
                                : finite(a.bayesian().riskTreatment()),
                        finite(look.cupedTheta()))
                .update();
        return number;
    }

    /** An SRM check over the test's arms: expected shares (the weights) and observed counts per label. */
    public void insertSrm(UUID testId, List<TestArm> arms, long[] counts, SrmResult srm) {
        Map<String, Object> expected = new LinkedHashMap<>();
        Map<String, Object> actual = new LinkedHashMap<>();
        for (int i = 0; i < arms.size(); i++) {
            expected.put(arms.get(i).variant(), arms.get(i).weight());
            actual.put(arms.get(i).variant(), counts[i]);
        }
        jdbc.sql("""
                        INSERT INTO abtest.ab_srm_checks (test_id, expected_ratio, actual_counts, chi_squared_statistic,
                            p_value, severity)
                        VALUES (?, ?::jsonb, ?::jsonb, ?, ?, ?::abtest.srm_severity)
                        """)
                .params(
                        testId,
                        json.writeValueAsString(expected),
                        json.writeValueAsString(actual),
                        finite(srm.chiSquared()),
                        clamp(srm.pValue()),
                        srm.severity().code())
                .update();
    }

    /** Each treatment arm against the baseline at look {@code number} (rows of {@code ab_arm_analyses}). */
    public void insertArms(AbTest t, int number, MultiArmAnalysis analysis, long[] counts, double[] means) {
        for (ArmResult r : analysis.arms()) {
            Analysis a = r.analysis();
            jdbc.sql("""
                            INSERT INTO abtest.ab_arm_analyses (test_id, analysis_number, variant, n, mean, effect_type,
                                effect, ci_lower, ci_upper, p_value, adjusted_p_value, holm_alpha, chance_to_win,
                                guardrails_ok, state, reason)
                            VALUES (?, ?, ?::abtest.ab_test_variant, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                            """)
                    .params(
                            t.testId(),
                            number,
                            t.arms().get(r.arm()).variant(),
                            counts[r.arm()],
                            finite(means[r.arm()]),
                            a.estimate() == null ? null : a.estimate().type().code(),
                            a.estimate() == null ? null : finite(a.estimate().effect()),
                            a.interval() == null ? null : finite(a.interval().lower()),
                            a.interval() == null ? null : finite(a.interval().upper()),
                            a.pValue() == null ? null : clamp(a.pValue()),
                            a.pValue() == null ? null : clamp(r.adjustedPValue()),
                            r.holmAlpha(),
                            clamp(a.chanceToWin()),
                            a.guardrails() == null ? null : a.guardrails().ok(),
                            r.state().code(),
                            a.reason())
                    .update();
        }
    }

    private static Double finite(Double v) {
        return v == null || !Double.isFinite(v) ? null : v;
    }

    private static Double clamp(Double v) {
        return v == null || Double.isNaN(v) ? null : Math.max(0, Math.min(1, v));
    }
}
