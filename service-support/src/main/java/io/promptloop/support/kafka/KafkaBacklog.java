package io.promptloop.support.kafka;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.TopicPartition;

/**
 * What is waiting in Kafka: per consumer group and topic the lag (end offsets − committed offsets), and how many
 * records arrived on a topic (e.g. a dead-letter topic) since an instant. Exact and cheap: a handful of offset
 * requests, no record is read. No Spring or web concern here, so a page, a health check or a Micrometer gauge can
 * use it alike; the broker is reached through {@link BrokerOffsets}.
 */
public final class KafkaBacklog implements AutoCloseable {

    /**
     * A group's lag on one topic.
     *
     * @param lag records the group has still to read: per partition the end offset (the last stable offset, since
     *     the services read {@code read_committed}) minus the committed offset; a partition the group never
     *     committed counts from the log start, as the services' {@code auto.offset.reset=earliest} would read it
     * @param partitions the topic's partitions (0: the topic does not exist)
     * @param uncommitted of those, the partitions the group has no committed offset for
     */
    public record Lag(String group, String topic, long lag, int partitions, int uncommitted) {

        public boolean topicExists() {
            return partitions > 0;
        }
    }

    /**
     * Records that arrived on a topic since an instant.
     *
     * @param records per partition the end offset minus the first offset whose timestamp is at or after the instant
     *     (no such record: none arrived); exact as far as the producers' clocks agree, since a record's timestamp is
     *     its producer's send time
     * @param partitions the topic's partitions (0: the topic does not exist)
     */
    public record Arrivals(String topic, Instant since, long records, int partitions) {

        public boolean topicExists() {
            return partitions > 0;
        }
    }

    private final BrokerOffsets offsets;
    private final AutoCloseable owned;

    public KafkaBacklog(BrokerOffsets offsets) {
        this(offsets, () -> {});
    }

    private KafkaBacklog(BrokerOffsets offsets, AutoCloseable owned) {
        this.offsets = offsets;
        this.owned = owned;
    }

    /**
     * A backlog over its own {@link Admin} client (closed with it); every question waits at most {@code timeout}.
     *
     * @throws IllegalArgumentException when {@code bootstrapServers} is not a resolvable {@code host:port} list
     */
    public static KafkaBacklog connect(String bootstrapServers, Duration timeout) {
        return connect(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers), timeout);
    }

    /**
     * A backlog over its own {@link Admin} client made from {@code adminConfig} (e.g. a service's own Kafka client
     * settings, with their security), closed with it; every question waits at most {@code timeout}.
     *
     * @throws IllegalArgumentException when the bootstrap servers are not a resolvable {@code host:port} list
     */
    public static KafkaBacklog connect(Map<String, Object> adminConfig, Duration timeout) {
        Properties config = new Properties();
        config.putAll(adminConfig);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        config.put(AdminClientConfig.CLIENT_ID_CONFIG, "promptloop-backlog");
        Admin admin;
        try {
            admin = Admin.create(config);
        } catch (org.apache.kafka.common.KafkaException e) {
            throw new IllegalArgumentException(
                    "Kafka bootstrap servers '" + adminConfig.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG)
                            + "' are not usable: "
                            + (e.getCause() == null
                                    ? e.getMessage()
                                    : e.getCause().getMessage()),
                    e);
        }
        return new KafkaBacklog(new AdminBrokerOffsets(admin, timeout), () -> admin.close(timeout));
    }

    /** The group's lag on each of {@code topics}, in their order. */
    public List<Lag> lag(String group, List<String> topics) {
        Map<String, List<TopicPartition>> partitions = offsets.partitions(topics);
        List<TopicPartition> all =
                partitions.values().stream().flatMap(List::stream).toList();
        Map<TopicPartition, Long> committed = offsets.committed(group);
        Map<TopicPartition, Long> end = offsets.latest(all, true);
        List<TopicPartition> neverCommitted =
                all.stream().filter(tp -> !committed.containsKey(tp)).toList();
        Map<TopicPartition, Long> start = neverCommitted.isEmpty() ? Map.of() : offsets.earliest(neverCommitted);
        List<Lag> lags = new ArrayList<>(topics.size());
        for (String topic : topics) {
            List<TopicPartition> ps = partitions.getOrDefault(topic, List.of());
            long lag = 0;
            int uncommitted = 0;
            for (TopicPartition tp : ps) {
                long from;
                if (committed.containsKey(tp)) {
                    from = committed.get(tp);
                } else {
                    uncommitted++;
                    from = required(start, tp, "log start");
                }
                lag += Math.max(0, required(end, tp, "end") - from);
            }
            lags.add(new Lag(group, topic, lag, ps.size(), uncommitted));
        }
        return lags;
    }

    /** Records that arrived on each of {@code topics} since {@code since}, in their order. */
    public List<Arrivals> arrivedSince(Collection<String> topics, Instant since) {
        Map<String, List<TopicPartition>> partitions = offsets.partitions(topics);
        List<TopicPartition> all =
                partitions.values().stream().flatMap(List::stream).toList();
        Map<TopicPartition, Long> end = offsets.latest(all, false);
        Map<TopicPartition, Long> first = offsets.firstAtOrAfter(all, since);
        List<Arrivals> arrivals = new ArrayList<>(topics.size());
        for (String topic : topics) {
            List<TopicPartition> ps = partitions.getOrDefault(topic, List.of());
            long records = 0;
            for (TopicPartition tp : ps) {
                Long from = first.get(tp);
                if (from != null) records += Math.max(0, required(end, tp, "end") - from);
            }
            arrivals.add(new Arrivals(topic, since, records, ps.size()));
        }
        return arrivals;
    }

    private static long required(Map<TopicPartition, Long> offsets, TopicPartition tp, String which) {
        Long offset = offsets.get(tp);
        if (offset == null) {
            throw new BrokerUnavailableException("the broker gave no " + which + " offset for " + tp, null);
        }
        return offset;
    }

    @Override
    public void close() {
        try {
            owned.close();
        } catch (Exception e) {
            throw new IllegalStateException("could not close the Kafka admin client: " + e.getMessage(), e);
        }
    }
}
