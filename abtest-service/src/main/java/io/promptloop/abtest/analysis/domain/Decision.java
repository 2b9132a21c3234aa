package io.promptloop.abtest.analysis.domain;

import java.util.Locale;

/** What the analysis tells the test to do. The codes are the values of the PostgreSQL enum. */
public enum Decision {
    /** Keep collecting data. */
    CONTINUE,
    /** One arm is significantly better on the primary metric. */
    STOP_EFFICACY,
    /** The maximum sample is reached without a significant difference (or with an unresolved SRM). */
    STOP_FUTILITY,
    /** The treatment broke a guardrail: keep the baseline. */
    STOP_SAFETY;

    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException for an unknown or null code */
    public static Decision fromCode(String code) {
        for (Decision decision : values()) {
            if (decision.code().equals(code)) {
                return decision;
            }
        }
        throw new IllegalArgumentException("unknown decision '" + code + "'");
    }
}
