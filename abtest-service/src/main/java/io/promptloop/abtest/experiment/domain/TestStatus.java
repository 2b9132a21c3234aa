package io.promptloop.abtest.experiment.domain;

import java.util.Locale;

/** Lifecycle of a test (PostgreSQL enum abtest.ab_test_status). */
public enum TestStatus {
    DRAFT,
    RUNNING,
    STOPPED,
    CONCLUDED,
    ROLLING_OUT,
    ROLLED_OUT,
    ROLLED_BACK;

    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static TestStatus fromCode(String code) {
        return valueOf(code.toUpperCase(Locale.ROOT));
    }
}
