package io.promptloop.abtest;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** abtest-service: a bare application until its issue is built; it starts and reports health. */
@SpringBootApplication
public class AbtestApplication {

    public static void main(String[] args) {
        SpringApplication.run(AbtestApplication.class, args);
    }
}
