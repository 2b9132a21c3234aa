package io.promptloop.console.config;

import io.promptloop.schemas.Topics;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Where the services are and the credential the console acts with (an OPERATOR of the services), where Kafka is
 * (for the overview's dead-letter counts and consumer lag), and how many rows a page shows.
 */
@ConfigurationProperties("promptloop.console")
@Validated
public record ConsoleProperties(
        @NotNull @DefaultValue("http://127.0.0.1:8081") URI ingestUrl,
        @NotNull @DefaultValue("http://127.0.0.1:8082") URI optimizerUrl,
        @NotNull @DefaultValue("http://127.0.0.1:8083") URI abtestUrl,

        @NotBlank(message = "configure promptloop.console.service-user, an OPERATOR of the services")
        String serviceUser,

        @NotBlank(message = "configure promptloop.console.service-password")
        String servicePassword,

        @DefaultValue("25") @Min(1) @Max(500) int pageSize,

        @Valid @NotNull @DefaultValue Kafka kafka) {

    /**
     * The Kafka cluster the services use.
     *
     * @param bootstrapServers {@code host:port[,host:port...]}, checked at start
     * @param timeout how long the overview waits for the broker's answer before it shows the error instead
     * @param groups the consumer groups whose lag the overview shows, with the topics each reads; empty: the three
     *     services' groups as they are configured by default
     */
    public record Kafka(
            @NotBlank(message = "configure promptloop.console.kafka.bootstrap-servers (host:port[,host:port...])")
            @Pattern(
                    regexp =
                            "(\\[[0-9a-fA-F:.]+]|[^,\\s:\\[\\]]+):[0-9]{1,5}(,(\\[[0-9a-fA-F:.]+]|[^,\\s:\\[\\]]+):[0-9]{1,5})*",
                    message = "promptloop.console.kafka.bootstrap-servers must be host:port[,host:port...]")
            @DefaultValue("127.0.0.1:9092")
            String bootstrapServers,

            @NotNull @DefaultValue("5s") Duration timeout,
            @DefaultValue List<@Valid Group> groups) {

        /** The services' consumer groups and the topics their listeners read (see each service's listeners). */
        public static final List<Group> SERVICE_GROUPS = List.of(
                new Group(
                        "promptloop-ingest",
                        List.of(
                                Topics.AGENT_SESSIONS.name(),
                                Topics.AGENT_EVALUATIONS.name(),
                                Topics.AB_OBSERVATIONS.name())),
                new Group(
                        "promptloop-optimizer",
                        List.of(
                                Topics.AGENT_SESSIONS.name(),
                                Topics.AGENT_EVALUATIONS.name(),
                                Topics.INSTRUCTION_ROUTING.name())),
                new Group("promptloop-abtest", List.of(Topics.AB_OBSERVATIONS.name(), Topics.OPTIMIZER_EVENTS.name())));

        public List<Group> groupsOrServices() {
            return groups == null || groups.isEmpty() ? SERVICE_GROUPS : groups;
        }
    }

    /** A consumer group and the topics it reads. */
    public record Group(@NotBlank String name, @NotEmpty List<@NotBlank String> topics) {}
}
