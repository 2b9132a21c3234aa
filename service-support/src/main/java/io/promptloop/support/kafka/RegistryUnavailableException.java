package io.promptloop.support.kafka;

/**
 * The schema registry could not be asked (down, overloaded, timing out). Not the record's fault: the
 * record is read again after a back-off, never dead-lettered.
 */
public class RegistryUnavailableException extends RuntimeException {

    public RegistryUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
