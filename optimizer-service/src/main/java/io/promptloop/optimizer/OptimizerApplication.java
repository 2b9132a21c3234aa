package io.promptloop.optimizer;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** optimizer-service: a bare application until its issue is built; it starts and reports health. */
@SpringBootApplication
public class OptimizerApplication {

    public static void main(String[] args) {
        SpringApplication.run(OptimizerApplication.class, args);
    }
}
