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
     *   <li>primary metric not estimable → CONTINUE with the reason of {@link EffectEstimator#whyNot} ("not enough
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
        Optional<Estimate> maybeEstimate = estimate(design, control, treatment);

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
                    whyNotEstimable(design, control, treatment).orElse(NOT_ENOUGH_DATA),
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

        if (design.method() == Method.BAYESIAN) {
            return bayesian(design, e, srm, guardrails, atMaximum);
        }
        Interval interval;
        double pValue;
        Double fraction = null;
        double adjustedAlpha;
        Double boundary = null;
        boolean finalLook;
        boolean oneSided = design.sidedness() == Sidedness.ONE_SIDED;
        // one-sided: the alternative is "treatment better", i.e. greater for higher-is-better metrics
        boolean greater = metric.higherIsBetter();
        if (design.method() == Method.SEQUENTIAL) {
            interval = oneSided
                    ? ConfidenceSequence.oneSidedInterval(e, design.alpha(), design.nStar(), greater)
                    : ConfidenceSequence.interval(e, design.alpha(), design.nStar());
            pValue = oneSided
                    ? ConfidenceSequence.oneSidedPValue(e, design.alpha(), design.nStar(), greater)
                    : ConfidenceSequence.pValue(e, design.alpha(), design.nStar());
            adjustedAlpha = design.alpha();
            finalLook = atMaximum;
        } else {
            double t = Math.min(1.0, (double) Math.min(nc, nt) / design.maxSamplePerVariant());
            double[] looks = looks(previousLookFractions, t);
            // AlphaSpending spends α/2 per side: a one-sided test at α uses the two-sided boundaries of 2α
            double spendingAlpha = oneSided ? 2 * design.alpha() : design.alpha();
            double c = AlphaSpending.boundaries(looks, spendingAlpha)[looks.length - 1];
            double width = c * e.standardError();
            if (Double.isInfinite(c)) {
                interval = new Interval(Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY);
            } else if (!oneSided) {
                interval = new Interval(e.effect() - width, e.effect() + width);
            } else {
                interval = greater
                        ? new Interval(e.effect() - width, Double.POSITIVE_INFINITY)
                        : new Interval(Double.NEGATIVE_INFINITY, e.effect() + width);
            }
            pValue = oneSided ? FixedHorizon.oneSidedPValue(e, greater) : FixedHorizon.pValue(e);
            fraction = t;
            adjustedAlpha =
                    oneSided ? AlphaSpending.spent(t, spendingAlpha) / 2 : AlphaSpending.spent(t, design.alpha());
            boundary = c;
            finalLook = t >= 1.0;
        }

        if (interval.excludesZero()) {
            boolean treatmentBetter = (e.effect() > 0) == metric.higherIsBetter();
            return new Analysis(
                    Decision.STOP_EFFICACY,
                    treatmentBetter ? Winner.TREATMENT : Winner.BASELINE,
                    String.format(
                            Locale.ROOT,
                            "%s better: %s effect %+.4f in [%.4f, %.4f]",
                            treatmentBetter ? "treatment" : "baseline",
                            design.effectType().code(),
                            e.effect(),
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

    /**
     * GrowthBook's Bayesian rule: the treatment won when its chance to win exceeds 1 − α, lost (the baseline wins)
     * when it is below α; the credible interval is the reported interval and the chance to win the posterior's.
     */
    private static Analysis bayesian(
            TestDesign design, Estimate e, SrmResult srm, GuardrailResult guardrails, boolean atMaximum) {
        BayesianEffect b = BayesianEffect.of(
                e, design.prior(), design.alpha(), design.metric().higherIsBetter());
        int verdict = b.decision(1 - design.alpha());
        Decision decision =
                verdict != 0 ? Decision.STOP_EFFICACY : atMaximum ? Decision.STOP_FUTILITY : Decision.CONTINUE;
        Winner winner = verdict > 0 ? Winner.TREATMENT : verdict < 0 ? Winner.BASELINE : null;
        String reason = verdict == 0
                ? (atMaximum ? NO_DIFFERENCE_AT_MAXIMUM : NO_DIFFERENCE_YET)
                : String.format(
                        Locale.ROOT,
                        "%s better: chance to win %.4f, %s effect %+.4f in credible [%.4f, %.4f]",
                        verdict > 0 ? "treatment" : "baseline",
                        b.chanceToWin(),
                        design.effectType().code(),
                        b.mean(),
                        b.credible().lower(),
                        b.credible().upper());
        return new Analysis(
                decision,
                winner,
                reason,
                e,
                b.credible(),
                null,
                b.chanceToWin(),
                srm,
                guardrails,
                null,
                design.alpha(),
                null,
                b);
    }

    /**
     * The primary metric's effect: regression-adjusted when the design uses CUPED ({@link Cuped}, on the arms'
     * covariate pairs), else on the metric's summaries ({@link EffectEstimator}; a ratio metric's summary is the
     * delta-method ratio of {@link Ratio}).
     */
    static Optional<Estimate> estimate(TestDesign design, VariantStats control, VariantStats treatment) {
        if (design.cuped()) {
            CoMoments[] arms = cupedArms(design.metric(), control, treatment);
            return Cuped.tryOf(design.effectType(), design.metric() == Metric.SUCCESS, arms[0], arms[1]);
        }
        return EffectEstimator.tryOf(
                design.effectType(), control.summary(design.metric()), treatment.summary(design.metric()));
    }

    /** Why {@link #estimate} is empty; empty when it is not. */
    static Optional<String> whyNotEstimable(TestDesign design, VariantStats control, VariantStats treatment) {
        if (design.cuped()) {
            CoMoments[] arms = cupedArms(design.metric(), control, treatment);
            return Cuped.whyNot(design.effectType(), design.metric() == Metric.SUCCESS, arms[0], arms[1]);
        }
        return EffectEstimator.whyNot(control.summary(design.metric()), treatment.summary(design.metric()));
    }

    /** The pooled θ a CUPED design uses at this look ({@link Cuped#theta} of {@link #cupedArms}). */
    public static double cupedTheta(Metric metric, VariantStats control, VariantStats treatment) {
        CoMoments[] arms = cupedArms(metric, control, treatment);
        return Cuped.theta(arms[0], arms[1]);
    }

    /**
     * Both arms' (covariate, metric) co-moments over every observation with a metric value. The rule for observations
     * without a covariate: they take the pooled mean of the covariates sent in both arms (one constant, chosen
     * without looking at the arms, so the adjusted effect stays unbiased; it adds nothing to Cov and Var(x)). GrowthBook
     * coalesces a missing pre-period value to 0 instead, natural for its count metrics; for a score of 0.7 ± 0.2 a 0
     * would be an outlier that drags θ and the variance reduction down. Every observation without a covariate →
     * constant covariate → θ = 0 → the unadjusted analysis.
     */
    static CoMoments[] cupedArms(Metric metric, VariantStats control, VariantStats treatment) {
        CoMoments sent = control.covariate().plus(treatment.covariate());
        double fill = sent.n() == 0 ? 0.0 : sent.meanX();
        return new CoMoments[] {withFill(metric, control, fill), withFill(metric, treatment, fill)};
    }

    private static CoMoments withFill(Metric metric, VariantStats arm, double fill) {
        Moments rest = arm.values(metric).minus(arm.covariate().y());
        if (rest.n() == 0) {
            return arm.covariate();
        }
        return arm.covariate().plus(new CoMoments(rest.n(), fill, rest.mean(), 0.0, rest.m2(), 0.0));
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
