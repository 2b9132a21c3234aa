package io.promptloop.devstack.agent;

import io.apicurio.registry.serde.avro.AvroKafkaSerializer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A stand-in for an LLM agent in production: publishes the tuning sessions and evaluations of {@link
 * AgentTraffic} to Kafka in real time, as Avro in the Confluent wire format through the schema registry,
 * exactly as an agent using Apicurio's serde would. Sessions start at a steady average rate and overlap;
 * each event is sent when it happens. Closing it stops new sessions, sends the rest of the started ones
 * and flushes.
 *
 * <pre>{@code
 * try (SimulatedAgent agent = SimulatedAgent.start(
 *         SimulatedAgent.Settings.of(bootstrapServers, registryApiV3Url).withSeed(42))) {
 *     ...
 * }
 * }</pre>
 */
public final class SimulatedAgent implements AutoCloseable {

    /** The agent the dev stack simulates (its main instruction, no predictor name). */
    public static final String DEFAULT_AGENT = "hr-assistant";

    private static final System.Logger LOG = System.getLogger(SimulatedAgent.class.getName());
    private static final Duration MAX_SLEEP = Duration.ofMillis(200);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

    /**
     * What to simulate and where to send it.
     *
     * @param bootstrapServers Kafka {@code bootstrap.servers}
     * @param registryUrl the registry's Apicurio v3 API, e.g. {@code http://127.0.0.1:8080/apis/registry/v3}
     * @param sessionsPerSecond average rate at which sessions start (each lasts about half a minute)
     * @param seed seed of every random choice; the same seed sends the same events (ids included)
     * @param agentName the agent's name in every event
     * @param predictorName the predictor, or null for the agent's main instruction
     */
    public record Settings(
            String bootstrapServers,
            String registryUrl,
            double sessionsPerSecond,
            long seed,
            String agentName,
            String predictorName) {

        public Settings {
            Objects.requireNonNull(bootstrapServers, "bootstrapServers");
            Objects.requireNonNull(registryUrl, "registryUrl");
            Objects.requireNonNull(agentName, "agentName");
            if (!(sessionsPerSecond > 0) || Double.isInfinite(sessionsPerSecond)) {
                throw new IllegalArgumentException("sessionsPerSecond must be > 0, was " + sessionsPerSecond);
            }
        }

        /** Two sessions a second from {@code hr-assistant}, with a fresh random seed. */
        public static Settings of(String bootstrapServers, String registryUrl) {
            return new Settings(
                    bootstrapServers,
                    registryUrl,
                    2.0,
                    ThreadLocalRandom.current().nextLong(),
                    DEFAULT_AGENT,
                    null);
        }

        public Settings withSessionsPerSecond(double sessionsPerSecond) {
            return new Settings(bootstrapServers, registryUrl, sessionsPerSecond, seed, agentName, predictorName);
        }

        public Settings withSeed(long seed) {
            return new Settings(bootstrapServers, registryUrl, sessionsPerSecond, seed, agentName, predictorName);
        }

        public Settings withAgent(String agentName, String predictorName) {
            return new Settings(bootstrapServers, registryUrl, sessionsPerSecond, seed, agentName, predictorName);
        }
    }

    /**
     * What the agent has done so far.
     *
     * @param sessionsStarted sessions begun (their events may still be on their way)
     * @param recordsSent records the broker acknowledged
     * @param sendFailures records that could not be serialized or were not acknowledged
     */
    public record Stats(long sessionsStarted, long recordsSent, long sendFailures) {}

    private final Settings settings;
    private final Producer<String, SpecificRecord> producer;
    private final Clock clock;
    private final AgentSchedule schedule;
    private final Thread thread;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private volatile long sessionsStarted;
    private volatile boolean running = true;
    private boolean closed;

    private SimulatedAgent(Settings settings, Producer<String, SpecificRecord> producer, Clock clock) {
        this.settings = settings;
        this.producer = producer;
        this.clock = clock;
        SplittableRandom random = new SplittableRandom(settings.seed());
        this.schedule = new AgentSchedule(
                new AgentTraffic(random, settings.agentName(), settings.predictorName()),
                random,
                settings.sessionsPerSecond(),
                clock.instant());
        this.thread = Thread.ofPlatform().name("simulated-agent").daemon().unstarted(this::run);
    }

    /** Starts publishing on a background thread with a Kafka producer of {@link #producerConfig}. */
    public static SimulatedAgent start(Settings settings) {
        return start(
                settings,
                new KafkaProducer<>(producerConfig(settings.bootstrapServers(), settings.registryUrl())),
                Clock.systemUTC());
    }

    /** Starts publishing to {@code producer}, which the agent closes when it is closed. */
    public static SimulatedAgent start(Settings settings, Producer<String, SpecificRecord> producer, Clock clock) {
        SimulatedAgent agent = new SimulatedAgent(settings, producer, clock);
        agent.thread.start();
        return agent;
    }

    /**
     * Producer configuration of an agent that uses Apicurio's Avro serde: Confluent wire format (magic byte,
     * 4-byte content id, no headers), the whole schema registered on first use or found if already there.
     */
    public static Map<String, Object> producerConfig(String bootstrapServers, String registryUrl) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.CLIENT_ID_CONFIG, "promptloop-simulated-agent");
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, AvroKafkaSerializer.class.getName());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        config.put("apicurio.registry.url", registryUrl);
        config.put("apicurio.registry.id-handler", "io.apicurio.registry.serde.Default4ByteIdHandler");
        config.put("apicurio.registry.use-id", "contentId");
        config.put("apicurio.registry.headers.enabled", false);
        config.put("apicurio.registry.auto-register", true);
        config.put("apicurio.registry.auto-register.if-exists", "FIND_OR_CREATE_VERSION");
        // Register (or find) the whole schema as one artifact, as the provisioning and Confluent clients do.
        // Without this the serde splits out every named nested type as an artifact of its own and adds a
        // second, reference-based version to each subject.
        config.put("apicurio.registry.dereference-schema", true);
        return config;
    }

    public Settings settings() {
        return settings;
    }

    public Stats stats() {
        return new Stats(sessionsStarted, sent.get(), failed.get());
    }

    /** Stops starting sessions, sends the rest of those started (their last events early), flushes and closes. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        running = false;
        thread.interrupt();
        try {
            thread.join(CLOSE_TIMEOUT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!thread.isAlive()) {
            schedule.drain().forEach(this::send);
        }
        producer.close(CLOSE_TIMEOUT);
    }

    private void run() {
        while (running) {
            Instant now = clock.instant();
            schedule.due(now).forEach(this::send);
            sessionsStarted = schedule.sessionsStarted();
            Duration wait = Duration.between(clock.instant(), schedule.nextWakeUp());
            long sleepMillis = Math.clamp(wait.toMillis(), 1, MAX_SLEEP.toMillis());
            try {
                TimeUnit.MILLISECONDS.sleep(sleepMillis);
            } catch (InterruptedException e) {
                return; // close() interrupts
            }
        }
    }

    private void send(AgentRecord record) {
        try {
            producer.send(new ProducerRecord<>(record.topic(), record.key(), record.value()), (metadata, error) -> {
                if (error == null) {
                    sent.incrementAndGet();
                } else {
                    failed(error);
                }
            });
        } catch (RuntimeException e) { // serialization (registry unreachable) or a closed producer
            failed(e);
        }
    }

    private void failed(Exception error) {
        long failures = failed.incrementAndGet();
        if (failures == 1 || failures % 1_000 == 0) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    "simulated agent: {0} record(s) not sent so far; latest: {1}",
                    failures,
                    error.toString());
        }
    }
}
