package io.promptloop.console.service;

/** A service answered an error (its text is shown to the user as it is) or could not be reached. */
public class ServiceCallFailed extends RuntimeException {

    private final int status;

    public ServiceCallFailed(int status, String message) {
        super(message);
        this.status = status;
    }

    /** The service's HTTP status, or 0 when it could not be reached. */
    public int status() {
        return status;
    }
}
