package io.promptloop.devstack;

import io.promptloop.testkit.DatabaseLogin;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The environment the dev stack gives a service: the one place that knows the services' configuration names
 * (Spring Boot's relaxed binding of environment variables), so that a renamed property is changed here only.
 */
final class ServiceEnvironment {

    private ServiceEnvironment() {}

    /**
     * @param port the API's HTTP port
     * @param managementPort health and metrics (service-support's management port), without credentials
     * @param settings the service's own settings of the dev stack, added last
     */
    static Map<String, String> of(
            DatabaseLogin database,
            String kafkaBootstrapServers,
            String registryApiV3Url,
            int port,
            int managementPort,
            String adminUser,
            String adminPassword,
            Map<String, String> settings) {
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("SPRING_DATASOURCE_URL", database.jdbcUrl());
        environment.put("SPRING_DATASOURCE_USERNAME", database.user());
        environment.put("SPRING_DATASOURCE_PASSWORD", database.password());
        environment.put("SPRING_KAFKA_BOOTSTRAP_SERVERS", kafkaBootstrapServers);
        environment.put("PROMPTLOOP_REGISTRY_URL", registryApiV3Url);
        environment.put("SERVER_PORT", Integer.toString(port));
        environment.put("MANAGEMENT_SERVER_PORT", Integer.toString(managementPort));
        environment.put("PROMPTLOOP_SECURITY_USERS_0_NAME", adminUser);
        environment.put("PROMPTLOOP_SECURITY_USERS_0_PASSWORD", "{noop}" + adminPassword);
        environment.put("PROMPTLOOP_SECURITY_USERS_0_ROLES", "READER,OPERATOR");
        environment.put("LOGGING_STRUCTURED_FORMAT_CONSOLE", ""); // plain text in the log file, not JSON
        environment.putAll(settings);
        return environment;
    }
}
