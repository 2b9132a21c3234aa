package io.promptloop.abtest.experiment;

/** A request about a test that cannot be honoured; {@link Kind} tells the HTTP status. */
public class ExperimentException extends RuntimeException {

    public enum Kind {
        INVALID,
        NOT_FOUND,
        CONFLICT
    }

    private final Kind kind;

    public ExperimentException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
