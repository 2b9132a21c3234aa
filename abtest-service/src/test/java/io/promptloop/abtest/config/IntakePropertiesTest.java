package io.promptloop.abtest.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

/** The de-duplication window is validated at start-up: a bad value stops the start and names the property. */
class IntakePropertiesTest {

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(AbtestProperties.class)
    static class Bound {}

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withPropertyValues("spring.main.web-application-type=none")
            .withUserConfiguration(Bound.class)
            .withBean(org.springframework.validation.beanvalidation.LocalValidatorFactoryBean.class);

    @Test
    void shouldDefaultToAHundredThousandEventIdsPerPartition() {
        runner.run(context -> assertThat(context.getBean(AbtestProperties.class)
                        .intake()
                        .dedupWindow()
                        .events())
                .isEqualTo(100_000));
    }

    @Test
    void shouldTakeAWindowInRange() {
        runner.withPropertyValues("promptloop.abtest.intake.dedup-window.events=5000")
                .run(context -> assertThat(context.getBean(AbtestProperties.class)
                                .intake()
                                .dedupWindow()
                                .events())
                        .isEqualTo(5000));
    }

    @Test
    void shouldRefuseToStartWithAWindowOutOfRangeOrNotANumber() {
        // table: value → what the failure says
        record Bad(String value, String says) {}
        for (Bad bad : new Bad[] {
            new Bad("999", "greater than or equal to 1000"),
            new Bad("0", "greater than or equal to 1000"),
            new Bad("20000000", "less than or equal to 10000000"),
            new Bad("many", "many")
        }) {
            runner.withPropertyValues("promptloop.abtest.intake.dedup-window.events=" + bad.value())
                    .run(context -> {
                        assertThat(context).as(bad.value()).hasFailed();
                        StringBuilder messages = new StringBuilder();
                        for (Throwable t = context.getStartupFailure(); t != null; t = t.getCause()) {
                            messages.append(t.getMessage()).append('\n');
                        }
                        assertThat(messages.toString())
                                .as(bad.value())
                                .containsAnyOf(
                                        "promptloop.abtest.intake.dedup-window.events", "intake.dedupWindow.events")
                                .contains(bad.says());
                    });
        }
    }
}
