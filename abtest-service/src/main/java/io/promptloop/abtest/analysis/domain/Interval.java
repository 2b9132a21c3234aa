package io.promptloop.abtest.analysis.domain;

/**
 * A two-sided interval for the relative lift.
 *
 * @param lower lower bound
 * @param upper upper bound, ≥ lower
 */
public record Interval(double lower, double upper) {

    public Interval {
        if (Double.isNaN(lower) || Double.isNaN(upper) || lower > upper) {
            throw new IllegalArgumentException("need lower <= upper, got [" + lower + ", " + upper + "]");
        }
    }

    /** True when zero lies strictly outside: the interval decides the sign of the lift. */
    public boolean excludesZero() {
        return lower > 0 || upper < 0;
    }

    /** (upper − lower)/2. */
    public double halfWidth() {
        return (upper - lower) / 2;
    }
}
