package io.promptloop.abtest.analysis.domain;

import java.util.Locale;

/** Where one treatment arm of a multi-arm test stands against the baseline after Holm's step-down at one look. */
public enum ArmState {
    /** Significantly better than the baseline at its Holm level, guardrails intact: a candidate winner. */
    BETTER,
    /** Significantly worse than the baseline at its Holm level: it cannot win. */
    WORSE,
    /** Not (yet) significant, or held back by Holm's step-down. */
    OPEN,
    /** Broke a guardrail against the baseline: out of the running. */
    GUARDRAIL_BROKEN;

    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }
}
