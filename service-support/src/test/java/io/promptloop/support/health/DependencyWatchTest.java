package io.promptloop.support.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Status;

class DependencyWatchTest {

    static final class MovableClock extends Clock {
        Instant now = Instant.parse("2026-12-06T12:00:00Z");

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void shouldAnswerFromTheLastCheck() {
        var clock = new MovableClock();
        var reachable = new AtomicBoolean(true);
        var watch = new DependencyWatch(Duration.ofSeconds(1), clock).add("db", () -> {
            if (!reachable.get()) throw new IllegalStateException("Connection refused");
            return Map.of("database", "PostgreSQL");
        });
        assertThat(watch.indicator("db").health().getStatus())
                .as("before any check")
                .isEqualTo(Status.DOWN);

        watch.checkAll();
        assertThat(watch.indicator("db").health().getStatus()).isEqualTo(Status.UP);

        reachable.set(false);
        watch.checkAll();
        var down = watch.indicator("db").health();
        assertThat(down.getStatus()).isEqualTo(Status.DOWN);
        assertThat(down.getDetails().get("error").toString()).contains("Connection refused");
    }

    @Test
    void shouldReportAStuckCheckAsDown() {
        var clock = new MovableClock();
        var watch = new DependencyWatch(Duration.ofSeconds(1), clock).add("kafka", () -> Map.of("nodes", 1));
        watch.checkAll();
        assertThat(watch.indicator("kafka").health().getStatus()).isEqualTo(Status.UP);
        clock.now = clock.now.plusSeconds(4); // no check finished for more than three intervals
        var stale = watch.indicator("kafka").health();
        assertThat(stale.getStatus()).isEqualTo(Status.DOWN);
        assertThat(stale.getDetails().get("error").toString()).contains("stale");
    }
}
