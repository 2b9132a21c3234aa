package io.promptloop.testkit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A real PostgreSQL 17 server (zonky's embedded binaries, no Docker) on 127.0.0.1, for tests and the dev
 * stack.
 *
 * <p>It runs with {@code fsync=off}, {@code synchronous_commit=off} and {@code full_page_writes=off}: a
 * committed transaction may be lost if the machine (not the process) crashes, which no test cares about,
 * and writes get much faster. Benchmarks must say so (DESIGN.md, "Measuring"). TCP logins need their
 * password (SCRAM; the superuser is {@code postgres}/{@code postgres}), so a service configured with the
 * wrong credentials fails here as it would in production.
 *
 * <p>{@link #stop()} and {@link #start()} may be called repeatedly: the server comes back on the same port
 * with the same data, which is how tests simulate a database outage. A given data directory is never
 * cleaned, so the dev stack keeps its data across restarts.
 */
public final class Postgres implements ManagedPostgres, AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Postgres.class.getName());
    private static final String SUPERUSER = "postgres";
    private static final String SUPERUSER_PASSWORD = "postgres";

    private final Settings settings;
    private final int port;
    private final Path dataDirectory;
    private final Path logFile;
    private EmbeddedPostgres server;
    private Optional<ProcessHandle> postmaster = Optional.empty();
    private Optional<Process> watchdog = Optional.empty();

    /**
     * How to run the server.
     *
     * @param port port on 127.0.0.1; 0 chooses a free one once, kept across restarts
     * @param dataDirectory the cluster's data directory; kept when given, temporary when null
     * @param logFile the server's log; {@code postgres.log} beside the data directory when null
     * @param database database that {@link #jdbcUrl()} points at, created if missing
     * @param startupTimeout how long {@link #start()} waits for the server to accept connections
     */
    public record Settings(int port, Path dataDirectory, Path logFile, String database, Duration startupTimeout) {

        /** A free port, a temporary data directory, the {@code postgres} database. */
        public static Settings defaults() {
            return new Settings(0, null, null, "postgres", Duration.ofSeconds(60));
        }

        public Settings withPort(int port) {
            return new Settings(port, dataDirectory, logFile, database, startupTimeout);
        }

        public Settings withDataDirectory(Path dataDirectory) {
            return new Settings(port, dataDirectory, logFile, database, startupTimeout);
        }

        public Settings withLogFile(Path logFile) {
            return new Settings(port, dataDirectory, logFile, database, startupTimeout);
        }

        public Settings withDatabase(String database) {
            return new Settings(port, dataDirectory, logFile, database, startupTimeout);
        }
    }

    public Postgres(Settings settings) {
        this.settings = settings;
        this.port = FreePorts.orFree(settings.port());
        Path parent = Directories.createOrTemporary(
                settings.dataDirectory() != null
                        ? settings.dataDirectory().toAbsolutePath().getParent()
                        : null,
                "promptloop-postgres-");
        this.dataDirectory =
                settings.dataDirectory() != null ? settings.dataDirectory().toAbsolutePath() : parent.resolve("data");
        this.logFile =
                settings.logFile() != null ? settings.logFile().toAbsolutePath() : parent.resolve("postgres.log");
    }

    /** Starts the server (initialising the data directory on first use) and creates the database if missing. */
    @Override
    public synchronized void start() {
        if (server != null) {
            if (postmaster.map(ProcessHandle::isAlive).orElse(true)) {
                return;
            }
            forgetDeadServer();
        }
        long started = System.nanoTime();
        boolean fresh = !Files.exists(dataDirectory.resolve("PG_VERSION"));
        try {
            Files.createDirectories(logFile.getParent());
            server = EmbeddedPostgres.builder()
                    .setPort(port)
                    .setDataDirectory(dataDirectory)
                    .setCleanDataDirectory(false)
                    // our own shutdown hook stops it, after the services that use it
                    .setRegisterShutdownHook(false)
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    .setServerConfig("fsync", "off")
                    .setServerConfig("synchronous_commit", "off")
                    .setServerConfig("full_page_writes", "off")
                    .setServerConfig("max_connections", "200")
                    .setConnectConfig("password", SUPERUSER_PASSWORD)
                    .setOutputRedirector(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .setErrorRedirector(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .setPGStartupWait(settings.startupTimeout())
                    .start();
        } catch (IOException | RuntimeException e) {
            server = null;
            throw new IllegalStateException(
                    "PostgreSQL on 127.0.0.1:" + port + " did not start (data " + dataDirectory + "); last lines of "
                            + logFile + ":\n" + ChildProcess.tail(logFile, 40),
                    e);
        }
        postmaster = postmasterPid().flatMap(ProcessHandle::of);
        postmasterPid().ifPresent(pid -> watchdog = ChildProcess.watch(pid, "INT"));
        if (fresh) {
            requirePasswordsOverTcp();
        }
        createDatabaseIfMissing(settings.database());
        LOG.log(
                System.Logger.Level.INFO,
                "PostgreSQL {0} started on 127.0.0.1:{1} in {2} ms (data: {3}, log: {4})",
                serverVersion(),
                Integer.toString(port),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started),
                dataDirectory,
                logFile);
    }

    /** Stops the server (fast shutdown: open connections are cut), keeping port and data. */
    @Override
    public synchronized void stop() {
        stop(Duration.ofSeconds(60));
    }

    /**
     * Stops the server (fast shutdown: open connections are cut), keeping port and data; if it has not stopped
     * within {@code timeout}, kills the postmaster and its processes (SIGKILL, by pid: PostgreSQL recovers from
     * its write-ahead log at the next start). A server that died is only forgotten.
     */
    public synchronized void stop(Duration timeout) {
        if (server == null) {
            return;
        }
        if (!postmaster.map(ProcessHandle::isAlive).orElse(true)) {
            forgetDeadServer();
            return;
        }
        EmbeddedPostgres running = server;
        java.util.concurrent.CompletableFuture<Void> close = java.util.concurrent.CompletableFuture.runAsync(
                () -> {
                    try {
                        running.close();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                },
                task -> Thread.ofPlatform().daemon().name("postgres-stop").start(task));
        try {
            close.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            LOG.log(System.Logger.Level.INFO, "PostgreSQL on 127.0.0.1:{0} stopped", Integer.toString(port));
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    "PostgreSQL on 127.0.0.1:{0} did not stop within {1} ({2}): killing it",
                    Integer.toString(port),
                    timeout,
                    e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            postmaster.filter(ProcessHandle::isAlive).ifPresent(ChildProcess::killTree);
            server = null;
            postmaster = Optional.empty();
            watchdog.ifPresent(Process::destroy);
            watchdog = Optional.empty();
        }
    }

    @Override
    public synchronized void crash() {
        postmaster.filter(ProcessHandle::isAlive).ifPresent(ChildProcess::killTree);
        LOG.log(System.Logger.Level.INFO, "PostgreSQL on 127.0.0.1:{0} killed (SIGKILL)", Integer.toString(port));
    }

    /** The postmaster of the running server; empty when stopped. It may have died since. */
    public synchronized Optional<ProcessHandle> postmaster() {
        return postmaster;
    }

    /**
     * After the postmaster died (kill -9): zonky's handle still holds the data directory's lock and would refuse
     * the next start. Closing it releases the lock; its {@code pg_ctl stop} finds no server and returns at once.
     */
    private void forgetDeadServer() {
        try {
            server.close();
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "closing the handle of a dead PostgreSQL: {0}", e.getMessage());
        }
        server = null;
        postmaster = Optional.empty();
        watchdog.ifPresent(Process::destroy);
        watchdog = Optional.empty();
    }

    /** Stops the server and removes a temporary data directory. */
    @Override
    public synchronized void close() {
        stop();
        if (settings.dataDirectory() == null) {
            Directories.deleteRecursively(dataDirectory.getParent());
        }
    }

    /** JDBC URL of the configured database. */
    @Override
    public String jdbcUrl() {
        return jdbcUrl(settings.database());
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    @Override
    public DatabaseLogin superuser() {
        return new DatabaseLogin(jdbcUrl(), SUPERUSER, SUPERUSER_PASSWORD);
    }

    public int port() {
        return port;
    }

    public Path dataDirectory() {
        return dataDirectory;
    }

    public Path logFile() {
        return logFile;
    }

    public synchronized boolean isRunning() {
        return server != null && postmaster.map(ProcessHandle::isAlive).orElse(true);
    }

    /** Creates {@code database} unless it exists; the server must be running. */
    public void createDatabaseIfMissing(String database) {
        try (Connection connection = DriverManager.getConnection(jdbcUrl("postgres"), SUPERUSER, SUPERUSER_PASSWORD);
                PreparedStatement exists = connection.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            exists.setString(1, database);
            try (ResultSet rs = exists.executeQuery()) {
                if (rs.next()) {
                    return;
                }
            }
            try (Statement create = connection.createStatement()) {
                create.execute("CREATE DATABASE " + Sql.identifier(database));
            }
        } catch (SQLException e) {
            if ("42P04".equals(e.getSQLState())) { // duplicate_database: another JVM was quicker
                return;
            }
            throw new IllegalStateException("cannot create database " + database, e);
        }
    }

    private String serverVersion() {
        try (Connection connection = DriverManager.getConnection(jdbcUrl(), SUPERUSER, SUPERUSER_PASSWORD);
                Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery("SHOW server_version")) {
            rs.next();
            return rs.getString(1);
        } catch (SQLException e) {
            return "?";
        }
    }

    /**
     * zonky initialises the cluster with {@code trust} authentication, which would accept any password. Right
     * after initialisation, give the superuser its password and switch TCP logins to SCRAM; Unix-socket logins
     * stay trusted (only local OS users reach them). A {@code pg_hba.conf} edited later (the dev stack writes
     * its own) is left alone.
     */
    private void requirePasswordsOverTcp() {
        Path hba = dataDirectory.resolve("pg_hba.conf");
        try {
            List<String> lines = Files.readAllLines(hba);
            List<String> secured = lines.stream()
                    .map(line -> line.startsWith("host") ? line.replaceFirst("\\btrust\\s*$", "scram-sha-256") : line)
                    .toList();
            if (secured.equals(lines)) {
                return;
            }
            try (Connection connection =
                            DriverManager.getConnection(jdbcUrl("postgres"), SUPERUSER, SUPERUSER_PASSWORD);
                    Statement statement = connection.createStatement()) {
                statement.execute("ALTER ROLE " + SUPERUSER + " PASSWORD " + Sql.literal(SUPERUSER_PASSWORD));
                Files.write(hba, secured);
                statement.execute("SELECT pg_reload_conf()");
            }
        } catch (IOException | SQLException e) {
            throw new IllegalStateException("cannot require passwords in " + hba, e);
        }
    }

    private Optional<Long> postmasterPid() {
        try {
            return Files.readAllLines(dataDirectory.resolve("postmaster.pid")).stream()
                    .findFirst()
                    .map(String::strip)
                    .map(Long::valueOf);
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }
}
