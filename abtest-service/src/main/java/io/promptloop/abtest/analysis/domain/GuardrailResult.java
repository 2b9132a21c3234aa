package io.promptloop.abtest.analysis.domain;

import java.util.List;

/**
 * Outcome of the guardrail checks.
 *
 * @param ok true when no guardrail is broken
 * @param breaches one line per broken guardrail, e.g. {@code success_rate: upper bound -0.3100 below -0.0200}
 */
public record GuardrailResult(boolean ok, List<String> breaches) {

    private static final GuardrailResult OK = new GuardrailResult(true, List.of());

    public GuardrailResult {
        breaches = List.copyOf(breaches);
        if (ok != breaches.isEmpty()) {
            throw new IllegalArgumentException("ok must be true exactly when there is no breach, got " + breaches);
        }
    }

    /** All guardrails hold. */
    public static GuardrailResult passed() {
        return OK;
    }

    /** ok when {@code breaches} is empty. */
    public static GuardrailResult of(List<String> breaches) {
        return breaches.isEmpty() ? OK : new GuardrailResult(false, breaches);
    }
}
