package io.promptloop.abtest.analysis.domain;

/**
 * The effect of treatment over control — relative or absolute, as the test chose — with the variance of that
 * estimate. Only estimable comparisons produce one (see {@link EffectEstimator}).
 *
 * @param type relative ((m_t − m_c)/|m_c|) or absolute (m_t − m_c)
 * @param controlMean mean of the control arm
 * @param treatmentMean mean of the treatment arm
 * @param effect the estimated effect of the given type
 * @param variance variance of {@code effect} (delta method for the relative effect), &gt; 0
 * @param welchDf Welch–Satterthwaite degrees of freedom
 * @param controlN observations in the control arm
 * @param treatmentN observations in the treatment arm
 */
public record Estimate(
        EffectType type,
        double controlMean,
        double treatmentMean,
        double effect,
        double variance,
        double welchDf,
        long controlN,
        long treatmentN) {

    public Estimate {
        if (type == null) {
            throw new IllegalArgumentException("effect type is required");
        }
        if (!Double.isFinite(effect)) {
            throw new IllegalArgumentException("effect must be finite, got " + effect);
        }
        if (!(variance > 0) || !Double.isFinite(variance)) {
            throw new IllegalArgumentException("variance must be positive and finite, got " + variance);
        }
        if (!(welchDf > 0)) {
            throw new IllegalArgumentException("welchDf must be > 0, got " + welchDf);
        }
        if (controlN < 1 || treatmentN < 1) {
            throw new IllegalArgumentException("both arms need observations, got " + controlN + ", " + treatmentN);
        }
    }

    /** A relative estimate (the common case of the tests and the sequential analysis). */
    public Estimate(
            double controlMean,
            double treatmentMean,
            double effect,
            double variance,
            double welchDf,
            long controlN,
            long treatmentN) {
        this(EffectType.RELATIVE, controlMean, treatmentMean, effect, variance, welchDf, controlN, treatmentN);
    }

    /** √variance. */
    public double standardError() {
        return Math.sqrt(variance);
    }

    /** controlN + treatmentN, the N of the confidence sequence. */
    public long totalN() {
        return controlN + treatmentN;
    }
}
