package io.promptloop.abtest.analysis.domain;

import static io.promptloop.abtest.analysis.domain.Arms.arm;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** K treatments against one baseline (issue 11): Holm's step-down over the pairwise rules, SRM over K arms. */
class MultiArmAnalyzerTest {

    private static final TestDesign DESIGN = TestDesign.sequential(Metric.SCORE, 100, null);
    private static final double[] THIRDS = {0.34, 0.33, 0.33};
    private static final double[] QUARTERS = {0.25, 0.25, 0.25, 0.25};
    private final VariantStats baseline = arm(2000, 1900, 0.70, 0.2, 1000, 200);

    @Test
    void shouldGiveExactlyTheTwoArmAnalysisForOneTreatment() {
        VariantStats treatment = arm(2000, 1900, 0.74, 0.2, 1000, 200);

        MultiArmAnalysis multi =
                MultiArmAnalyzer.analyze(DESIGN, List.of(baseline, treatment), new double[] {0.5, 0.5}, null);
        Analysis two = Analyzer.analyze(DESIGN, baseline, treatment, null);

        assertThat(multi.summary()).isEqualTo(two);
        assertThat(multi.winnerArm()).isEqualTo(1);
        assertThat(multi.arms()).singleElement().satisfies(a -> {
            assertThat(a.state()).isEqualTo(ArmState.BETTER);
            assertThat(a.holmAlpha()).isEqualTo(0.05);
            assertThat(a.adjustedPValue()).isEqualTo(a.pValue());
        });
    }

    @Test
    void shouldTestArmsAtHolmsLevelsInTheOrderOfTheirPValues() {
        VariantStats strong = arm(2000, 1900, 0.76, 0.2, 1000, 200);
        VariantStats marginal = marginalArm();
        VariantStats equal = arm(2000, 1900, 0.70, 0.2, 1000, 200);

        MultiArmAnalysis a =
                MultiArmAnalyzer.analyze(DESIGN, List.of(baseline, equal, marginal, strong), QUARTERS, null);

        // ranks by p: strong (α/3), marginal (α/2), equal (α)
        assertThat(a.arms()).extracting(ArmResult::holmAlpha).containsExactly(0.05, 0.025, 0.05 / 3);
        double[] raw = a.arms().stream().mapToDouble(ArmResult::pValue).toArray();
        assertThat(a.arms().stream().mapToDouble(ArmResult::adjustedPValue).toArray())
                .containsExactly(HolmBonferroni.adjust(raw));
        // alone at α the marginal arm would win; at its Holm level α/2 it stays open
        assertThat(Analyzer.analyze(DESIGN, baseline, marginal, null).decision())
                .isEqualTo(Decision.STOP_EFFICACY);
        assertThat(a.arms().get(1).state()).isEqualTo(ArmState.OPEN);
        assertThat(a.arms().get(2).state()).isEqualTo(ArmState.BETTER);
        assertThat(a.arms().get(0).state()).isEqualTo(ArmState.OPEN);
        assertThat(a.decision()).isEqualTo(Decision.STOP_EFFICACY);
        assertThat(a.winnerArm()).isEqualTo(3);
        assertThat(a.summary().winner()).isEqualTo(Winner.TREATMENT);
        assertThat(a.summary().estimate()).isEqualTo(a.arms().get(2).analysis().estimate());
    }

    @Test
    void shouldChooseTheBestOfTheSignificantlyBetterArms() {
        VariantStats good = arm(2000, 1900, 0.76, 0.2, 1000, 200);
        VariantStats better = arm(2000, 1900, 0.79, 0.2, 1000, 200);

        MultiArmAnalysis a = MultiArmAnalyzer.analyze(DESIGN, List.of(baseline, good, better), THIRDS, null);

        assertThat(a.arms()).extracting(ArmResult::state).containsExactly(ArmState.BETTER, ArmState.BETTER);
        assertThat(a.winnerArm()).isEqualTo(2);
        assertThat(a.reason()).startsWith("arm 2 better (2 of 2 significant after Holm)");
    }

    @Test
    void shouldBlockEveryDecisionOnASampleRatioMismatchOverThreeArms() {
        // weights 0.34/0.33/0.33 but counts 2000/2000/2600: χ² over 3 arms, 2 degrees of freedom
        VariantStats better = arm(2000, 1900, 0.79, 0.2, 1000, 200);
        VariantStats crowded = arm(2600, 2470, 0.70, 0.2, 1000, 200);

        MultiArmAnalysis a = MultiArmAnalyzer.analyze(DESIGN, List.of(baseline, better, crowded), THIRDS, null);

        assertThat(a.srm().pValue()).isLessThan(0.001);
        assertThat(a.srm()).isEqualTo(SampleRatioMismatch.check(new long[] {2000, 2000, 2600}, THIRDS));
        assertThat(a.decision()).isEqualTo(Decision.CONTINUE);
        assertThat(a.reason()).isEqualTo("srm");
        assertThat(a.summary().srm()).isEqualTo(a.srm());
    }

    @Test
    void shouldLeaveAnArmThatBrokeAGuardrailOutAndStopForSafetyWhenEveryArmDid() {
        TestDesign guarded = new TestDesign(
                Method.SEQUENTIAL,
                Metric.SCORE,
                0.05,
                5000,
                100,
                null,
                null,
                0.66,
                new Guardrails(0.95, null, null),
                0.001);
        VariantStats failing = arm(2000, 1000, 0.80, 0.2, 1000, 200); // best score, half the calls fail
        VariantStats good = arm(2000, 1900, 0.76, 0.2, 1000, 200);

        MultiArmAnalysis a = MultiArmAnalyzer.analyze(guarded, List.of(baseline, failing, good), THIRDS, null);

        assertThat(a.arms()).extracting(ArmResult::state).containsExactly(ArmState.GUARDRAIL_BROKEN, ArmState.BETTER);
        assertThat(a.winnerArm()).isEqualTo(2);

        MultiArmAnalysis all = MultiArmAnalyzer.analyze(guarded, List.of(baseline, failing, failing), THIRDS, null);
        assertThat(all.decision()).isEqualTo(Decision.STOP_SAFETY);
        assertThat(all.winnerArm()).isZero();
        assertThat(all.summary().winner()).isEqualTo(Winner.BASELINE);
    }

    @Test
    void shouldKeepTheBaselineWhenEveryTreatmentIsWorse() {
        VariantStats worse = arm(2000, 1900, 0.62, 0.2, 1000, 200);
        VariantStats worst = arm(2000, 1900, 0.60, 0.2, 1000, 200);

        MultiArmAnalysis a = MultiArmAnalyzer.analyze(DESIGN, List.of(baseline, worse, worst), THIRDS, null);

        assertThat(a.arms()).extracting(ArmResult::state).containsExactly(ArmState.WORSE, ArmState.WORSE);
        assertThat(a.decision()).isEqualTo(Decision.STOP_EFFICACY);
        assertThat(a.winnerArm()).isZero();
    }

    @Test
    void shouldStopForFutilityWhenEveryArmReachedTheMaximumSample() {
        TestDesign capped = TestDesign.sequential(Metric.SCORE, 100, 2000L);
        VariantStats same = arm(2000, 1900, 0.70, 0.2, 1000, 200);

        MultiArmAnalysis a = MultiArmAnalyzer.analyze(capped, List.of(baseline, same, same), THIRDS, null);

        assertThat(a.decision()).isEqualTo(Decision.STOP_FUTILITY);
        assertThat(a.winnerArm()).isNull();
    }

    @Test
    void shouldRejectBadInputClearly() {
        VariantStats t = arm(10, 10, 0.7, 0.2, 1000, 200);
        assertThatThrownBy(() -> MultiArmAnalyzer.analyze(DESIGN, List.of(baseline), new double[] {1}, null))
                .hasMessageContaining("1..8 treatments");
        assertThatThrownBy(() ->
                        MultiArmAnalyzer.analyze(DESIGN, List.of(baseline, t, t), new double[] {0.5, 0.5, 0}, null))
                .hasMessageContaining("weights must be > 0");
        assertThatThrownBy(() -> MultiArmAnalyzer.analyze(DESIGN.bayesian(null), List.of(baseline, t, t), THIRDS, null))
                .hasMessageContaining("not bayesian");
    }

    /** A treatment whose confidence sequence excludes zero at α = 0.05 but not at α/2 (the smallest such mean). */
    private VariantStats marginalArm() {
        TestDesign half = DESIGN.forArm(0.025, 0.5);
        for (int i = 0; i < 2000; i++) {
            VariantStats t = arm(2000, 1900, 0.70 + i * 0.0001, 0.2, 1000, 200);
            if (Analyzer.analyze(DESIGN, baseline, t, null).decision() == Decision.STOP_EFFICACY) {
                assertThat(Analyzer.analyze(half, baseline, t, null).decision()).isEqualTo(Decision.CONTINUE);
                return t;
            }
        }
        throw new AssertionError("no marginal arm found");
    }
}
