package io.promptloop.abtest.analysis.domain;

import java.util.Locale;

/** The arm a stopped test keeps. */
public enum Winner {
    BASELINE,
    TREATMENT;

    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }
}
