package io.promptloop.optimizer.config;

import io.promptloop.optimizer.reflection.domain.DeterministicReflector;
import io.promptloop.optimizer.reflection.domain.Reflector;
import io.promptloop.optimizer.reflection.openai.OpenAiChatReflector;
import io.promptloop.optimizer.reflection.openai.OpenAiSettings;
import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires the pure parts: time as a parameter, and the configured reflector. */
@Configuration(proxyBeanMethods = false)
class DomainConfig {

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Bean
    Reflector reflector(OptimizerProperties properties) {
        var r = properties.reflection();
        if (r.type().equals("openai")) {
            var o = r.openai();
            return new OpenAiChatReflector(
                    new OpenAiSettings(o.baseUrl(), o.model(), o.apiKey(), o.timeout(), o.maxRetries(), o.maxTokens()));
        }
        return new DeterministicReflector(r.maxNewGuidelines());
    }
}
