package io.promptloop.optimizer.reflection.domain;

/**
 * A reflection that produced no proposal. The message is recorded on the run, so it says what went wrong in
 * words an operator can act on (and never carries a credential).
 */
public class ReflectionException extends Exception {

    private final boolean retryable;

    /** @param retryable whether the same request may succeed later (outage, rate limit, timeout) */
    public ReflectionException(String message, boolean retryable) {
        super(message);
        this.retryable = retryable;
    }

    public ReflectionException(String message, boolean retryable, Throwable cause) {
        super(message, cause);
        this.retryable = retryable;
    }

    /** Whether asking again later may succeed; false when the request or the answer is unusable as it is. */
    public boolean retryable() {
        return retryable;
    }
}
