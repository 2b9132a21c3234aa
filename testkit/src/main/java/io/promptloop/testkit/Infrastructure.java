package io.promptloop.testkit;

/** Running Kafka, PostgreSQL and schema registry, however they were started; closing stops what was started. */
interface Infrastructure extends AutoCloseable {

    ManagedKafka kafka();

    ManagedPostgres postgres();

    ManagedRegistry registry();

    @Override
    void close();
}
