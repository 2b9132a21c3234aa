package io.promptloop.support.kafka;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * The offsets {@link KafkaBacklog} reads from a broker: the one seam between its arithmetic and Kafka, so that the
 * arithmetic is tested without a broker and the broker side (an {@code Admin} client, {@link AdminBrokerOffsets})
 * stays a thin pass-through.
 */
public interface BrokerOffsets {

    /** The partitions of each topic that exists; a topic that does not exist has no entry. */
    Map<String, List<TopicPartition>> partitions(Collection<String> topics);

    /** The group's committed offsets; a partition the group never committed has no entry. */
    Map<TopicPartition, Long> committed(String group);

    /** The log start offsets (the oldest offset still held). */
    Map<TopicPartition, Long> earliest(Collection<TopicPartition> partitions);

    /**
     * The end offsets: for {@code committedOnly} the last stable offset (what a {@code read_committed} consumer can
     * reach), else the high watermark.
     */
    Map<TopicPartition, Long> latest(Collection<TopicPartition> partitions, boolean committedOnly);

    /**
     * Per partition the first offset whose record timestamp is at or after {@code since}; a partition with no such
     * record has no entry.
     */
    Map<TopicPartition, Long> firstAtOrAfter(Collection<TopicPartition> partitions, Instant since);
}
