package io.promptloop.abtest.analysis.domain;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * Business rule of the A/B service: stop for a winner when the interval excludes zero, the guardrails hold, the
 * sample ratio is sound and both arms reached the minimum sample; stop for safety when a guardrail breaks; stop for
 * futility at the maximum sample; otherwise continue.
 */
public final class Analyzer {

    static final String NOT_ENOUGH_DATA = "not enough data";
    static final String SRM = "srm";
    static final String SRM_AT_MAXIMUM = "srm at maximum sample";
    static final String MINIMUM_SAMPLE = "minimum sample not reached";
    static final String NO_DIFFERENCE_AT_MAXIMUM = "maximum sample reached without a significant difference";
    static final String NO_DIFFERENCE_YET = "no significant difference yet";

    private Analyzer() {}

    /**
     * Analyses one look. Rules, first match wins:
     *
     * <ol>
     *   <li>SRM: Pearson χ² on the arms' observation counts against {@code trafficSplit} (always reported);
     *   <li>guardrails broken → STOP_SAFETY, winner BASELINE (checked even when the primary metric is not yet
     *       estimable: a treatment that fails every call may never produce a score);
     *   <li>primary metric not estimable → CONTINUE with the reason of {@link RelativeLift#whyNot} ("not enough
     *       data", zero variance in an arm, control mean 0 — gbstats' default result, which decides nothing);
     *   <li>SRM p &lt; srmThreshold → CONTINUE "srm", or STOP_FUTILITY "srm at maximum sample" once both arms reached
     *       the maximum sample;
     *   <li>either arm below the minimum sample → CONTINUE;
     *   <li>interval excludes zero → STOP_EFFICACY, winner the better arm given the metric's direction (sequential:
     *       confidence sequence; fixed: lift ± c_k·√var with c_k the alpha-spending boundary of this look);
     *   <li>both arms at the maximum sample (fixed: information fraction 1) → STOP_FUTILITY; else CONTINUE.
     * </ol>
     *
     * @param previousLookFractions fixed design: information fractions of the earlier looks that used a boundary
     *     (their {@link Analysis#informationFraction()}); values not below the current fraction are ignored, since
     *     re-analysing the same information spends no more alpha. Ignored for sequential designs; null = none.
     */
    public static Analysis analyze(
            TestDesign design, VariantStats control, VariantStats treatment, double[] previousLookFractions) {
        Metric metric = design.metric();
        long nc = control.n();
        long nt = treatment.n();
        SrmResult srm = SampleRatioMismatch.check(nc, nt, design.trafficSplit());
        GuardrailResult guardrails = GuardrailCheck.evaluate(
                design.guardrails(), control, treatment, design.alpha(), design.nStar(), design.minSamplePerVariant());
        SampleSummary controlSummary = control.summary(metric);
        SampleSummary treatmentSummary = treatment.summary(metric);
        Optional<Estimate> maybeEstimate = RelativeLift.tryOf(controlSummary, treatmentSummary);

        if (!guardrails.ok()) {
            Estimate e = maybeEstimate.orElse(null);
            return new Analysis(
                    Decision.STOP_SAFETY,
                    Winner.BASELINE,
                    "guardrail broken: " + String.join("; ", guardrails.breaches()),
                    e,
                    null,
                    null,
                    e == null ? null : ChanceToWin.of(e, metric.higherIsBetter()),
                    srm,
                    guardrails,
                    null,
                    null,
                    null);
        }
        if (maybeEstimate.isEmpty()) {
            return new Analysis(
                    Decision.CONTINUE,
                    null,
                    RelativeLift.whyNot(controlSummary, treatmentSummary).orElse(NOT_ENOUGH_DATA),
                    null,
                    null,
                    null,
                    null,
                    srm,
                    guardrails,
                    null,
                    null,
                    null);
        }
        Estimate e = maybeEstimate.get();
        double chanceToWin = ChanceToWin.of(e, metric.higherIsBetter());
        boolean atMaximum = design.maxSamplePerVariant() != null
                && nc >= design.maxSamplePerVariant()
                && nt >= design.maxSamplePerVariant();

        if (srm.blocksDecision(design.srmThreshold())) {
            return new Analysis(
                    atMaximum ? Decision.STOP_FUTILITY : Decision.CONTINUE,
                    null,
                    atMaximum ? SRM_AT_MAXIMUM : SRM,
                    e,
                    null,
                    null,
                    chanceToWin,
                    srm,
                    guardrails,
                    null,
                    null,
                    null);
        }
        if (Math.min(nc, nt) < design.minSamplePerVariant()) {
            return new Analysis(
                    Decision.CONTINUE,
                    null,
                    MINIMUM_SAMPLE,
                    e,
                    null,
                    null,
                    chanceToWin,
                    srm,
                    guardrails,
                    null,
                    null,
                    null);
        }

        Interval interval;
        double pValue;
        Double fraction = null;
        double adjustedAlpha;
        Double boundary = null;
        boolean finalLook;
        if (design.method() == Method.SEQUENTIAL) {
            interval = ConfidenceSequence.interval(e, design.alpha(), design.nStar());
            pValue = ConfidenceSequence.pValue(e, design.alpha(), design.nStar());
            adjustedAlpha = design.alpha();
            finalLook = atMaximum;
        } else {
            double t = Math.min(1.0, (double) Math.min(nc, nt) / design.maxSamplePerVariant());
            double[] looks = looks(previousLookFractions, t);
            double c = AlphaSpending.boundaries(looks, design.alpha())[looks.length - 1];
            double width = c * e.standardError();
            interval = Double.isInfinite(c)
                    ? new Interval(Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY)
                    : new Interval(e.lift() - width, e.lift() + width);
            pValue = FixedHorizon.pValue(e);
            fraction = t;
            adjustedAlpha = AlphaSpending.spent(t, design.alpha());
            boundary = c;
            finalLook = t >= 1.0;
        }

        if (interval.excludesZero()) {
            boolean treatmentBetter = (e.lift() > 0) == metric.higherIsBetter();
            return new Analysis(
                    Decision.STOP_EFFICACY,
                    treatmentBetter ? Winner.TREATMENT : Winner.BASELINE,
                    String.format(
                            Locale.ROOT,
                            "%s better: lift %+.4f in [%.4f, %.4f]",
                            treatmentBetter ? "treatment" : "baseline",
                            e.lift(),
                            interval.lower(),
                            interval.upper()),
                    e,
                    interval,
                    pValue,
                    chanceToWin,
                    srm,
                    guardrails,
                    fraction,
                    adjustedAlpha,
                    boundary);
        }
        return new Analysis(
                finalLook ? Decision.STOP_FUTILITY : Decision.CONTINUE,
                null,
                finalLook ? NO_DIFFERENCE_AT_MAXIMUM : NO_DIFFERENCE_YET,
                e,
                interval,
                pValue,
                chanceToWin,
                srm,
                guardrails,
                fraction,
                adjustedAlpha,
                boundary);
    }

    /** Earlier looks strictly below the current fraction, sorted, without duplicates, then the current one. */
    private static double[] looks(double[] previous, double current) {
        double[] earlier = earlier(previous, current);
        double[] all = Arrays.copyOf(earlier, earlier.length + 1);
        all[earlier.length] = current;
        return all;
    }

    private static double[] earlier(double[] previous, double current) {
        if (previous == null) {
            return new double[0];
        }
        for (double f : previous) {
            if (!(f > 0 && f <= 1)) {
                throw new IllegalArgumentException(
                        "previous look fractions must be in (0, 1], got " + Arrays.toString(previous));
            }
        }
        return Arrays.stream(previous)
                .filter(f -> f < current)
                .sorted()
                .distinct()
                .toArray();
    }
}
