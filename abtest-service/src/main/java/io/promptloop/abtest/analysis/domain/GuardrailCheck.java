package io.promptloop.abtest.analysis.domain;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Decides whether the treatment breaks a guardrail. The success-rate and mean-latency guardrails use the confidence
 * sequence, so a guardrail is only declared broken when we are confident it is — and that stays sound when the
 * check runs after every observation. A comparison that is not estimable breaks nothing.
 */
public final class GuardrailCheck {

    private GuardrailCheck() {}

    /**
     * Checks the guardrails that are set.
     *
     * <ul>
     *   <li>success rate: broken when the confidence sequence for the relative lift of the success rate lies entirely
     *       below minSuccessRateRatio − 1;
     *   <li>mean latency: broken when the sequence's lower bound for the relative lift of mean latency exceeds
     *       maxLatencyRatio − 1;
     *   <li>p95 latency: a point estimate from the digests, checked once both arms have at least {@code minSample}
     *       latencies; broken when p95_t / p95_c &gt; maxLatencyP95Ratio (not checked while control's p95 is 0).
     * </ul>
     */
    public static GuardrailResult evaluate(
            Guardrails g, VariantStats control, VariantStats treatment, double alpha, double nStar, long minSample) {
        if (g == null) {
            return GuardrailResult.passed();
        }
        List<String> breaches = new ArrayList<>();
        if (g.minSuccessRateRatio() != null) {
            double tolerance = g.minSuccessRateRatio() - 1;
            sequence(control.summary(Metric.SUCCESS), treatment.summary(Metric.SUCCESS), alpha, nStar)
                    .filter(i -> i.upper() < tolerance)
                    .ifPresent(i ->
                            breaches.add(format("success_rate: upper bound %.4f below %.4f", i.upper(), tolerance)));
        }
        if (g.maxLatencyRatio() != null) {
            double tolerance = g.maxLatencyRatio() - 1;
            sequence(control.summary(Metric.LATENCY_MS), treatment.summary(Metric.LATENCY_MS), alpha, nStar)
                    .filter(i -> i.lower() > tolerance)
                    .ifPresent(i ->
                            breaches.add(format("latency_mean: lower bound %.4f above %.4f", i.lower(), tolerance)));
        }
        if (g.maxLatencyP95Ratio() != null
                && control.latencyDigest().count() >= minSample
                && treatment.latencyDigest().count() >= minSample
                && control.latencyDigest().count() > 0
                && treatment.latencyDigest().count() > 0) {
            double p95c = control.latencyDigest().quantile(0.95);
            double p95t = treatment.latencyDigest().quantile(0.95);
            if (p95c > 0 && p95t / p95c > g.maxLatencyP95Ratio()) {
                breaches.add(format(
                        "latency_p95: ratio %.4f above %.4f (%.1f ms vs %.1f ms)",
                        p95t / p95c, g.maxLatencyP95Ratio(), p95t, p95c));
            }
        }
        return GuardrailResult.of(breaches);
    }

    private static Optional<Interval> sequence(
            SampleSummary control, SampleSummary treatment, double alpha, double nStar) {
        return EffectEstimator.tryOfForGuardrail(control, treatment)
                .map(e -> ConfidenceSequence.interval(e, alpha, nStar));
    }

    private static String format(String pattern, Object... args) {
        return String.format(Locale.ROOT, pattern, args);
    }
}
