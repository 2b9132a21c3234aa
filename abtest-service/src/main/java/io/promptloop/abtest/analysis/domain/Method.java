package io.promptloop.abtest.analysis.domain;

import java.util.Locale;

/** How a test controls its false-positive rate. */
public enum Method {
    /** Anytime-valid confidence sequences: look as often as you like, stop whenever the sequence decides. */
    SEQUENTIAL,
    /** Fixed maximum sample with Lan–DeMets O'Brien–Fleming alpha spending over the looks actually taken. */
    FIXED;

    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException for an unknown or null code */
    public static Method fromCode(String code) {
        for (Method method : values()) {
            if (method.code().equals(code)) {
                return method;
            }
        }
        throw new IllegalArgumentException("unknown method '" + code + "', expected sequential or fixed");
    }
}
