package io.promptloop.optimizer.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration;
import org.springframework.context.annotation.Configuration;

/** The auto-run policy's settings stop the service at start-up when they cannot work, naming the property. */
class PolicyPropertiesTest {

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(OptimizerProperties.class)
    static class Bound {}

    private final ApplicationContextRunner context = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
            .withUserConfiguration(Bound.class)
            .withPropertyValues(
                    "promptloop.optimizer.security.users[0].name=reader",
                    "promptloop.optimizer.security.users[0].password={noop}secret");

    @Test
    void shouldBindTheDefaults() {
        context.run(ctx -> {
            assertThat(ctx).hasNotFailed();
            var policy = ctx.getBean(OptimizerProperties.class).policy();
            assertThat(policy.minUsefulImprovementPercent()).isEqualTo(5.0);
            assertThat(policy.backoff()).hasMinutes(10);
            assertThat(policy.maxBackoff()).hasHours(24);
            assertThat(policy.scoreDrop()).isEqualTo(0.1);
            assertThat(policy.dailyMetricCalls()).isEqualTo(2000);
            assertThat(policy.runMetricCalls()).isEqualTo(500);
        });
    }

    static Stream<Arguments> badValues() {
        return Stream.of(
                // daily budget below one run of the policy's budget (medium = 2,000 calls)
                Arguments.of(
                        new String[] {
                            "promptloop.optimizer.policy.budget=medium",
                            "promptloop.optimizer.policy.daily-metric-calls=1999"
                        },
                        "promptloop.optimizer.policy.daily-metric-calls must be at least"),
                Arguments.of(
                        new String[] {"promptloop.optimizer.policy.max-backoff=5m"},
                        "promptloop.optimizer.policy.max-backoff must be at least promptloop.optimizer.policy.backoff"),
                Arguments.of(
                        new String[] {
                            "promptloop.optimizer.policy.backoff=-1m", "promptloop.optimizer.policy.max-backoff=1h"
                        },
                        "promptloop.optimizer.policy.backoff must not be negative"),
                Arguments.of(new String[] {"promptloop.optimizer.policy.score-drop=0"}, "scoreDrop"),
                Arguments.of(
                        new String[] {"promptloop.optimizer.policy.min-useful-improvement-percent=-1"},
                        "minUsefulImprovementPercent"),
                Arguments.of(new String[] {"promptloop.optimizer.policy.daily-metric-calls=0"}, "dailyMetricCalls"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("badValues")
    void shouldRefuseToStartWithAMessageNamingTheProperty(String[] properties, String message) {
        context.withPropertyValues(properties).run(ctx -> {
            assertThat(ctx).hasFailed();
            StringBuilder all = new StringBuilder();
            for (Throwable t = ctx.getStartupFailure(); t != null; t = t.getCause())
                all.append(t).append('\n');
            assertThat(all.toString()).contains("promptloop.optimizer").contains(message);
        });
    }
}
