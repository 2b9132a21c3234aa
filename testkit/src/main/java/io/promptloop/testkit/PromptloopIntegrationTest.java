package io.promptloop.testkit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test class that runs against real Kafka, PostgreSQL and schema registry: starts the JVM's shared
 * {@link PromptloopInfrastructure} before the class, dumps the JVM's threads when a test fails
 * ({@link ThreadDumpOnFailure}), and tags it {@code integration} so builds can select or skip such tests.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith({InfrastructureExtension.class, ThreadDumpOnFailure.class})
@Tag("integration")
public @interface PromptloopIntegrationTest {}
