package io.promptloop.ingest.config;

import io.promptloop.ingest.ingestion.domain.InvalidEventException;
import io.promptloop.ingest.ingestion.domain.RejectionReason;
import io.promptloop.ingest.ingestion.messaging.IngestMetrics;
import io.promptloop.schemas.Topics;
import io.promptloop.support.kafka.DeadLetters;
import io.promptloop.support.kafka.PromptloopKafkaAutoConfiguration.NotRetryable;
import io.promptloop.support.kafka.ServiceTopics;
import java.util.List;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.listener.ConsumerRecordRecoverer;
import org.springframework.kafka.support.serializer.DeserializationException;

/**
 * What ingest adds to the shared Kafka handling (service-support): records that can never be stored go to
 * {@code <topic>-dlt} with the reason {@link RejectionReason} names; anything else (PostgreSQL down, a broken grant)
 * is retried by the shared error handler with back-off for as long as it takes, so nothing is lost and nothing is
 * dead-lettered for a fault of ours.
 */
@Configuration(proxyBeanMethods = false)
class KafkaConfig {

    @Bean
    NotRetryable ingestNotRetryable() {
        return new NotRetryable(List.of(InvalidEventException.class));
    }

    @Bean
    ConsumerRecordRecoverer deadLetterRecoverer(DeadLetters deadLetters, IngestMetrics metrics) {
        ConsumerRecordRecoverer send = deadLetters.recoverer(KafkaConfig::reasonOf);
        return (record, failure) -> {
            send.accept(record, failure);
            metrics.deadLettered(record.topic());
        };
    }

    static String reasonOf(Throwable ex) {
        for (Throwable t = ex; t != null; t = t.getCause()) {
            if (t instanceof InvalidEventException invalid)
                return invalid.reason().code();
            if (t instanceof DeserializationException) return RejectionReason.UNDECODABLE.code();
        }
        return "unexpected";
    }

    /** The agent topics and their dead-letter topics, created at start-up if missing. */
    @Bean
    ServiceTopics ingestTopics() {
        List<Topics.Topic<?>> consumed =
                List.of(Topics.AGENT_SESSIONS, Topics.AGENT_EVALUATIONS, Topics.AB_OBSERVATIONS);
        return new ServiceTopics(consumed, consumed);
    }
}
