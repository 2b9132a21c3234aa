package io.promptloop.abtest.analysis.domain;

/**
 * The relative lift of treatment over control with the variance of that estimate. Only estimable comparisons
 * produce one (see {@link RelativeLift}).
 *
 * @param controlMean mean of the control arm
 * @param treatmentMean mean of the treatment arm
 * @param lift relative lift treatmentMean/controlMean − 1
 * @param variance delta-method variance of {@code lift}, &gt; 0
 * @param welchDf Welch–Satterthwaite degrees of freedom
 * @param controlN observations in the control arm
 * @param treatmentN observations in the treatment arm
 */
public record Estimate(
        double controlMean,
        double treatmentMean,
        double lift,
        double variance,
        double welchDf,
        long controlN,
        long treatmentN) {

    public Estimate {
        if (!Double.isFinite(lift)) {
            throw new IllegalArgumentException("lift must be finite, got " + lift);
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

    /** √variance. */
    public double standardError() {
        return Math.sqrt(variance);
    }

    /** controlN + treatmentN, the N of the confidence sequence. */
    public long totalN() {
        return controlN + treatmentN;
    }
}
