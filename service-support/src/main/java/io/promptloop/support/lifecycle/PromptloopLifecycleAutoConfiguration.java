package io.promptloop.support.lifecycle;

import java.time.Duration;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.context.annotation.Bean;

/** Graceful, bounded shutdown for every service (see {@link ShutdownWatchdog}). */
@AutoConfiguration
public class PromptloopLifecycleAutoConfiguration {

    @Bean
    static ShutdownWatchdog shutdownWatchdog(@Value("${promptloop.shutdown.timeout:25s}") Duration timeout) {
        return new ShutdownWatchdog(timeout);
    }
}
