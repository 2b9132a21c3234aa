package io.promptloop.optimizer.run.domain;

import java.util.Locale;

/** GEPA budget presets in metric calls (example evaluations), as seed 002 §10 names them. */
public enum BudgetPreset {
    LIGHT(500),
    MEDIUM(2_000),
    HEAVY(4_000),
    CUSTOM(0);

    public static final int MAX_CUSTOM = 100_000;

    private final int metricCalls;

    BudgetPreset(int metricCalls) {
        this.metricCalls = metricCalls;
    }

    /** The budget of this preset, or {@code custom} (which must be within 1..{@value #MAX_CUSTOM}) for CUSTOM. */
    public int metricCalls(Integer custom) {
        if (this != CUSTOM) return metricCalls;
        if (custom == null || custom < 1 || custom > MAX_CUSTOM) {
            throw new IllegalArgumentException(
                    "a custom budget needs maxMetricCalls within 1.." + MAX_CUSTOM + ", was " + custom);
        }
        return custom;
    }

    public String dbValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static BudgetPreset parse(String value) {
        try {
            return valueOf(value.toUpperCase(Locale.ROOT));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("budget must be light, medium, heavy or custom, was '" + value + "'");
        }
    }
}
