package io.promptloop.support;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** One property turns every service's console log into ECS JSON, one object per line. */
@ExtendWith(OutputCaptureExtension.class)
class StructuredLoggingTest {

    @SpringBootConfiguration
    static class Probe {}

    @Test
    void shouldLogEcsJsonWhenAskedTo(CapturedOutput output) {
        var app = new SpringApplication(Probe.class);
        app.setWebApplicationType(WebApplicationType.NONE);
        try (var context =
                app.run("--logging.structured.format.console=ecs", "--spring.application.name=probe-service")) {
            LoggerFactory.getLogger("io.promptloop.probe").warn("dead-lettered agent-sessions-0@7 reason=undecodable");
        }
        String line = output.getOut()
                .lines()
                .filter(l -> l.contains("reason=undecodable"))
                .findFirst()
                .orElseThrow();
        JsonNode json = JsonMapper.builder().build().readTree(line);
        assertThat(json.path("@timestamp").asText()).isNotBlank();
        assertThat(json.path("log").path("level").asText()).isEqualTo("WARN");
        assertThat(json.path("service").path("name").asText()).isEqualTo("probe-service");
        assertThat(json.path("message").asText()).isEqualTo("dead-lettered agent-sessions-0@7 reason=undecodable");
    }

    @Test
    void shouldPutItsDefaultsBelowEverythingElse() {
        var app = new SpringApplication(Probe.class);
        app.setWebApplicationType(WebApplicationType.NONE);
        try (var context = app.run("--spring.datasource.hikari.connection-timeout=2500")) {
            var environment = context.getEnvironment();
            assertThat(environment.getProperty("spring.datasource.hikari.connection-timeout"))
                    .as("a service's own value wins")
                    .isEqualTo("2500");
            assertThat(environment.getProperty("spring.datasource.hikari.validation-timeout"))
                    .as("the shared default applies where the service says nothing")
                    .isEqualTo("1000");
            assertThat(environment.getProperty("server.shutdown")).isEqualTo("graceful");
        }
    }
}
