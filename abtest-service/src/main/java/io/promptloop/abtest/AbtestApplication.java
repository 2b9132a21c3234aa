package io.promptloop.abtest;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * abtest-service: a treatment instruction replaces the baseline only when anytime-valid statistics show it
 * better with every guardrail intact, and is rolled back the moment a guardrail breaks after rollout.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
public class AbtestApplication {

    public static void main(String[] args) {
        SpringApplication.run(AbtestApplication.class, args);
    }
}
