package io.promptloop.testkit;

import io.promptloop.schemas.Topics;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;
import liquibase.Scope;
import liquibase.analytics.configuration.AnalyticsArgs;
import liquibase.command.CommandScope;
import liquibase.command.core.UpdateCommandStep;
import liquibase.command.core.helpers.DbUrlConnectionArgumentsCommandStep;
import liquibase.database.Database;
import liquibase.database.DatabaseFactory;
import liquibase.database.jvm.JdbcConnection;
import liquibase.resource.ClassLoaderResourceAccessor;
import liquibase.ui.LoggerUIService;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Brings empty infrastructure to the state promptloop expects: the catalogue's topics and their dead-letter
 * topics, the value schemas registered under {@code <topic>-value}, the database migrated and service logins
 * created. Every step is idempotent, so the test kit runs it on every start and the dev stack on every
 * start against persistent data.
 */
public final class Provisioning {

    /** The master changelog of module schemas, looked up on the classpath. */
    public static final String CHANGELOG = "db/changelog/db.changelog-master.yaml";

    private static final System.Logger LOG = System.getLogger(Provisioning.class.getName());
    // JUL keeps loggers weakly: hold the one whose level is set
    private static final Logger LIQUIBASE_LOGGER = Logger.getLogger("liquibase");

    private Provisioning() {}

    /**
     * Creates every topic of {@link Topics#ALL} and its {@code -dlt} topic, with the catalogue's partitions
     * (a dead-letter topic has as many, since a recoverer publishes to the same partition number) and
     * cleanup policy (dead letters are never compacted). Existing topics are left as they are.
     *
     * @return the topics created now
     */
    public static List<String> createTopics(String bootstrapServers) {
        List<NewTopic> wanted = new ArrayList<>();
        for (Topics.Topic<?> topic : Topics.ALL) {
            wanted.add(new NewTopic(topic.name(), topic.defaultPartitions(), (short) 1)
                    .configs(Map.of(
                            TopicConfig.CLEANUP_POLICY_CONFIG, topic.cleanup().kafkaValue())));
            wanted.add(new NewTopic(topic.deadLetterTopic(), topic.defaultPartitions(), (short) 1)
                    .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE)));
        }
        List<String> created = new ArrayList<>();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            CreateTopicsResult result = admin.createTopics(wanted);
            for (Map.Entry<String, KafkaFuture<Void>> entry : result.values().entrySet()) {
                try {
                    entry.getValue().get(60, TimeUnit.SECONDS);
                    created.add(entry.getKey());
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException(
                                "cannot create topic " + entry.getKey() + " on " + bootstrapServers, e.getCause());
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("creating topics on " + bootstrapServers + " timed out", e);
        }
        return created;
    }

    /**
     * Registers the value schema of every catalogue topic under {@code <topic>-value} through the
     * Confluent-compatible API; a schema already registered keeps its id.
     *
     * @return subject to schema id (the id in the Confluent wire format)
     * @throws IllegalStateException if the registry rejects a schema, e.g. as incompatible with an earlier one
     */
    public static Map<String, Integer> registerSchemas(ManagedRegistry registry) {
        RegistryClient client = new RegistryClient(registry);
        Map<String, Integer> ids = new LinkedHashMap<>();
        for (Topics.Topic<?> topic : Topics.ALL) {
            ids.put(
                    topic.valueSubject(),
                    client.register(topic.valueSubject(), topic.valueSchema().toString()));
        }
        return ids;
    }

    /** Sets the registry's global compatibility to BACKWARD through the ccompat API, and reads it back. */
    public static void requireBackwardCompatibility(ManagedRegistry registry) {
        RegistryClient client = new RegistryClient(registry);
        if (!"BACKWARD".equals(client.globalCompatibility())) {
            client.setGlobalCompatibilityCcompat("BACKWARD");
        }
    }

    /**
     * Runs the master changelog of module schemas, if it is on the classpath.
     *
     * @return whether there was a changelog to run
     */
    public static boolean migrate(DatabaseLogin owner) {
        if (Provisioning.class.getClassLoader().getResource(CHANGELOG) == null) {
            LOG.log(System.Logger.Level.WARNING, "{0} is not on the classpath: no migrations run", CHANGELOG);
            return false;
        }
        migrate(owner, CHANGELOG);
        return true;
    }

    /** Runs a Liquibase changelog from the classpath (Liquibase's command API; analytics off, output logged). */
    public static void migrate(DatabaseLogin owner, String changelog) {
        if (LIQUIBASE_LOGGER.getLevel() == null) {
            LIQUIBASE_LOGGER.setLevel(Level.WARNING);
        }
        Map<String, Object> scope = Map.of(
                Scope.Attr.resourceAccessor.name(),
                new ClassLoaderResourceAccessor(Provisioning.class.getClassLoader()),
                Scope.Attr.ui.name(),
                new LoggerUIService(),
                AnalyticsArgs.ENABLED.getKey(),
                false);
        try (Connection connection = DriverManager.getConnection(owner.jdbcUrl(), owner.user(), owner.password())) {
            Database database =
                    DatabaseFactory.getInstance().findCorrectDatabaseImplementation(new JdbcConnection(connection));
            Scope.child(
                    scope,
                    () -> new CommandScope(UpdateCommandStep.COMMAND_NAME)
                            .addArgumentValue(DbUrlConnectionArgumentsCommandStep.DATABASE_ARG, database)
                            .addArgumentValue(UpdateCommandStep.CHANGELOG_FILE_ARG, changelog)
                            .execute());
        } catch (Exception e) {
            throw new IllegalStateException("migrating " + owner.jdbcUrl() + " with " + changelog + " failed", e);
        }
    }

    /**
     * Creates (or updates the password of) the LOGIN role of every {@link ServiceLogin} whose group role
     * exists, and makes it a member of that group. Logins whose group is missing (migrations not run) are
     * skipped.
     *
     * @param superuser a role with CREATEROLE
     * @param passwords the password for each login
     * @return the logins that exist now, on the superuser's database
     */
    public static Map<ServiceLogin, DatabaseLogin> createServiceLogins(
            DatabaseLogin superuser, Function<ServiceLogin, String> passwords) {
        Map<ServiceLogin, DatabaseLogin> logins = new EnumMap<>(ServiceLogin.class);
        try (Connection connection =
                DriverManager.getConnection(superuser.jdbcUrl(), superuser.user(), superuser.password())) {
            for (ServiceLogin login : ServiceLogin.values()) {
                if (!roleExists(connection, login.groupRole())) {
                    continue;
                }
                String password = passwords.apply(login);
                String role = Sql.identifier(login.loginName());
                String options = " WITH LOGIN PASSWORD " + Sql.literal(password);
                try (Statement statement = connection.createStatement()) {
                    if (roleExists(connection, login.loginName())) {
                        statement.execute("ALTER ROLE " + role + options);
                    } else {
                        try {
                            statement.execute("CREATE ROLE " + role + options);
                        } catch (SQLException e) {
                            if (!"42710".equals(e.getSQLState())) { // duplicate_object: another JVM was quicker
                                throw e;
                            }
                            statement.execute("ALTER ROLE " + role + options);
                        }
                    }
                    statement.execute("GRANT " + Sql.identifier(login.groupRole()) + " TO " + role);
                }
                logins.put(login, new DatabaseLogin(superuser.jdbcUrl(), login.loginName(), password));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create service logins on " + superuser.jdbcUrl(), e);
        }
        return logins;
    }

    private static boolean roleExists(Connection connection, String role) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT 1 FROM pg_roles WHERE rolname = ?")) {
            statement.setString(1, role);
            try (ResultSet rs = statement.executeQuery()) {
                return rs.next();
            }
        }
    }
}
