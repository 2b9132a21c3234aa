package io.promptloop.abtest.analysis.domain;

import static io.promptloop.abtest.analysis.domain.Arms.arm;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class AnalyzerTest {

    private static final double[] NO_LOOKS = {};

    /** Sequential on the score, 100..10,000 per arm, 50/50. */
    private static final TestDesign SEQUENTIAL = TestDesign.sequential(Metric.SCORE, 100, 10_000L);

    /** The same with a maximum of 1,000 per arm. */
    private static final TestDesign SEQUENTIAL_MAX_1000 = TestDesign.sequential(Metric.SCORE, 100, 1_000L);

    /** The same without a maximum, guarding the success rate (at most 2% relatively worse). */
    private static final TestDesign GUARDED = new TestDesign(
            Method.SEQUENTIAL, Metric.SCORE, 0.05, 5000, 100, null, null, 0.5, new Guardrails(0.98, null, null), 0.001);

    /** Sequential on latency: lower is better. */
    private static final TestDesign LATENCY = TestDesign.sequential(Metric.LATENCY_MS, 100, null);

    /** Sequential with 25% of the traffic in treatment. */
    private static final TestDesign QUARTER_SPLIT = new TestDesign(
            Method.SEQUENTIAL, Metric.SCORE, 0.05, 5000, 100, null, null, 0.25, Guardrails.none(), 0.001);

    /** Fixed: at most 2,000 per arm, 2 planned looks, Lan–DeMets OBF. */
    private static final TestDesign FIXED =
            new TestDesign(Method.FIXED, Metric.SCORE, 0.05, 5000, 100, 2_000L, 2, 0.5, Guardrails.none(), 0.001);

    static Stream<Arguments> rules() {
        return Stream.of(
                // (b) one observation in control: nothing to estimate yet
                arguments(
                        "not estimable",
                        SEQUENTIAL,
                        arm(1, 1, 0.7, 0, 900, 0),
                        arm(1, 1, 0.9, 0, 900, 0),
                        NO_LOOKS,
                        Decision.CONTINUE,
                        null,
                        "not enough data"),
                // (c) success rate 60% vs 95%: safety stop even though the score would win
                arguments(
                        "guardrail",
                        GUARDED,
                        arm(1000, 950, 0.70, 0.2, 900, 100),
                        arm(1000, 600, 0.80, 0.2, 900, 100),
                        NO_LOOKS,
                        Decision.STOP_SAFETY,
                        Winner.BASELINE,
                        "guardrail broken: success_rate"),
                // (c) before (b): the failing treatment produced no scores at all, the guardrail still stops it
                arguments(
                        "guardrail without scores",
                        GUARDED,
                        arm(1000, 950, 0.70, 0.2, 900, 100),
                        new VariantStats(1000, 600, Moments.EMPTY, Arms.moments(1000, 900, 100), null),
                        NO_LOOKS,
                        Decision.STOP_SAFETY,
                        Winner.BASELINE,
                        "guardrail broken"),
                // (d) 1,000 vs 1,200 at 50/50 (χ² = 18.2, p ≈ 2e-5): no decision despite a clear score lift
                arguments(
                        "srm",
                        SEQUENTIAL,
                        arm(1000, 900, 0.70, 0.2, 900, 100),
                        arm(1200, 1080, 0.80, 0.2, 900, 100),
                        NO_LOOKS,
                        Decision.CONTINUE,
                        null,
                        "srm"),
                // (d) the same mismatch with both arms at the maximum sample: give up
                arguments(
                        "srm at maximum",
                        SEQUENTIAL_MAX_1000,
                        arm(1000, 900, 0.70, 0.2, 900, 100),
                        arm(1200, 1080, 0.80, 0.2, 900, 100),
                        NO_LOOKS,
                        Decision.STOP_FUTILITY,
                        null,
                        "srm at maximum sample"),
                // (e) both arms at 50 < 100 with a huge lift
                arguments(
                        "both below minimum",
                        SEQUENTIAL,
                        arm(50, 45, 0.50, 0.1, 900, 100),
                        arm(50, 45, 0.90, 0.1, 900, 100),
                        NO_LOOKS,
                        Decision.CONTINUE,
                        null,
                        "minimum sample not reached"),
                // (e) 150 vs 50 at a 25% split fits (no SRM), but treatment is below the minimum
                arguments(
                        "one arm below minimum",
                        QUARTER_SPLIT,
                        arm(150, 140, 0.50, 0.1, 900, 100),
                        arm(50, 45, 0.90, 0.1, 900, 100),
                        NO_LOOKS,
                        Decision.CONTINUE,
                        null,
                        "minimum sample not reached"),
                // (f) 0.70 vs 0.75 with 2,000 per arm: z ≈ 7.6, the sequence excludes zero, treatment wins
                arguments(
                        "treatment wins",
                        SEQUENTIAL,
                        arm(2000, 1800, 0.70, 0.2, 900, 100),
                        arm(2000, 1800, 0.75, 0.2, 900, 100),
                        NO_LOOKS,
                        Decision.STOP_EFFICACY,
                        Winner.TREATMENT,
                        "treatment better"),
                // (f) the mirror image: the baseline is significantly better
                arguments(
                        "baseline wins",
                        SEQUENTIAL,
                        arm(2000, 1800, 0.75, 0.2, 900, 100),
                        arm(2000, 1800, 0.70, 0.2, 900, 100),
                        NO_LOOKS,
                        Decision.STOP_EFFICACY,
                        Winner.BASELINE,
                        "baseline better"),
                // (f) latency 1,000 → 900 ms (z ≈ −11.8): a negative lift is a win when lower is better
                arguments(
                        "faster treatment wins",
                        LATENCY,
                        arm(1000, 900, 0.70, 0.2, 1000, 200),
                        arm(1000, 900, 0.70, 0.2, 900, 200),
                        NO_LOOKS,
                        Decision.STOP_EFFICACY,
                        Winner.TREATMENT,
                        "treatment better"),
                // (g) z ≈ 2.54 with 1,000 per arm: a fixed-horizon test would reject, the sequence (±3.1 se) not
                arguments(
                        "no difference yet",
                        SEQUENTIAL,
                        arm(1000, 900, 0.70, 0.2, 900, 100),
                        arm(1000, 900, 0.7231, 0.2, 900, 100),
                        NO_LOOKS,
                        Decision.CONTINUE,
                        null,
                        "no significant difference yet"),
                // (g) both arms at the maximum of 1,000 with z ≈ 0.08
                arguments(
                        "futility at maximum",
                        SEQUENTIAL_MAX_1000,
                        arm(1000, 900, 0.70, 0.2, 900, 100),
                        arm(1000, 900, 0.701, 0.2, 900, 100),
                        NO_LOOKS,
                        Decision.STOP_FUTILITY,
                        null,
                        "maximum sample reached without a significant difference"),
                // fixed (f): first look at half the information, z ≈ 2.54 < c₁ = 2.963
                arguments(
                        "fixed interim below boundary",
                        FIXED,
                        arm(1000, 900, 0.70, 0.2, 900, 100),
                        arm(1000, 900, 0.7231, 0.2, 900, 100),
                        NO_LOOKS,
                        Decision.CONTINUE,
                        null,
                        "no significant difference yet"),
                // fixed (f): first look at half the information, z ≈ 4.3 > c₁ = 2.963
                arguments(
                        "fixed interim above boundary",
                        FIXED,
                        arm(1000, 900, 0.70, 0.2, 900, 100),
                        arm(1000, 900, 0.74, 0.2, 900, 100),
                        NO_LOOKS,
                        Decision.STOP_EFFICACY,
                        Winner.TREATMENT,
                        "treatment better"),
                // fixed (f): final look after a look at 0.5, z ≈ 2.55 > c₂ = 1.969
                arguments(
                        "fixed final look above boundary",
                        FIXED,
                        arm(2000, 1800, 0.70, 0.2, 900, 100),
                        arm(2000, 1800, 0.7163, 0.2, 900, 100),
                        new double[] {0.5},
                        Decision.STOP_EFFICACY,
                        Winner.TREATMENT,
                        "treatment better"),
                // fixed (g): final look, z ≈ 0.16
                arguments(
                        "fixed final look without difference",
                        FIXED,
                        arm(2000, 1800, 0.70, 0.2, 900, 100),
                        arm(2000, 1800, 0.701, 0.2, 900, 100),
                        new double[] {0.5},
                        Decision.STOP_FUTILITY,
                        null,
                        "maximum sample reached without a significant difference"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rules")
    void shouldApplyTheDecisionRulesInOrder(
            String rule,
            TestDesign design,
            VariantStats control,
            VariantStats treatment,
            double[] previousLooks,
            Decision decision,
            Winner winner,
            String reason) {
        Analysis analysis = Analyzer.analyze(design, control, treatment, previousLooks);

        assertThat(analysis.decision()).isEqualTo(decision);
        assertThat(analysis.winner()).isEqualTo(winner);
        assertThat(analysis.reason()).startsWith(reason);
    }

    @Test
    void shouldReportTheSequentialEvidence() {
        VariantStats control = arm(2000, 1800, 0.70, 0.2, 900, 100);
        VariantStats treatment = arm(2000, 1800, 0.75, 0.2, 900, 100);
        Estimate e =
                EffectEstimator.of(control.score().summary(), treatment.score().summary());

        Analysis analysis = Analyzer.analyze(SEQUENTIAL, control, treatment, null);

        assertThat(analysis.estimate()).isEqualTo(e);
        assertThat(analysis.interval()).isEqualTo(ConfidenceSequence.interval(e, 0.05, 5000));
        assertThat(analysis.pValue())
                .isEqualTo(ConfidenceSequence.pValue(e, 0.05, 5000))
                .isLessThan(0.05);
        assertThat(analysis.chanceToWin()).isEqualTo(ChanceToWin.of(e, true)).isGreaterThan(0.99);
        assertThat(analysis.srm().severity()).isEqualTo(SrmResult.Severity.NONE);
        assertThat(analysis.guardrails().ok()).isTrue();
        assertThat(analysis.adjustedAlpha()).isEqualTo(0.05);
        assertThat(analysis.informationFraction()).isNull();
        assertThat(analysis.boundary()).isNull();
    }

    @Test
    void shouldDecideOnTheAbsoluteEffectWhenTheTestChoseIt() {
        VariantStats control = arm(2000, 1800, 0.70, 0.2, 900, 100);
        VariantStats treatment = arm(2000, 1800, 0.75, 0.2, 900, 100);
        Estimate e = EffectEstimator.tryOf(
                        EffectType.ABSOLUTE,
                        control.score().summary(),
                        treatment.score().summary())
                .orElseThrow();

        Analysis analysis =
                Analyzer.analyze(SEQUENTIAL.with(EffectType.ABSOLUTE, Sidedness.TWO_SIDED), control, treatment, null);

        assertThat(analysis.estimate()).isEqualTo(e);
        assertThat(analysis.estimate().effect()).isCloseTo(0.05, within(1e-12));
        assertThat(analysis.interval()).isEqualTo(ConfidenceSequence.interval(e, 0.05, 5000));
        assertThat(analysis.decision()).isEqualTo(Decision.STOP_EFFICACY);
        assertThat(analysis.reason()).contains("absolute effect +0.0500");
    }

    @Test
    void shouldConcludeOneSidedOnlyForTheTreatment() {
        TestDesign oneSided = SEQUENTIAL_MAX_1000.with(EffectType.RELATIVE, Sidedness.ONE_SIDED);
        VariantStats control = arm(1000, 900, 0.70, 0.2, 900, 100);
        VariantStats better = arm(1000, 900, 0.76, 0.2, 900, 100);
        VariantStats worse = arm(1000, 900, 0.64, 0.2, 900, 100);

        Analysis win = Analyzer.analyze(oneSided, control, better, null);
        Analysis loss = Analyzer.analyze(oneSided, control, worse, null);
        Analysis twoSidedLoss = Analyzer.analyze(SEQUENTIAL_MAX_1000, control, worse, null);

        assertThat(win.decision()).isEqualTo(Decision.STOP_EFFICACY);
        assertThat(win.winner()).isEqualTo(Winner.TREATMENT);
        assertThat(win.interval().upper()).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(win.interval()).isEqualTo(ConfidenceSequence.oneSidedInterval(win.estimate(), 0.05, 5000, true));
        // a one-sided test never finds for the baseline: at the maximum sample it stops for futility instead
        assertThat(twoSidedLoss.winner()).isEqualTo(Winner.BASELINE);
        assertThat(loss.decision()).isEqualTo(Decision.STOP_FUTILITY);
        assertThat(loss.winner()).isNull();
        assertThat(loss.pValue()).isEqualTo(0.5);
    }

    @Test
    void shouldTestLowerIsBetterMetricsOneSidedDownwards() {
        TestDesign oneSided = LATENCY.with(EffectType.RELATIVE, Sidedness.ONE_SIDED);
        VariantStats control = arm(2000, 1800, 0.70, 0.2, 900, 100);
        VariantStats faster = arm(2000, 1800, 0.70, 0.2, 850, 100);

        Analysis a = Analyzer.analyze(oneSided, control, faster, null);

        assertThat(a.interval().lower()).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(a.decision()).isEqualTo(Decision.STOP_EFFICACY);
        assertThat(a.winner()).isEqualTo(Winner.TREATMENT);
    }

    @Test
    void shouldSpendTwiceTheAlphaOnOneSideOfAOneSidedFixedDesign() {
        VariantStats control = arm(2000, 1800, 0.70, 0.2, 900, 100);
        VariantStats treatment = arm(2000, 1800, 0.7163, 0.2, 900, 100);
        Estimate e =
                EffectEstimator.of(control.score().summary(), treatment.score().summary());
        double c2 = AlphaSpending.boundaries(new double[] {0.5, 1.0}, 0.10)[1];

        Analysis a = Analyzer.analyze(
                FIXED.with(EffectType.RELATIVE, Sidedness.ONE_SIDED), control, treatment, new double[] {0.5});

        // one-sided α = 0.05 spends like two-sided 0.10 (α/2 per side), so the final boundary is below 1.9686
        assertThat(a.boundary()).isEqualTo(c2).isLessThan(1.9686);
        assertThat(a.adjustedAlpha()).isCloseTo(0.05, within(1e-15));
        assertThat(a.interval().lower()).isCloseTo(e.effect() - c2 * e.standardError(), within(1e-15));
        assertThat(a.interval().upper()).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(a.pValue()).isEqualTo(FixedHorizon.oneSidedPValue(e, true));
        assertThat(a.decision()).isEqualTo(Decision.STOP_EFFICACY);
    }

    @Test
    void shouldDecideByTheChanceToWinInABayesianDesign() {
        VariantStats control = arm(2000, 1800, 0.70, 0.2, 900, 100);
        VariantStats treatment = arm(2000, 1800, 0.71, 0.2, 900, 100);
        VariantStats clearlyBetter = arm(2000, 1800, 0.75, 0.2, 900, 100);
        TestDesign flat = SEQUENTIAL.bayesian(null);
        TestDesign sceptical = SEQUENTIAL.bayesian(new GaussianPrior(0, 0.0001));
        Estimate e =
                EffectEstimator.of(control.score().summary(), treatment.score().summary());

        Analysis unsure = Analyzer.analyze(flat, control, treatment, null);
        Analysis won = Analyzer.analyze(flat, control, clearlyBetter, null);
        Analysis shrunk = Analyzer.analyze(sceptical, control, treatment, null);

        assertThat(unsure.bayesian()).isEqualTo(BayesianEffect.of(e, null, 0.05, true));
        assertThat(unsure.interval()).isEqualTo(unsure.bayesian().credible());
        assertThat(unsure.chanceToWin())
                .isEqualTo(unsure.bayesian().chanceToWin())
                .isBetween(0.05, 0.95);
        assertThat(unsure.decision()).isEqualTo(Decision.CONTINUE);
        assertThat(unsure.pValue()).isNull();
        assertThat(won.decision()).isEqualTo(Decision.STOP_EFFICACY);
        assertThat(won.winner()).isEqualTo(Winner.TREATMENT);
        assertThat(won.reason()).startsWith("treatment better: chance to win");
        // an informative prior centred on 0 pulls the posterior towards no effect
        assertThat(shrunk.bayesian().mean()).isLessThan(unsure.bayesian().mean());
        assertThat(shrunk.chanceToWin()).isLessThan(unsure.chanceToWin());
    }

    @Test
    void shouldReportTheAlphaSpendingOfAFixedLook() {
        VariantStats control = arm(2000, 1800, 0.70, 0.2, 900, 100);
        VariantStats treatment = arm(2000, 1800, 0.7163, 0.2, 900, 100);
        Estimate e =
                EffectEstimator.of(control.score().summary(), treatment.score().summary());
        double c2 = AlphaSpending.boundaries(new double[] {0.5, 1.0}, 0.05)[1];

        Analysis analysis = Analyzer.analyze(FIXED, control, treatment, new double[] {0.5});

        assertThat(analysis.informationFraction()).isEqualTo(1.0);
        assertThat(analysis.boundary()).isCloseTo(1.9686, within(1e-4)).isEqualTo(c2);
        assertThat(analysis.adjustedAlpha()).isEqualTo(0.05);
        assertThat(analysis.interval().lower()).isCloseTo(e.effect() - c2 * e.standardError(), within(1e-15));
        assertThat(analysis.pValue()).isEqualTo(FixedHorizon.pValue(e));
    }

    @Test
    void shouldSpendNoMoreAlphaWhenTheSameInformationIsAnalysedAgain() {
        // a re-analysis at fraction 0.5 after a recorded look at 0.5 uses the first-look boundary again
        VariantStats control = arm(1000, 900, 0.70, 0.2, 900, 100);
        VariantStats treatment = arm(1000, 900, 0.7231, 0.2, 900, 100);

        Analysis again = Analyzer.analyze(FIXED, control, treatment, new double[] {0.5, 0.5});
        Analysis first = Analyzer.analyze(FIXED, control, treatment, null);

        assertThat(again.boundary()).isEqualTo(first.boundary()).isCloseTo(2.9626, within(1e-4));
        assertThat(again.adjustedAlpha()).isEqualTo(AlphaSpending.spent(0.5, 0.05));
    }

    @Test
    void shouldReportChanceToWinForLowerIsBetterMetrics() {
        VariantStats control = arm(1000, 900, 0.70, 0.2, 1000, 200);
        VariantStats treatment = arm(1000, 900, 0.70, 0.2, 900, 200);

        Analysis analysis = Analyzer.analyze(LATENCY, control, treatment, null);

        assertThat(analysis.estimate().effect()).isCloseTo(-0.1, within(1e-12));
        assertThat(analysis.chanceToWin()).isGreaterThan(0.99);
    }

    @Test
    void shouldLeaveTheEvidenceEmptyWhenNothingIsEstimable() {
        Analysis analysis = Analyzer.analyze(SEQUENTIAL, VariantStats.empty(), VariantStats.empty(), null);

        assertThat(analysis.estimate()).isNull();
        assertThat(analysis.interval()).isNull();
        assertThat(analysis.pValue()).isNull();
        assertThat(analysis.chanceToWin()).isNull();
        assertThat(analysis.srm().pValue()).isEqualTo(1.0);
    }

    @Test
    void shouldRejectPreviousLooksOutsideTheUnitInterval() {
        VariantStats arm = arm(1000, 900, 0.70, 0.2, 900, 100);

        assertThatThrownBy(() -> Analyzer.analyze(FIXED, arm, arm, new double[] {1.5}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("previous look fractions");
    }
}
