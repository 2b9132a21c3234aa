package io.promptloop.abtest.analysis.domain;

import java.util.Locale;

/** How a test states the treatment's effect. The lower-case code is what the API and the database carry. */
public enum EffectType {
    /** (m_t − m_c)/|m_c|: the lift, comparable across metrics. */
    RELATIVE,
    /** m_t − m_c, in the metric's unit. */
    ABSOLUTE;

    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException for an unknown or null code */
    public static EffectType fromCode(String code) {
        for (EffectType t : values()) {
            if (t.code().equals(code)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown effect type '" + code + "', expected relative or absolute");
    }
}
