package io.promptloop.ingest;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.scheduling.annotation.EnableScheduling;

/** ingest-service: consumes the agent topics and writes every event to PostgreSQL exactly once in effect. */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
public class IngestApplication {

    public static void main(String[] args) {
        SpringApplication.run(IngestApplication.class, args);
    }
}
