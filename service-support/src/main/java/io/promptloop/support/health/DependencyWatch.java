package io.promptloop.support.health;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.SmartLifecycle;

/**
 * Checks the service's dependencies (PostgreSQL, Kafka) in the background, each on its own thread, every
 * {@code interval}, each check bounded by its own timeout; health indicators answer from the last result at once.
 * A probe therefore never waits on a dependency: while PostgreSQL is unreachable readiness says DOWN within one
 * interval plus one check timeout, instead of hanging for as long as the driver waits. A check that has not
 * finished for three intervals is itself reported DOWN ({@code stale}).
 */
public final class DependencyWatch implements SmartLifecycle, DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(DependencyWatch.class);

    /** What one check found: details when up, the reason when down. */
    public record Result(boolean up, Map<String, Object> details, Instant checkedAt) {}

    private final Map<String, Callable<Map<String, Object>>> checks = new LinkedHashMap<>();
    private final Map<String, Result> results = new ConcurrentHashMap<>();
    private final Duration interval;
    private final Clock clock;
    private final List<Thread> threads = new ArrayList<>();
    private final List<AutoCloseable> resources = new ArrayList<>();
    private volatile boolean running;

    public DependencyWatch(Duration interval, Clock clock) {
        this.interval = interval;
        this.clock = clock;
    }

    /** Adds a check: it returns details when the dependency answers and throws when it does not. */
    public synchronized DependencyWatch add(String name, Callable<Map<String, Object>> check) {
        checks.put(name, check);
        return this;
    }

    /** Adds a check with a resource (a client) of its own, closed with the watch. */
    public synchronized DependencyWatch add(String name, Callable<Map<String, Object>> check, AutoCloseable resource) {
        resources.add(resource);
        return add(name, check);
    }

    /** Whether a check of this name exists. */
    public synchronized boolean watches(String name) {
        return checks.containsKey(name);
    }

    @Override
    public synchronized void destroy() {
        stop();
        for (AutoCloseable resource : resources) {
            try {
                resource.close();
            } catch (Exception e) {
                log.debug("closing a health check's client failed", e);
            }
        }
        resources.clear();
    }

    /** The last result of a check, if it ran. */
    public java.util.Optional<Result> last(String name) {
        return java.util.Optional.ofNullable(results.get(name));
    }

    /** The health of one dependency from its last check. */
    public HealthIndicator indicator(String name) {
        return () -> health(name);
    }

    Health health(String name) {
        Result result = results.get(name);
        if (result == null)
            return Health.down().withDetail("error", "not checked yet").build();
        Duration age = Duration.between(result.checkedAt(), clock.instant());
        if (age.compareTo(interval.multipliedBy(3)) > 0) {
            return Health.down()
                    .withDetail("error", "stale: the last check finished " + age.toMillis() + " ms ago")
                    .build();
        }
        Health.Builder builder = result.up() ? Health.up() : Health.down();
        return builder.withDetails(result.details())
                .withDetail("checkedMsAgo", age.toMillis())
                .build();
    }

    /** Runs every check once, now (the first probe then has a result). */
    void checkAll() {
        checks.forEach(this::checkOnce);
    }

    private void checkOnce(String name, Callable<Map<String, Object>> check) {
        Result previous = results.get(name);
        Result result;
        try {
            result = new Result(true, check.call(), clock.instant());
        } catch (Exception e) {
            result = new Result(false, Map.of("error", e.toString()), clock.instant());
        }
        results.put(name, result);
        if (previous != null && previous.up() != result.up()) {
            if (result.up()) log.info("{} is reachable again", name);
            else log.warn("{} is unreachable: {}", name, result.details().get("error"));
        }
    }

    @Override
    public synchronized void start() {
        if (running) return;
        running = true;
        checks.forEach((name, check) -> threads.add(Thread.ofPlatform()
                .daemon()
                .name("dependency-watch-" + name)
                .start(() -> {
                    while (running) {
                        checkOnce(name, check);
                        try {
                            Thread.sleep(interval);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                })));
    }

    @Override
    public synchronized void stop() {
        running = false;
        threads.forEach(Thread::interrupt);
        threads.clear();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return Integer.MIN_VALUE + 100; // start before the listeners, stop after them
    }
}
