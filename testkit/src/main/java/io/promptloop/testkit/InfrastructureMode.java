package io.promptloop.testkit;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Who runs the infrastructure for a test JVM, chosen by the environment variable {@value #VARIABLE}: the
 * testkit itself without Docker (the default, and the only one this project's machines can run), servers
 * someone else runs, or Docker containers for machines that have Docker.
 */
public enum InfrastructureMode {
    /** Kafka, PostgreSQL and Apicurio Registry started by this JVM as child processes. */
    EMBEDDED,
    /** Servers named by {@code PROMPTLOOP_TEST_*} variables; no fault injection. */
    EXTERNAL,
    /** Testcontainers (needs Docker and the optional testcontainers dependencies); no fault injection. */
    TESTCONTAINERS;

    public static final String VARIABLE = "PROMPTLOOP_TEST_INFRA";

    /** The mode named by {@value #VARIABLE} in {@code environment}, {@link #EMBEDDED} when unset. */
    public static InfrastructureMode from(Map<String, String> environment) {
        String value = environment.getOrDefault(VARIABLE, "").strip();
        if (value.isEmpty()) {
            return EMBEDDED;
        }
        return Arrays.stream(values())
                .filter(mode -> mode.name().equalsIgnoreCase(value))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException(VARIABLE + "=" + value + " is not one of "
                        + Arrays.stream(values())
                                .map(mode -> mode.name().toLowerCase(Locale.ROOT))
                                .collect(Collectors.joining(", "))));
    }
}
