package io.promptloop.testkit;

/**
 * The PostgreSQL server the tests run against. Whether it can be stopped and started again (to simulate
 * a database outage in the middle of a stream) depends on who runs it: the embedded one can, an external
 * one cannot.
 */
public interface ManagedPostgres {

    /** JDBC URL of the promptloop database. */
    String jdbcUrl();

    /** A role that may create roles and run the migrations. */
    DatabaseLogin superuser();

    /** Stops the server, keeping its data and port. */
    void stop();

    /** Starts the server again on the same port and data; returns when it accepts connections. */
    void start();

    /**
     * Kills the server's processes (SIGKILL: no shutdown, no checkpoint; what its WAL writer had not written yet
     * is lost, as in a crash) and returns once they are gone. {@link #start()} recovers it from its WAL.
     */
    default void crash() {
        throw new UnsupportedOperationException("only the embedded PostgreSQL can be crashed by a test");
    }
}
