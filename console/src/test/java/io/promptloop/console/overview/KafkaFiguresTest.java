package io.promptloop.console.overview;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyCollection;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import io.promptloop.console.config.ConsoleProperties;
import io.promptloop.support.kafka.BrokerUnavailableException;
import io.promptloop.support.kafka.KafkaBacklog;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The overview's window and its answer when the broker does not answer. */
class KafkaFiguresTest {

    private final KafkaBacklog backlog = mock(KafkaBacklog.class);
    private final ConsoleProperties properties = new ConsoleProperties(
            URI.create("http://i"),
            URI.create("http://o"),
            URI.create("http://a"),
            "u",
            "p",
            25,
            new ConsoleProperties.Kafka("kafka:9092", Duration.ofSeconds(1), List.of()));
    private final KafkaFigures figures = new KafkaFigures(backlog, properties);

    @Test
    void shouldCountTheLastHourOverEveryDeadLetterTopicAndTheServicesGroups() {
        Instant now = Instant.parse("2026-12-06T17:00:00Z");
        Instant since = Instant.parse("2026-12-06T16:00:00Z");
        when(backlog.arrivedSince(anyCollection(), any()))
                .thenReturn(List.of(
                        new KafkaBacklog.Arrivals("agent-sessions-dlt", since, 4, 6),
                        new KafkaBacklog.Arrivals("ab-observations-dlt", since, 1, 6)));
        when(backlog.lag(any(), any())).thenReturn(List.of());

        KafkaFigures.Figures f = figures.lastHour(now);

        assertThat(f.since()).isEqualTo(since);
        assertThat(f.deadLettersTotal()).isEqualTo(5);
        assertThat(f.error()).isNull();
    }

    @Test
    void shouldSayWhichBrokerDidNotAnswerAndShowNoFigures() {
        when(backlog.arrivedSince(anyCollection(), any()))
                .thenThrow(new BrokerUnavailableException("end offsets: no answer from the broker in PT1S", null));

        KafkaFigures.Figures f = figures.lastHour(Instant.parse("2026-12-06T17:00:00Z"));

        assertThat(f.error()).contains("kafka:9092").contains("no answer from the broker in PT1S");
        assertThat(f.deadLetters()).isEmpty();
        assertThat(f.lag()).isEmpty();
    }
}
