package io.promptloop.support.kafka;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * The total lag of each of this service's consumer groups on each topic it reads, as the gauge {@code
 * promptloop.kafka.consumer.group.lag} (Prometheus {@code promptloop_kafka_consumer_group_lag{group, topic}}):
 * end offsets minus committed offsets summed over the topic's partitions ({@link KafkaBacklog#lag}), read from
 * the broker every {@code interval} on a thread of its own, so a scrape never waits on Kafka. Every replica of a
 * service reports the same figure for its group (aggregate with {@code max}, not {@code sum}). When the broker
 * cannot answer, the gauges show NaN (no stale figure) until it can again; the readiness check reports the
 * broker itself.
 */
public final class ConsumerGroupLag implements SmartLifecycle {

    static final String METER = "promptloop.kafka.consumer.group.lag";

    private static final Logger log = LoggerFactory.getLogger(ConsumerGroupLag.class);

    private final KafkaBacklog backlog;
    private final Supplier<Map<String, List<String>>> groups;
    private final MeterRegistry meters;
    private final Duration interval;
    private final Map<List<String>, AtomicReference<Double>> values = new ConcurrentHashMap<>();
    private volatile ScheduledExecutorService scheduler;
    private volatile boolean failing;

    /**
     * @param groups each consumer group of the service with the topics it reads (asked on every refresh, since
     *     listener containers may start after this)
     */
    public ConsumerGroupLag(
            KafkaBacklog backlog, Supplier<Map<String, List<String>>> groups, MeterRegistry meters, Duration interval) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("the lag interval must be positive, was " + interval);
        }
        this.backlog = backlog;
        this.groups = groups;
        this.meters = meters;
        this.interval = interval;
    }

    /** Reads every group's lag once and updates the gauges; never throws (a failure shows as NaN). */
    public void refresh() {
        try {
            groups.get().forEach((group, topics) -> {
                if (topics.isEmpty()) return;
                for (KafkaBacklog.Lag lag : backlog.lag(group, topics)) {
                    gauge(group, lag.topic()).set(lag.topicExists() ? (double) lag.lag() : Double.NaN);
                }
            });
            if (failing) log.info("consumer group lag: the broker answers again");
            failing = false;
        } catch (RuntimeException e) {
            values.values().forEach(v -> v.set(Double.NaN));
            if (!failing)
                log.warn("consumer group lag: cannot read offsets from the broker ({}); gauges are NaN", e.toString());
            failing = true;
        }
    }

    private AtomicReference<Double> gauge(String group, String topic) {
        return values.computeIfAbsent(List.of(group, topic), key -> {
            AtomicReference<Double> value = new AtomicReference<>(Double.NaN);
            Gauge.builder(METER, value, AtomicReference::get)
                    .description("Records the consumer group has still to read on the topic (end minus committed"
                            + " offsets, summed over partitions)")
                    .tag("group", group)
                    .tag("topic", topic)
                    .register(meters);
            return value;
        });
    }

    @Override
    public void start() {
        ScheduledExecutorService s = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "promptloop-kafka-lag");
            t.setDaemon(true);
            return t;
        });
        s.scheduleWithFixedDelay(this::refresh, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        scheduler = s;
    }

    @Override
    public void stop() {
        ScheduledExecutorService s = scheduler;
        scheduler = null;
        if (s != null) s.shutdownNow();
        backlog.close();
    }

    @Override
    public boolean isRunning() {
        return scheduler != null;
    }
}
