package io.promptloop.optimizer;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.scheduling.annotation.EnableScheduling;

/** optimizer-service: turns live feedback into GEPA optimization runs and new, versioned instructions. */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
public class OptimizerApplication {

    public static void main(String[] args) {
        SpringApplication.run(OptimizerApplication.class, args);
    }
}
