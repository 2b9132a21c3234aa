package io.promptloop.support.kafka;

/** The registry does not know the schema id a record names (HTTP 404): the record can never be read. */
public class SchemaNotFoundException extends RuntimeException {

    public SchemaNotFoundException(String message) {
        super(message);
    }
}
