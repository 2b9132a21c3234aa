package io.promptloop.migrations;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import liquibase.Scope;
import liquibase.analytics.configuration.AnalyticsArgs;
import liquibase.command.CommandScope;
import liquibase.command.core.UpdateCommandStep;
import liquibase.command.core.helpers.DbUrlConnectionArgumentsCommandStep;
import liquibase.database.Database;
import liquibase.database.DatabaseFactory;
import liquibase.database.jvm.JdbcConnection;
import liquibase.resource.ClassLoaderResourceAccessor;

/**
 * The release step that runs before the services (image {@code promptloop/migrations}; compose service
 * {@code migrations}, Kubernetes Job {@code promptloop-migrations}). In order:
 *
 * <ol>
 *   <li>the Liquibase changelogs of module {@code schemas}, read from this artifact's classpath (so the search
 *       path is right by construction and no ConfigMap copy exists). Liquibase's lock table makes two runs at
 *       once wait for each other; a second run applies nothing but the run-always grants;
 *   <li>the LOGIN role of each service whose password is given ({@code PROMPTLOOP_LOGIN_<SERVICE>_PASSWORD}),
 *       created or its password updated, and made a member of the service's group role;
 *   <li>the schema registry's global compatibility rule BACKWARD, when {@code PROMPTLOOP_REGISTRY_URL} is set.
 *       Schemas themselves are registered by their producers on first use (find-or-create, idempotent), which
 *       also covers agents' schemas this release does not know.
 * </ol>
 *
 * Configuration comes from the environment only; a missing required variable exits with status 2 and names it,
 * any failure with status 1 and the cause.
 */
public final class Migrations {

    static final String CHANGELOG = "db/changelog/db.changelog-master.yaml";

    /** Service logins: the env prefix, the default login name, the group role the migrations create. */
    enum Login {
        INGEST("ingest_app", "promptloop_ingest"),
        OPTIMIZER("optimizer_app", "promptloop_optimizer"),
        ABTEST("abtest_app", "promptloop_abtest"),
        ANALYST("analyst", "promptloop_analyst");

        final String defaultName;
        final String groupRole;

        Login(String defaultName, String groupRole) {
            this.defaultName = defaultName;
            this.groupRole = groupRole;
        }

        String env(String suffix) {
            return "PROMPTLOOP_LOGIN_" + name() + "_" + suffix;
        }
    }

    private final Map<String, String> env;

    Migrations(Map<String, String> env) {
        this.env = env;
    }

    public static void main(String[] args) {
        try {
            new Migrations(System.getenv()).run();
        } catch (MissingSetting e) {
            System.err.println("migrations: " + e.getMessage());
            System.exit(2);
        } catch (RuntimeException e) {
            System.err.println("migrations: FAILED: " + e.getMessage());
            e.printStackTrace(System.err);
            System.exit(1);
        }
    }

    void run() {
        String url = required("PROMPTLOOP_MIGRATIONS_JDBC_URL");
        String user = required("PROMPTLOOP_MIGRATIONS_USERNAME");
        String password = required("PROMPTLOOP_MIGRATIONS_PASSWORD");
        long started = System.nanoTime();
        try {
            try (Connection connection = connect(url, user, password)) {
                migrate(connection);
            }
            log("changelog " + CHANGELOG + " applied to " + url + " as " + user);
            // a fresh connection: Liquibase leaves its own with auto-commit off, which would roll the logins back
            try (Connection connection = connect(url, user, password)) {
                connection.setAutoCommit(true);
                for (String login : createLogins(connection)) {
                    log("login " + login + " ready");
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("database " + url + ": " + e.getMessage(), e);
        }
        String registry = env.get("PROMPTLOOP_REGISTRY_URL");
        if (registry != null && !registry.isBlank()) {
            setBackwardCompatibility(registry.strip(), Duration.ofSeconds(120));
            log("registry " + registry + ": global compatibility BACKWARD");
        }
        log("done in " + Duration.ofNanos(System.nanoTime() - started).toMillis() + " ms");
    }

    private Connection connect(String url, String user, String password) throws SQLException {
        // PostgreSQL may still be starting when a Job or compose service runs: wait up to a minute for it
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try {
                return DriverManager.getConnection(url, user, password);
            } catch (SQLException e) {
                boolean connectionProblem =
                        e.getSQLState() != null && e.getSQLState().startsWith("08");
                if (!connectionProblem || System.nanoTime() > deadline) {
                    throw e;
                }
                pause();
            }
        }
    }

    private static void migrate(Connection connection) {
        Map<String, Object> scope = Map.of(
                Scope.Attr.resourceAccessor.name(),
                new ClassLoaderResourceAccessor(Migrations.class.getClassLoader()),
                AnalyticsArgs.ENABLED.getKey(),
                false);
        try {
            Database database =
                    DatabaseFactory.getInstance().findCorrectDatabaseImplementation(new JdbcConnection(connection));
            Scope.child(
                    scope,
                    () -> new CommandScope(UpdateCommandStep.COMMAND_NAME)
                            .addArgumentValue(DbUrlConnectionArgumentsCommandStep.DATABASE_ARG, database)
                            .addArgumentValue(UpdateCommandStep.CHANGELOG_FILE_ARG, CHANGELOG)
                            .execute());
        } catch (Exception e) {
            throw new IllegalStateException("Liquibase update of " + CHANGELOG + " failed: " + e.getMessage(), e);
        }
    }

    /** Creates or updates every login whose password is set; returns their names. */
    List<String> createLogins(Connection connection) throws SQLException {
        List<String> done = new ArrayList<>();
        for (Login login : Login.values()) {
            String password = env.get(login.env("PASSWORD"));
            if (password == null || password.isEmpty()) {
                continue;
            }
            String name = env.getOrDefault(login.env("NAME"), login.defaultName);
            // the server quotes: format(%I, %L) is PostgreSQL's own identifier and literal quoting
            String options = " WITH LOGIN PASSWORD %L";
            String verb = roleExists(connection, name) ? "ALTER" : "CREATE";
            execute(connection, "SELECT format('" + verb + " ROLE %I" + options + "', ?, ?)", name, password);
            execute(connection, "SELECT format('GRANT %I TO %I', ?, ?)", login.groupRole, name);
            done.add(name + " (member of " + login.groupRole + ")");
        }
        return done;
    }

    private static void execute(Connection connection, String formatQuery, String... arguments) throws SQLException {
        String statementText;
        try (PreparedStatement format = connection.prepareStatement(formatQuery)) {
            for (int i = 0; i < arguments.length; i++) {
                format.setString(i + 1, arguments[i]);
            }
            try (ResultSet rs = format.executeQuery()) {
                rs.next();
                statementText = rs.getString(1);
            }
        }
        try (Statement statement = connection.createStatement()) {
            statement.execute(statementText);
        }
    }

    private static boolean roleExists(Connection connection, String role) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT 1 FROM pg_roles WHERE rolname = ?")) {
            statement.setString(1, role);
            try (ResultSet rs = statement.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** Apicurio v3 admin API: create the global COMPATIBILITY rule, or update it when it exists (HTTP 409). */
    static void setBackwardCompatibility(String registryApiUrl, Duration wait) {
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        String rule = "{\"ruleType\":\"COMPATIBILITY\",\"config\":\"BACKWARD\"}";
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            try {
                HttpResponse<String> created = send(http, "POST", registryApiUrl + "/admin/rules", rule);
                if (created.statusCode() / 100 == 2) {
                    return;
                }
                if (created.statusCode() == 409) {
                    HttpResponse<String> updated =
                            send(http, "PUT", registryApiUrl + "/admin/rules/COMPATIBILITY", rule);
                    if (updated.statusCode() / 100 == 2) {
                        return;
                    }
                    throw new IllegalStateException("updating the registry's compatibility rule: HTTP "
                            + updated.statusCode() + " " + updated.body());
                }
                if (created.statusCode() < 500 || System.nanoTime() > deadline) {
                    throw new IllegalStateException("creating the registry's compatibility rule: HTTP "
                            + created.statusCode() + " " + created.body());
                }
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "registry " + registryApiUrl + " not reachable within " + wait + ": " + e, e);
                }
            }
            pause();
        }
    }

    private static HttpResponse<String> send(HttpClient http, String method, String url, String body)
            throws IOException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body))
                .build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private String required(String name) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            throw new MissingSetting("environment variable " + name + " is not set (see README \"Deploy\")");
        }
        return value;
    }

    private static void pause() {
        try {
            Thread.sleep(1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static void log(String message) {
        System.out.println("migrations: " + message);
    }

    static final class MissingSetting extends RuntimeException {
        MissingSetting(String message) {
            super(message);
        }
    }
}
