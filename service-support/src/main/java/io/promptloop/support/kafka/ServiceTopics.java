package io.promptloop.support.kafka;

import io.promptloop.schemas.Topics.Topic;
import java.util.List;

/**
 * The catalogue topics a service creates at start-up when {@code promptloop.topics.create} is on.
 *
 * @param topics topics created with the catalogue's partitions and clean-up policy
 * @param deadLetters topics whose {@code <topic>-dlt} the service writes and therefore creates too
 */
public record ServiceTopics(List<Topic<?>> topics, List<Topic<?>> deadLetters) {

    public ServiceTopics {
        topics = List.copyOf(topics);
        deadLetters = List.copyOf(deadLetters);
    }
}
