package io.promptloop.abtest.config;

import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Time is a parameter, so analyses replay. */
@Configuration(proxyBeanMethods = false)
class DomainConfig {

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }
}
