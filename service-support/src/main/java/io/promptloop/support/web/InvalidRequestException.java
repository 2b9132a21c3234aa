package io.promptloop.support.web;

/**
 * A request a controller refuses, with a message that begins with the field it is about ({@code "size must be
 * within 1..500"}): answered 400 with that field named in the problem's {@code errors}.
 */
public class InvalidRequestException extends RuntimeException {

    public InvalidRequestException(String message) {
        super(message);
    }
}
