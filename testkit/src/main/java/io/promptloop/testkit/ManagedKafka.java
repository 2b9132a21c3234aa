package io.promptloop.testkit;

/**
 * The Kafka cluster the tests run against. Whether it can be stopped and started again (to simulate a
 * broker restart) depends on who runs it: the embedded broker can, an external cluster cannot.
 */
public interface ManagedKafka {

    /** {@code bootstrap.servers} for clients. */
    String bootstrapServers();

    /** Stops the broker, keeping its data and ports. */
    void stop();

    /** Starts the broker again on the same ports and data; returns when it serves requests. */
    void start();
}
