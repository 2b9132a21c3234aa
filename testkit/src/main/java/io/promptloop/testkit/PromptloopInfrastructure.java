package io.promptloop.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * Everything a promptloop integration test needs, started once per JVM and shared by all its tests: a real
 * Kafka broker, PostgreSQL 17 and Apicurio Registry (see {@link InfrastructureMode} for who runs them),
 * with the catalogue's topics created, the value schemas registered, the database migrated and a login per
 * service. Starting real servers takes seconds, so they are started once and never per test class; tests
 * isolate themselves by their own keys and ids instead.
 *
 * <p>A service's integration test feeds {@link #springProperties(String)} into {@code @DynamicPropertySource}.
 * Fault-injection tests stop and start {@link #kafka()} or {@link #postgres()} (embedded mode only) and must
 * start them again in a {@code finally} block, since the next test class shares them.
 */
public final class PromptloopInfrastructure {

    private static final System.Logger LOG = System.getLogger(PromptloopInfrastructure.class.getName());
    private static final Object LOCK = new Object();
    private static volatile PromptloopInfrastructure shared;
    private static RuntimeException sharedFailure;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final InfrastructureMode mode;
    private final Infrastructure infrastructure;
    private final Map<ServiceLogin, DatabaseLogin> logins;
    private final Duration startupTime;

    private PromptloopInfrastructure(
            InfrastructureMode mode,
            Infrastructure infrastructure,
            Map<ServiceLogin, DatabaseLogin> logins,
            Duration startupTime) {
        this.mode = mode;
        this.infrastructure = infrastructure;
        this.logins = Map.copyOf(logins);
        this.startupTime = startupTime;
    }

    /**
     * The infrastructure of this JVM, started and provisioned on the first call (by any thread; the others
     * wait). A shutdown hook stops it when the JVM exits. If starting failed, every later call fails at
     * once with the same cause instead of trying again.
     */
    public static PromptloopInfrastructure shared() {
        PromptloopInfrastructure current = shared;
        if (current != null) {
            return current;
        }
        synchronized (LOCK) {
            if (shared == null) {
                if (sharedFailure != null) {
                    throw new IllegalStateException(
                            "the shared infrastructure failed to start earlier in this JVM: "
                                    + sharedFailure.getMessage(),
                            sharedFailure);
                }
                try {
                    shared = start(System.getenv());
                } catch (RuntimeException e) {
                    sharedFailure = e;
                    throw e;
                }
            }
            return shared;
        }
    }

    /** Starts and provisions the infrastructure that {@code environment} selects; stopped by a shutdown hook. */
    static PromptloopInfrastructure start(Map<String, String> environment) {
        InfrastructureMode mode = InfrastructureMode.from(environment);
        long started = System.nanoTime();
        Infrastructure infrastructure = switch (mode) {
            case EMBEDDED -> EmbeddedInfrastructure.start(logDirectory());
            case EXTERNAL -> ExternalInfrastructure.fromEnvironment(environment);
            case TESTCONTAINERS -> TestcontainersInfrastructure.start();
        };
        Runtime.getRuntime()
                .addShutdownHook(Thread.ofPlatform()
                        .name("promptloop-infrastructure-stop")
                        .unstarted(infrastructure::close));
        try {
            Map<ServiceLogin, DatabaseLogin> logins = provision(infrastructure);
            Duration startupTime = Duration.ofNanos(System.nanoTime() - started);
            LOG.log(
                    System.Logger.Level.INFO,
                    "promptloop infrastructure ({0}) ready in {1} ms: Kafka {2}, PostgreSQL {3}, registry {4}, logins {5}",
                    mode.name().toLowerCase(Locale.ROOT),
                    startupTime.toMillis(),
                    infrastructure.kafka().bootstrapServers(),
                    infrastructure.postgres().jdbcUrl(),
                    infrastructure.registry().url(),
                    logins.keySet().stream().map(ServiceLogin::loginName).collect(Collectors.joining(",")));
            return new PromptloopInfrastructure(mode, infrastructure, logins, startupTime);
        } catch (RuntimeException e) {
            infrastructure.close();
            throw e;
        }
    }

    /** Topics, schemas and database in parallel: they touch different servers. */
    private static Map<ServiceLogin, DatabaseLogin> provision(Infrastructure infrastructure) {
        CompletableFuture<List<String>> topics = CompletableFuture.supplyAsync(
                () -> Provisioning.createTopics(infrastructure.kafka().bootstrapServers()));
        CompletableFuture<Map<String, Integer>> schemas = CompletableFuture.supplyAsync(() -> {
            Provisioning.requireBackwardCompatibility(infrastructure.registry());
            return Provisioning.registerSchemas(infrastructure.registry());
        });
        CompletableFuture<Map<ServiceLogin, DatabaseLogin>> database = CompletableFuture.supplyAsync(() -> {
            DatabaseLogin superuser = infrastructure.postgres().superuser();
            Provisioning.migrate(superuser);
            return Provisioning.createServiceLogins(superuser, login -> newPassword());
        });
        try {
            CompletableFuture.allOf(topics, schemas, database).get(5, TimeUnit.MINUTES);
            return database.join();
        } catch (ExecutionException | CompletionException e) {
            throw new IllegalStateException(
                    "provisioning the infrastructure failed: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("provisioning the infrastructure took more than 5 minutes", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while provisioning the infrastructure", e);
        }
    }

    public InfrastructureMode mode() {
        return mode;
    }

    /** From the first call of {@link #shared()} to provisioned. */
    public Duration startupTime() {
        return startupTime;
    }

    public String kafkaBootstrapServers() {
        return infrastructure.kafka().bootstrapServers();
    }

    /** The Kafka cluster; {@code stop()}/{@code start()} simulate a broker restart (embedded mode only). */
    public ManagedKafka kafka() {
        return infrastructure.kafka();
    }

    /** The PostgreSQL server; {@code stop()}/{@code start()} simulate an outage (embedded mode only). */
    public ManagedPostgres postgres() {
        return infrastructure.postgres();
    }

    public ManagedRegistry registry() {
        return infrastructure.registry();
    }

    /** The superuser of the promptloop database: for assertions and set-up only, never for the code under test. */
    public DatabaseLogin superuserLogin() {
        return infrastructure.postgres().superuser();
    }

    /**
     * The login of a service role, e.g. {@code ingest_app}, {@code optimizer_app}, {@code abtest_app} or
     * {@code analyst}.
     *
     * @throws IllegalArgumentException for a name that is not a {@link ServiceLogin}
     * @throws IllegalStateException if the login was not created because its group role does not exist
     */
    public DatabaseLogin databaseLogin(String loginName) {
        ServiceLogin login = ServiceLogin.byLoginName(loginName)
                .orElseThrow(() -> new IllegalArgumentException("unknown login '" + loginName + "'; known: "
                        + Arrays.stream(ServiceLogin.values())
                                .map(ServiceLogin::loginName)
                                .collect(Collectors.joining(", "))));
        return databaseLogin(login);
    }

    public DatabaseLogin databaseLogin(ServiceLogin login) {
        DatabaseLogin databaseLogin = logins.get(login);
        if (databaseLogin == null) {
            throw new IllegalStateException("login " + login.loginName() + " was not created: group role "
                    + login.groupRole() + " does not exist (is " + Provisioning.CHANGELOG
                    + " of module schemas on the classpath?)");
        }
        return databaseLogin;
    }

    /**
     * The Spring properties that point a service at this infrastructure as {@code serviceLogin}; feed them to
     * {@code @DynamicPropertySource}: {@code properties.forEach((k, v) -> registry.add(k, () -> v))}.
     */
    public Map<String, Object> springProperties(String serviceLogin) {
        DatabaseLogin login = databaseLogin(serviceLogin);
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("spring.kafka.bootstrap-servers", kafkaBootstrapServers());
        properties.put("spring.datasource.url", login.jdbcUrl());
        properties.put("spring.datasource.username", login.user());
        properties.put("spring.datasource.password", login.password());
        properties.put("promptloop.registry.url", registry().apiV3Url());
        // a free management port per instance: several services (and replicas) share this machine
        properties.put("management.server.port", "0");
        return Collections.unmodifiableMap(properties);
    }

    /**
     * The properties that send a service's registry calls through {@code relay} (a {@link TcpRelay} to {@link
     * #registry()}) and bound each to {@code timeout}; add them beside {@link #springProperties}. They use the
     * serde's own key: {@code promptloop.registry.url} is set there too, and only one of the two would win.
     */
    public static Map<String, Object> registryThrough(TcpRelay relay, java.time.Duration timeout) {
        return Map.of(
                "spring.kafka.properties.apicurio.registry.url",
                "http://127.0.0.1:" + relay.port() + "/apis/registry/v3",
                "spring.kafka.properties.promptloop.registry.timeout-ms",
                Long.toString(timeout.toMillis()));
    }

    /** Registers the catalogue's value schemas again (idempotent); returns subject to schema id. */
    public Map<String, Integer> registerSchemas() {
        return Provisioning.registerSchemas(registry());
    }

    /** Creates the catalogue's topics and dead-letter topics that are missing; returns those created. */
    public List<String> createTopics() {
        return Provisioning.createTopics(kafkaBootstrapServers());
    }

    /** {@code target/promptloop-testkit} of the module under test when there is one, else a temporary one. */
    private static Path logDirectory() {
        Path target = Path.of(System.getProperty("user.dir"), "target");
        Path directory = Files.isDirectory(target)
                ? target.resolve("promptloop-testkit")
                : Path.of(
                        System.getProperty("java.io.tmpdir"),
                        "promptloop-testkit-" + ProcessHandle.current().pid());
        for (String log : List.of("kafka.log", "postgres.log", "apicurio-registry.log")) {
            try {
                Files.deleteIfExists(directory.resolve(log)); // a fresh log per test run
            } catch (IOException e) {
                // appending to the old one is fine too
            }
        }
        return directory;
    }

    private static String newPassword() {
        byte[] bytes = new byte[18];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
