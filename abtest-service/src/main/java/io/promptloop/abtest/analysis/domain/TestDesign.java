package io.promptloop.abtest.analysis.domain;

/**
 * How one A/B test is analysed and when it may stop.
 *
 * @param method sequential (anytime-valid) or fixed (alpha spending)
 * @param metric the primary metric
 * @param alpha two-sided significance level, in (0, 1)
 * @param nStar tuning parameter N* of the confidence sequence (total sample where it is tightest), &gt; 0; also used
 *     by the guardrails in both methods
 * @param minSamplePerVariant no efficacy stop before both arms have this many observations, ≥ 1
 * @param maxSamplePerVariant stop for futility once both arms reach it; required for fixed, optional for sequential
 * @param plannedLooks number of planned looks of a fixed design (≥ 1); informational for alpha spending, which
 *     adapts to the looks actually taken
 * @param trafficSplit share of units assigned to treatment, in (0, 1)
 * @param guardrails limits on the treatment; null is read as {@link Guardrails#none()}
 * @param srmThreshold SRM p-value below which no decision is taken, in (0, 1) (DESIGN default 0.001)
 * @param effectType relative (default) or absolute effect; null is read as relative
 * @param sidedness two-sided (default) or one-sided for "treatment better"; null is read as two-sided. One-sided
 *     needs alpha &lt; 0.5; a Bayesian design is two-sided
 * @param prior Bayesian design: informative prior on the relative effect, null for gbstats' flat prior; ignored by
 *     the other methods
 * @param cuped regression-adjust the primary metric with the observations' pre-exposure covariate ({@link Cuped});
 *     not offered for the ratio metric
 */
public record TestDesign(
        Method method,
        Metric metric,
        double alpha,
        double nStar,
        long minSamplePerVariant,
        Long maxSamplePerVariant,
        Integer plannedLooks,
        double trafficSplit,
        Guardrails guardrails,
        double srmThreshold,
        EffectType effectType,
        Sidedness sidedness,
        GaussianPrior prior,
        boolean cuped) {

    public static final double DEFAULT_ALPHA = 0.05;
    public static final double DEFAULT_SRM_THRESHOLD = 0.001;

    public TestDesign {
        if (method == null || metric == null) {
            throw new IllegalArgumentException("method and metric are required");
        }
        if (!(alpha > 0 && alpha < 1)) {
            throw new IllegalArgumentException("alpha must be in (0, 1), got " + alpha);
        }
        if (!(nStar > 0) || !Double.isFinite(nStar)) {
            throw new IllegalArgumentException("nStar must be positive, got " + nStar);
        }
        if (minSamplePerVariant < 1) {
            throw new IllegalArgumentException("minSamplePerVariant must be >= 1, got " + minSamplePerVariant);
        }
        if (maxSamplePerVariant != null && maxSamplePerVariant < minSamplePerVariant) {
            throw new IllegalArgumentException("maxSamplePerVariant (" + maxSamplePerVariant
                    + ") must be >= minSamplePerVariant (" + minSamplePerVariant + ")");
        }
        if (plannedLooks != null && plannedLooks < 1) {
            throw new IllegalArgumentException("plannedLooks must be >= 1, got " + plannedLooks);
        }
        if (method == Method.FIXED && (maxSamplePerVariant == null || plannedLooks == null)) {
            throw new IllegalArgumentException("a fixed design needs maxSamplePerVariant and plannedLooks");
        }
        if (!(trafficSplit > 0 && trafficSplit < 1)) {
            throw new IllegalArgumentException("trafficSplit must be in (0, 1), got " + trafficSplit);
        }
        if (!(srmThreshold > 0 && srmThreshold < 1)) {
            throw new IllegalArgumentException("srmThreshold must be in (0, 1), got " + srmThreshold);
        }
        guardrails = guardrails == null ? Guardrails.none() : guardrails;
        effectType = effectType == null ? EffectType.RELATIVE : effectType;
        sidedness = sidedness == null ? Sidedness.TWO_SIDED : sidedness;
        if (sidedness == Sidedness.ONE_SIDED && !(alpha < 0.5)) {
            throw new IllegalArgumentException("a one-sided test needs alpha < 0.5, got " + alpha);
        }
        if (sidedness == Sidedness.ONE_SIDED && method == Method.BAYESIAN) {
            throw new IllegalArgumentException("a Bayesian test is two-sided: its decision rule is the chance to win");
        }
        if (cuped && metric == Metric.RATIO) {
            throw new IllegalArgumentException("CUPED is offered for score, success and latency_ms, not for ratio");
        }
    }

    /** A design without CUPED. */
    public TestDesign(
            Method method,
            Metric metric,
            double alpha,
            double nStar,
            long minSamplePerVariant,
            Long maxSamplePerVariant,
            Integer plannedLooks,
            double trafficSplit,
            Guardrails guardrails,
            double srmThreshold,
            EffectType effectType,
            Sidedness sidedness,
            GaussianPrior prior) {
        this(
                method,
                metric,
                alpha,
                nStar,
                minSamplePerVariant,
                maxSamplePerVariant,
                plannedLooks,
                trafficSplit,
                guardrails,
                srmThreshold,
                effectType,
                sidedness,
                prior,
                false);
    }

    /** This design with CUPED on or off. */
    public TestDesign withCuped(boolean cuped) {
        return new TestDesign(
                method,
                metric,
                alpha,
                nStar,
                minSamplePerVariant,
                maxSamplePerVariant,
                plannedLooks,
                trafficSplit,
                guardrails,
                srmThreshold,
                effectType,
                sidedness,
                prior,
                cuped);
    }

    /** A relative, two-sided design. */
    public TestDesign(
            Method method,
            Metric metric,
            double alpha,
            double nStar,
            long minSamplePerVariant,
            Long maxSamplePerVariant,
            Integer plannedLooks,
            double trafficSplit,
            Guardrails guardrails,
            double srmThreshold) {
        this(
                method,
                metric,
                alpha,
                nStar,
                minSamplePerVariant,
                maxSamplePerVariant,
                plannedLooks,
                trafficSplit,
                guardrails,
                srmThreshold,
                EffectType.RELATIVE,
                Sidedness.TWO_SIDED,
                null);
    }

    /** This design with another effect type and sidedness. */
    public TestDesign with(EffectType effectType, Sidedness sidedness) {
        return new TestDesign(
                method,
                metric,
                alpha,
                nStar,
                minSamplePerVariant,
                maxSamplePerVariant,
                plannedLooks,
                trafficSplit,
                guardrails,
                srmThreshold,
                effectType,
                sidedness,
                prior,
                cuped);
    }

    /** This design as a Bayesian one with the given prior (null: flat). */
    public TestDesign bayesian(GaussianPrior prior) {
        return new TestDesign(
                Method.BAYESIAN,
                metric,
                alpha,
                nStar,
                minSamplePerVariant,
                maxSamplePerVariant,
                plannedLooks,
                trafficSplit,
                guardrails,
                srmThreshold,
                effectType,
                sidedness,
                prior,
                cuped);
    }

    /**
     * This design at another level and traffic split: one treatment arm of a multi-arm test against the baseline,
     * tested at its Holm–Bonferroni level with the pair's own split w_k / (w_0 + w_k) ({@link MultiArmAnalyzer}).
     */
    public TestDesign forArm(double armAlpha, double pairSplit) {
        return new TestDesign(
                method,
                metric,
                armAlpha,
                nStar,
                minSamplePerVariant,
                maxSamplePerVariant,
                plannedLooks,
                pairSplit,
                guardrails,
                srmThreshold,
                effectType,
                sidedness,
                prior);
    }

    /** A sequential design with the DESIGN defaults: α = 0.05, N* = 5,000, 50/50 split, SRM threshold 0.001. */
    public static TestDesign sequential(Metric metric, long minSamplePerVariant, Long maxSamplePerVariant) {
        return new TestDesign(
                Method.SEQUENTIAL,
                metric,
                DEFAULT_ALPHA,
                ConfidenceSequence.DEFAULT_N_STAR,
                minSamplePerVariant,
                maxSamplePerVariant,
                null,
                0.5,
                Guardrails.none(),
                DEFAULT_SRM_THRESHOLD);
    }
}
