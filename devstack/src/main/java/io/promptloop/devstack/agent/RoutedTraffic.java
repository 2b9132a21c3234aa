package io.promptloop.devstack.agent;

import io.apicurio.registry.serde.avro.AvroKafkaDeserializer;
import io.promptloop.avro.observation.ObservationRecorded;
import io.promptloop.avro.routing.InstructionRouting;
import io.promptloop.schemas.Topics;
import io.promptloop.testkit.agent.Rubric;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The simulated agent's production side, which closes the loop: it reads the compacted {@code instruction-routing}
 * topic from the beginning (latest record per agent/predictor, as every agent replica would, without a consumer
 * group), serves simulated requests of its predictor at a steady bounded rate by that routing — the SHA-256 rule
 * picks each user's arm while a test runs — and reports each request as an {@code ObservationRecorded} on {@code
 * ab-observations}, keyed by the test id, only while the routing carries a test. Every change of its predictor's
 * routing is told to a listener in one line (test started, rolled out, done, rolled back).
 */
public final class RoutedTraffic implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(RoutedTraffic.class.getName());
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(200);
    private static final Duration IDLE_WAIT = Duration.ofMillis(100);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration BACKOFF_AFTER_ERROR = Duration.ofSeconds(1);

    /**
     * What to serve and where.
     *
     * @param bootstrapServers Kafka {@code bootstrap.servers}
     * @param registryUrl the registry's Apicurio v3 API
     * @param agentName the agent whose routing is followed
     * @param predictorName its predictor, or null for the agent's main instruction
     * @param requestsPerSecond the steady rate of simulated requests while a test runs, in (0, 1000]
     * @param seed seed of users, questions, score noise, latencies and failures
     * @param rubric the evaluator's hidden rubric, which scores the served instruction
     * @param questionIds the example ids the users' questions are drawn from
     */
    public record Settings(
            String bootstrapServers,
            String registryUrl,
            String agentName,
            String predictorName,
            double requestsPerSecond,
            long seed,
            Rubric rubric,
            List<String> questionIds) {

        public Settings {
            Objects.requireNonNull(bootstrapServers, "bootstrapServers");
            Objects.requireNonNull(registryUrl, "registryUrl");
            Objects.requireNonNull(agentName, "agentName");
            Objects.requireNonNull(rubric, "rubric");
            questionIds = List.copyOf(questionIds);
            if (!(requestsPerSecond > 0) || requestsPerSecond > 1_000) {
                throw new IllegalArgumentException(
                        "requestsPerSecond must be within (0, 1000], was " + requestsPerSecond);
            }
            if (questionIds.isEmpty()) {
                throw new IllegalArgumentException("questionIds must not be empty");
            }
        }

        String predictorKey() {
            return Topics.predictorKey(agentName, predictorName);
        }
    }

    /**
     * What it has done so far.
     *
     * @param routingRecordsRead records of {@code instruction-routing} read (all predictors)
     * @param requestsServed simulated requests served while a test ran
     * @param observationsSent observations the broker acknowledged
     * @param failures observations not sent, and routing records that could not be read
     */
    public record Stats(long routingRecordsRead, long requestsServed, long observationsSent, long failures) {}

    private final Settings settings;
    private final Consumer<String> news;
    private final Clock clock;
    private final ProductionRequests requests;
    private final Map<String, InstructionRouting> routings = new ConcurrentHashMap<>();
    private final KafkaConsumer<String, InstructionRouting> consumer;
    private final KafkaProducer<String, SpecificRecord> producer;
    private final Thread reader;
    private final Thread server;
    private final AtomicLong read = new AtomicLong();
    private final AtomicLong served = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private volatile boolean running = true;
    private volatile boolean caughtUp;
    private boolean closed;

    private RoutedTraffic(Settings settings, Consumer<String> news) {
        this.settings = settings;
        this.news = news;
        this.clock = Clock.systemUTC();
        this.requests = new ProductionRequests(
                new SplittableRandom(settings.seed()), settings.rubric(), settings.questionIds(), UUID::randomUUID);
        Map<String, Object> producerConfig =
                SimulatedAgent.producerConfig(settings.bootstrapServers(), settings.registryUrl());
        producerConfig.put(ProducerConfig.CLIENT_ID_CONFIG, "promptloop-simulated-agent-traffic");
        this.producer = new KafkaProducer<>(producerConfig);
        this.consumer = new KafkaConsumer<>(consumerConfig(settings.bootstrapServers(), settings.registryUrl()));
        this.reader =
                Thread.ofPlatform().name("simulated-agent-routing").daemon().unstarted(this::read);
        this.server =
                Thread.ofPlatform().name("simulated-agent-traffic").daemon().unstarted(this::serve);
    }

    /**
     * Starts following the routing and serving requests, on two threads of its own.
     *
     * @param news told, in one line each, the routing of the agent's predictor once caught up with the topic and
     *     every change after that; called on the reading thread
     */
    public static RoutedTraffic start(Settings settings, Consumer<String> news) {
        RoutedTraffic traffic = new RoutedTraffic(settings, Objects.requireNonNull(news, "news"));
        traffic.reader.start();
        traffic.server.start();
        return traffic;
    }

    public Settings settings() {
        return settings;
    }

    public Stats stats() {
        return new Stats(read.get(), served.get(), sent.get(), failed.get());
    }

    /** The latest routing of the agent's predictor, if any has been read. */
    public Optional<InstructionRouting> routing() {
        return Optional.ofNullable(routings.get(settings.predictorKey()));
    }

    /** The routing of the agent's predictor in one line, if any has been read. */
    public Optional<String> describeRouting() {
        return routing().map(RoutingNews::current);
    }

    /** Whether the topic has been read up to where it ended at start. */
    public boolean caughtUp() {
        return caughtUp;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        running = false;
        server.interrupt();
        consumer.wakeup();
        join(server);
        join(reader);
        producer.close(CLOSE_TIMEOUT);
    }

    private static void join(Thread thread) {
        try {
            thread.join(CLOSE_TIMEOUT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The serving loop: one request every 1/rate seconds while a test runs; a backlog is dropped, not caught up. */
    private void serve() {
        long intervalNanos = Math.max(1, Math.round(1e9 / settings.requestsPerSecond()));
        int maxBurst = (int) Math.max(1, Math.ceil(settings.requestsPerSecond() / 10));
        long next = System.nanoTime();
        while (running) {
            InstructionRouting routing = routings.get(settings.predictorKey());
            long now = System.nanoTime();
            if (routing == null || routing.getTest() == null) {
                next = now;
                if (!pause(IDLE_WAIT.toNanos())) return;
                continue;
            }
            for (int burst = 0; next <= now && burst < maxBurst; burst++) {
                requests.serve(routing, clock.instant()).ifPresent(this::send);
                served.incrementAndGet();
                next += intervalNanos;
            }
            if (next < now - intervalNanos * maxBurst) {
                next = now; // fell behind (a slow send, a pause): drop the backlog, keep the rate bounded
            }
            if (!pause(Math.min(IDLE_WAIT.toNanos(), Math.max(1_000_000, next - System.nanoTime())))) return;
        }
    }

    private static boolean pause(long nanos) {
        try {
            TimeUnit.NANOSECONDS.sleep(nanos);
            return true;
        } catch (InterruptedException e) {
            return false; // close() interrupts
        }
    }

    private void send(ObservationRecorded observation) {
        try {
            producer.send(
                    new ProducerRecord<>(Topics.AB_OBSERVATIONS.name(), observation.getTestId(), observation),
                    (metadata, error) -> {
                        if (error == null) {
                            sent.incrementAndGet();
                        } else {
                            failure("an observation was not sent", error);
                        }
                    });
        } catch (RuntimeException e) { // serialization (registry unreachable) or a closed producer
            failure("an observation was not sent", e);
        }
    }

    /** The reading loop: every partition of the routing topic from the beginning, without a consumer group. */
    private void read() {
        try {
            List<TopicPartition> partitions = partitions();
            if (partitions.isEmpty()) {
                return; // closed while waiting for the topic
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (running) {
                try {
                    for (ConsumerRecord<String, InstructionRouting> record : consumer.poll(POLL_TIMEOUT)) {
                        read.incrementAndGet();
                        apply(record.key(), record.value());
                    }
                    if (!caughtUp
                            && end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue())) {
                        caughtUp = true;
                        routing().ifPresent(r -> tell(RoutingNews.current(r)));
                    }
                } catch (RecordDeserializationException e) {
                    failure("unreadable routing at " + e.topicPartition() + " offset " + e.offset(), e);
                    consumer.seek(e.topicPartition(), e.offset() + 1);
                } catch (WakeupException e) {
                    // close() wakes the poll up; the loop ends because running is false
                } catch (KafkaException e) {
                    failure("reading the routing failed", e);
                    if (!pause(BACKOFF_AFTER_ERROR.toNanos())) return;
                }
            }
        } catch (WakeupException e) {
            // closed while starting
        } finally {
            consumer.close(CLOSE_TIMEOUT);
        }
    }

    private List<TopicPartition> partitions() {
        String topic = Topics.INSTRUCTION_ROUTING.name();
        while (running) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(10));
            if (infos != null && !infos.isEmpty()) {
                return infos.stream()
                        .map(p -> new TopicPartition(topic, p.partition()))
                        .toList();
            }
            if (!pause(BACKOFF_AFTER_ERROR.toNanos())) break;
        }
        return List.of();
    }

    private void apply(String key, InstructionRouting routing) {
        if (key == null) {
            return;
        }
        InstructionRouting previous = routing == null ? routings.remove(key) : routings.put(key, routing);
        if (caughtUp && routing != null && key.equals(settings.predictorKey())) {
            tell(RoutingNews.change(previous, routing));
        }
    }

    private void tell(String line) {
        try {
            news.accept(line);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "simulated agent: cannot report a routing change: {0}", e.toString());
        }
    }

    private void failure(String what, Throwable error) {
        long failures = failed.incrementAndGet();
        if (failures == 1 || failures % 1_000 == 0) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    "simulated agent: {0} ({1} failure(s) so far): {2}",
                    what,
                    failures,
                    error.toString());
        }
    }

    public static Map<String, Object> consumerConfig(String bootstrapServers, String registryUrl) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, "promptloop-simulated-agent-routing");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, AvroKafkaDeserializer.class.getName());
        config.put("apicurio.registry.url", registryUrl);
        config.put("apicurio.registry.id-handler", "io.apicurio.registry.serde.Default4ByteIdHandler");
        config.put("apicurio.registry.use-id", "contentId");
        config.put("apicurio.registry.headers.enabled", false);
        config.put("apicurio.registry.use-specific-avro-reader", true);
        return config;
    }
}
