package io.promptloop.testkit;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Servers someone else runs (a CI service, a shared dev cluster), named by environment variables. They
 * cannot be stopped from here, so fault-injection tests fail with a clear message instead.
 */
final class ExternalInfrastructure implements Infrastructure {

    static final String KAFKA_BOOTSTRAP = "PROMPTLOOP_TEST_KAFKA_BOOTSTRAP";
    static final String JDBC_URL = "PROMPTLOOP_TEST_JDBC_URL";
    static final String JDBC_USER = "PROMPTLOOP_TEST_JDBC_USER";
    static final String JDBC_PASSWORD = "PROMPTLOOP_TEST_JDBC_PASSWORD";
    static final String REGISTRY_URL = "PROMPTLOOP_TEST_REGISTRY_URL";

    private static final List<String> VARIABLES =
            List.of(KAFKA_BOOTSTRAP, JDBC_URL, JDBC_USER, JDBC_PASSWORD, REGISTRY_URL);

    private final ManagedKafka kafka;
    private final ManagedPostgres postgres;
    private final ManagedRegistry registry;

    private ExternalInfrastructure(ManagedKafka kafka, ManagedPostgres postgres, ManagedRegistry registry) {
        this.kafka = kafka;
        this.postgres = postgres;
        this.registry = registry;
    }

    /** Reads the servers' addresses; fails naming every variable that is missing. */
    static ExternalInfrastructure fromEnvironment(Map<String, String> environment) {
        Map<String, String> values = new LinkedHashMap<>();
        List<String> missing = VARIABLES.stream()
                .filter(name -> {
                    String value = environment.get(name);
                    if (value == null || value.isBlank()) {
                        return true;
                    }
                    values.put(name, value.strip());
                    return false;
                })
                .toList();
        if (!missing.isEmpty()) {
            throw new IllegalStateException(
                    InfrastructureMode.VARIABLE + "=external needs these environment variables, "
                            + "which are not set: " + String.join(", ", missing));
        }
        String reason = "the servers are external (" + InfrastructureMode.VARIABLE
                + "=external): they cannot be stopped or started from a test; run this test with the embedded "
                + "infrastructure";
        ManagedKafka kafka = new ManagedKafka() {
            @Override
            public String bootstrapServers() {
                return values.get(KAFKA_BOOTSTRAP);
            }

            @Override
            public void stop() {
                throw new UnsupportedOperationException(reason);
            }

            @Override
            public void start() {
                throw new UnsupportedOperationException(reason);
            }
        };
        DatabaseLogin superuser =
                new DatabaseLogin(values.get(JDBC_URL), values.get(JDBC_USER), values.get(JDBC_PASSWORD));
        ManagedPostgres postgres = new ManagedPostgres() {
            @Override
            public String jdbcUrl() {
                return superuser.jdbcUrl();
            }

            @Override
            public DatabaseLogin superuser() {
                return superuser;
            }

            @Override
            public void stop() {
                throw new UnsupportedOperationException(reason);
            }

            @Override
            public void start() {
                throw new UnsupportedOperationException(reason);
            }
        };
        String base = registryBaseUrl(values.get(REGISTRY_URL));
        ManagedRegistry registry = () -> base;
        return new ExternalInfrastructure(kafka, postgres, registry);
    }

    /** Accepts the base URL or one of the API URLs, since people copy whichever their client uses. */
    static String registryBaseUrl(String url) {
        String base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        for (String api : List.of("/apis/registry/v3", "/apis/ccompat/v7")) {
            if (base.endsWith(api)) {
                return base.substring(0, base.length() - api.length());
            }
        }
        return base;
    }

    @Override
    public ManagedKafka kafka() {
        return kafka;
    }

    @Override
    public ManagedPostgres postgres() {
        return postgres;
    }

    @Override
    public ManagedRegistry registry() {
        return registry;
    }

    /** Nothing to stop: the servers are not ours. */
    @Override
    public void close() {}
}
