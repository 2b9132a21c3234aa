package io.promptloop.optimizer.run.domain;

import java.util.Locale;

/**
 * What a Pareto front is kept over, chosen per run. Source: the reference implementation's {@code FrontierType}
 * ({@code src/gepa/core/state.py}, gepa-ai/gepa): {@code instance} per validation example, {@code objective} per
 * objective (its mean over the validation set), {@code hybrid} both, {@code cartesian} per (example, objective).
 * Objectives are the run's metrics: {@code score} always, others (e.g. cost or latency, oriented so that higher is
 * better) when every validated evaluation of the run carries them.
 */
public enum FrontierType {
    INSTANCE,
    OBJECTIVE,
    HYBRID,
    CARTESIAN;

    /** The lower-case name, as the reference and the HTTP API spell it. */
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException naming the accepted values */
    public static FrontierType parse(String value) {
        if (value != null) {
            for (FrontierType t : values()) if (t.value().equals(value.toLowerCase(Locale.ROOT))) return t;
        }
        throw new IllegalArgumentException(
                "frontierType must be instance, objective, hybrid or cartesian, was '" + value + "'");
    }
}
