package io.promptloop.support.web;

/** A request body over {@code promptloop.http.max-request-size}: answered 413 before it is read whole. */
public class RequestTooLargeException extends RuntimeException {

    public RequestTooLargeException(long limit) {
        super("the request body is larger than " + limit + " bytes (promptloop.http.max-request-size)");
    }
}
