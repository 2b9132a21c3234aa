package io.promptloop.support.kafka;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * {@link BrokerOffsets} by Kafka's {@link Admin} client: one request per question, each bounded by
 * {@code timeout}. A broker that does not answer in time, or answers an error, becomes a
 * {@link BrokerUnavailableException} naming what was asked.
 */
public final class AdminBrokerOffsets implements BrokerOffsets {

    private final Admin admin;
    private final Duration timeout;

    public AdminBrokerOffsets(Admin admin, Duration timeout) {
        this.admin = admin;
        this.timeout = timeout;
    }

    @Override
    public Map<String, List<TopicPartition>> partitions(Collection<String> topics) {
        Map<String, KafkaFuture<TopicDescription>> described =
                admin.describeTopics(topics).topicNameValues();
        Map<String, List<TopicPartition>> partitions = new HashMap<>();
        for (var e : described.entrySet()) {
            try {
                TopicDescription d = await(e.getValue(), "describe topic " + e.getKey());
                partitions.put(
                        e.getKey(),
                        d.partitions().stream()
                                .map(p -> new TopicPartition(e.getKey(), p.partition()))
                                .toList());
            } catch (BrokerUnavailableException missing) {
                if (!(missing.getCause() instanceof UnknownTopicOrPartitionException)) throw missing;
            }
        }
        return partitions;
    }

    @Override
    public Map<TopicPartition, Long> committed(String group) {
        Map<TopicPartition, OffsetAndMetadata> offsets = await(
                admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata(), "committed offsets of " + group);
        Map<TopicPartition, Long> committed = new HashMap<>();
        offsets.forEach((tp, o) -> {
            if (o != null) committed.put(tp, o.offset());
        });
        return committed;
    }

    @Override
    public Map<TopicPartition, Long> earliest(Collection<TopicPartition> partitions) {
        return offsets(partitions, OffsetSpec.earliest(), IsolationLevel.READ_UNCOMMITTED, "earliest offsets");
    }

    @Override
    public Map<TopicPartition, Long> latest(Collection<TopicPartition> partitions, boolean committedOnly) {
        return offsets(
                partitions,
                OffsetSpec.latest(),
                committedOnly ? IsolationLevel.READ_COMMITTED : IsolationLevel.READ_UNCOMMITTED,
                "end offsets");
    }

    @Override
    public Map<TopicPartition, Long> firstAtOrAfter(Collection<TopicPartition> partitions, Instant since) {
        return offsets(
                partitions,
                OffsetSpec.forTimestamp(since.toEpochMilli()),
                IsolationLevel.READ_UNCOMMITTED,
                "offsets at " + since);
    }

    private Map<TopicPartition, Long> offsets(
            Collection<TopicPartition> partitions, OffsetSpec spec, IsolationLevel isolation, String what) {
        if (partitions.isEmpty()) return Map.of();
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        partitions.forEach(tp -> request.put(tp, spec));
        Map<TopicPartition, ListOffsetsResultInfo> answer = await(
                admin.listOffsets(request, new ListOffsetsOptions(isolation)).all(), what);
        Map<TopicPartition, Long> offsets = new HashMap<>();
        answer.forEach((tp, info) -> {
            if (info.offset() >= 0) offsets.put(tp, info.offset()); // -1: no record at or after the timestamp
        });
        return offsets;
    }

    private <T> T await(KafkaFuture<T> future, String what) {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new BrokerUnavailableException(what + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new BrokerUnavailableException(what + ": no answer from the broker in " + timeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BrokerUnavailableException(what + ": interrupted", e);
        }
    }
}
