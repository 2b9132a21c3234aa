package io.promptloop.abtest.outbox;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * How far the outbox is behind, for alerting on a relay that stopped publishing (broker unreachable, a row it
 * cannot send): {@code promptloop_outbox_backlog} (rows not yet published) and {@code
 * promptloop_outbox_oldest_age_seconds} (age of the oldest of them, 0 when none). Read from the database on a
 * schedule, so a scrape never waits for PostgreSQL; while the database cannot be read the last values stay and
 * the failure is logged. Every replica reports the same table: aggregate with {@code max}, not {@code sum}.
 */
@Component
public class OutboxBacklog {

    private static final Logger log = LoggerFactory.getLogger(OutboxBacklog.class);

    private record Reading(double rows, double oldestAgeSeconds) {}

    private final JdbcClient jdbc;
    private final AtomicReference<Reading> last = new AtomicReference<>(new Reading(Double.NaN, Double.NaN));

    public OutboxBacklog(JdbcClient jdbc, MeterRegistry meters) {
        this.jdbc = jdbc;
        Gauge.builder("promptloop.outbox.backlog", last, r -> r.get().rows())
                .description("outbox rows not yet published to Kafka")
                .register(meters);
        Gauge.builder("promptloop.outbox.oldest.age", last, r -> r.get().oldestAgeSeconds())
                .description("age of the oldest outbox row not yet published (0 when none)")
                .baseUnit("seconds")
                .register(meters);
    }

    @Scheduled(fixedDelayString = "${promptloop.abtest.relay.backlog-interval:10s}", initialDelayString = "0s")
    public void refresh() {
        try {
            // the age by the database's clock, which also stamped created_at
            last.set(jdbc.sql("SELECT count(*), COALESCE(extract(epoch FROM now() - min(created_at)), 0)"
                            + " FROM abtest.outbox WHERE published_at IS NULL")
                    .query((rs, i) -> new Reading(rs.getLong(1), Math.max(0, rs.getDouble(2))))
                    .single());
        } catch (RuntimeException e) {
            log.warn("outbox backlog not read, the gauges keep their last values: {}", e.toString());
        }
    }
}
