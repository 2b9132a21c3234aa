package io.promptloop.support.health;

import io.promptloop.support.web.Problems;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.core.KafkaAdmin;

/**
 * Readiness that tells the truth at once: {@code db} and {@code kafka} health from a {@link DependencyWatch}
 * (background checks, bounded timeouts), so a probe answers in milliseconds whatever the dependencies do.
 * Liveness never includes them: a replica that cannot reach PostgreSQL is not restarted, it only takes no traffic.
 */
@AutoConfiguration(
        after = io.promptloop.support.web.PromptloopWebAutoConfiguration.class,
        afterName = {
            "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
            "org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration"
        })
public class PromptloopHealthAutoConfiguration {

    @Bean
    DependencyWatch dependencyWatch(
            ObjectProvider<DataSource> dataSource,
            ObjectProvider<KafkaAdmin> kafkaAdmin,
            @Value("${promptloop.health.interval:1s}") Duration interval,
            @Value("${promptloop.health.timeout:1s}") Duration timeout) {
        if (interval.isNegative() || interval.isZero() || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException(
                    "promptloop.health.interval and promptloop.health.timeout must be positive, were " + interval
                            + " and " + timeout);
        }
        DependencyWatch watch = new DependencyWatch(interval, Clock.systemUTC());
        DataSource db = dataSource.getIfAvailable();
        if (db != null) {
            int seconds = (int) Math.max(1, timeout.toSeconds());
            watch.add("db", () -> {
                try (Connection connection = db.getConnection()) {
                    if (!connection.isValid(seconds)) throw new IllegalStateException("connection is not valid");
                    return Map.of("database", connection.getMetaData().getDatabaseProductName());
                }
            });
        }
        KafkaAdmin admin = kafkaAdmin.getIfAvailable();
        if (admin != null) {
            AdminClient client = AdminClient.create(admin.getConfigurationProperties());
            int millis = (int) timeout.toMillis();
            watch.add(
                    "kafka",
                    () -> {
                        var cluster = client.describeCluster(new DescribeClusterOptions().timeoutMs(millis));
                        int nodes = cluster.nodes()
                                .get(millis, TimeUnit.MILLISECONDS)
                                .size();
                        return Map.of(
                                "clusterId", cluster.clusterId().get(millis, TimeUnit.MILLISECONDS), "nodes", nodes);
                    },
                    () -> client.close(Duration.ofSeconds(1)));
        }
        return watch;
    }

    /** After security (an anonymous caller still gets 401), before anything reaches for a connection. */
    @Bean
    @ConditionalOnBean(DataSource.class)
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
    FilterRegistrationBean<UnavailableDatabaseFilter> unavailableDatabaseFilter(
            DependencyWatch watch, Problems problems) {
        var registration = new FilterRegistrationBean<>(new UnavailableDatabaseFilter(watch, problems));
        registration.setOrder(
                org.springframework.boot.security.autoconfigure.web.servlet.SecurityFilterProperties
                                .DEFAULT_FILTER_ORDER
                        + 1);
        return registration;
    }

    @Bean
    @ConditionalOnBean(DataSource.class)
    HealthIndicator dbHealthIndicator(DependencyWatch watch) {
        return watch.indicator("db");
    }

    @Bean
    @ConditionalOnBean(KafkaAdmin.class)
    HealthIndicator kafkaHealthIndicator(DependencyWatch watch) {
        return watch.indicator("kafka");
    }
}
