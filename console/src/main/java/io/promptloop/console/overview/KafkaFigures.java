package io.promptloop.console.overview;

import io.promptloop.console.config.ConsoleProperties;
import io.promptloop.schemas.Topics;
import io.promptloop.support.kafka.BrokerUnavailableException;
import io.promptloop.support.kafka.KafkaBacklog;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * The overview's Kafka figures: records dead-lettered in the last hour on each catalogue topic's
 * {@code <topic>-dlt}, and the lag of each configured consumer group, by service-support's {@link KafkaBacklog}.
 * A broker that does not answer in time leaves the figures out and says why; the rest of the page stands.
 */
@Component
class KafkaFigures {

    static final Duration WINDOW = Duration.ofHours(1);

    /**
     * @param since the start of the window (the page shows it, so a reader can recount)
     * @param error why there are no figures, or null
     */
    public record Figures(
            Instant since, List<KafkaBacklog.Arrivals> deadLetters, List<KafkaBacklog.Lag> lag, String error) {

        public java.time.OffsetDateTime sinceUtc() {
            return since.atOffset(java.time.ZoneOffset.UTC);
        }

        public long deadLettersTotal() {
            return deadLetters.stream()
                    .mapToLong(KafkaBacklog.Arrivals::records)
                    .sum();
        }
    }

    private final KafkaBacklog backlog;
    private final ConsoleProperties properties;

    KafkaFigures(KafkaBacklog backlog, ConsoleProperties properties) {
        this.backlog = backlog;
        this.properties = properties;
    }

    Figures lastHour(Instant now) {
        Instant since = now.minus(WINDOW);
        try {
            List<KafkaBacklog.Arrivals> deadLetters = backlog.arrivedSince(
                    Topics.ALL.stream().map(Topics.Topic::deadLetterTopic).toList(), since);
            List<KafkaBacklog.Lag> lag = new ArrayList<>();
            for (ConsoleProperties.Group g : properties.kafka().groupsOrServices()) {
                lag.addAll(backlog.lag(g.name(), g.topics()));
            }
            return new Figures(since, deadLetters, lag, null);
        } catch (BrokerUnavailableException e) {
            return new Figures(
                    since,
                    List.of(),
                    List.of(),
                    "Kafka at " + properties.kafka().bootstrapServers() + " did not answer: " + e.getMessage());
        }
    }
}
