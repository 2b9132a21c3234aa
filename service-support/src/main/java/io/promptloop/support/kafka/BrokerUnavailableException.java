package io.promptloop.support.kafka;

/** The broker did not answer an offsets question in time, or answered an error; the message says which question. */
public class BrokerUnavailableException extends RuntimeException {

    public BrokerUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
