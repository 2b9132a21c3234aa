package io.promptloop.support.security;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration;
import org.springframework.context.annotation.Configuration;

/** A service without users, or with a password lacking its encoding, does not start, and says why. */
class SecurityPropertiesTest {

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(SecurityProperties.class)
    static class Bind {}

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
            .withUserConfiguration(Bind.class);

    @Test
    void shouldRequireAUser() {
        runner.run(context -> assertThat(context)
                .hasFailed()
                .getFailure()
                .rootCause()
                .hasMessageContaining("promptloop.security.users"));
    }

    @Test
    void shouldRequireThePasswordEncoding() {
        runner.withPropertyValues(
                        "promptloop.security.users[0].name=ops", "promptloop.security.users[0].password=plain")
                .run(context -> assertThat(context)
                        .hasFailed()
                        .getFailure()
                        .rootCause()
                        .hasMessageContaining("encoding prefix"));
    }

    @Test
    void shouldBindUsersWithReaderAsTheDefaultRole() {
        runner.withPropertyValues(
                        "promptloop.security.users[0].name=ops",
                        "promptloop.security.users[0].password={noop}secret",
                        "promptloop.security.users[1].name=boss",
                        "promptloop.security.users[1].password={noop}secret",
                        "promptloop.security.users[1].roles=READER,OPERATOR")
                .run(context -> {
                    var users = context.getBean(SecurityProperties.class).users();
                    assertThat(users).hasSize(2);
                    assertThat(users.get(0).roles()).containsExactly("READER");
                    assertThat(users.get(1).roles()).containsExactly("READER", "OPERATOR");
                    assertThat(users.get(1).toString()).doesNotContain("secret");
                });
    }
}
