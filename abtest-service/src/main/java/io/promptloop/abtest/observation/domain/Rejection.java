package io.promptloop.abtest.observation.domain;

/** Why an observation cannot be counted: the value of the dead letter's {@code promptloop-dlt-reason} header. */
public enum Rejection {
    /** The bytes are not Avro of the topic's schema. */
    UNDECODABLE("undecodable"),
    /** A valid record of another event type than the topic carries. */
    WRONG_TYPE("wrong_type"),
    /** The registry does not know the record's schema id. */
    UNKNOWN_SCHEMA("unknown_schema"),
    /** A field is out of its range (NaN or out-of-range score, negative latency, bad ids). */
    INVALID_VALUE("invalid_value"),
    /** No test has the record's test id. */
    UNKNOWN_TEST("unknown_test"),
    /** The test has no arm with the record's variant label. */
    UNKNOWN_VARIANT("unknown_variant"),
    /** The test was never started, so nobody can have been assigned to it. */
    TEST_NOT_STARTED("test_not_started");

    private final String code;

    Rejection(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }
}
