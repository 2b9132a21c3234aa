package io.promptloop.testkit.agent;

import io.apicurio.registry.serde.avro.AvroKafkaDeserializer;
import io.apicurio.registry.serde.avro.AvroKafkaSerializer;
import io.promptloop.avro.common.AgentRef;
import io.promptloop.avro.evaluation.EvaluationRecorded;
import io.promptloop.avro.optimizer.EvaluationRequested;
import io.promptloop.schemas.Topics;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A simulated agent that answers the optimizer's evaluation requests: for every example of an {@code
 * EvaluationRequested} it publishes one {@code EvaluationRecorded} to {@code agent-evaluations}, graded against a
 * hidden {@link Rubric} (see {@link SimulatedAnswers}). It can answer late, ignore a share of the requests and
 * answers a repeated request again, so that tests can exercise the optimizer's timeouts, retries and duplicate
 * handling. It also produces the baseline evaluations that an optimizer learns from ({@link
 * #baselineEvaluations}).
 *
 * <p>Records are Avro in the Confluent wire format through Apicurio's serde, as every promptloop client writes
 * them. The consumer runs on a thread of its own in its own consumer group, reading a new group's topic from the
 * start; answers are sent by the same thread, or by a timer thread when they are delayed.
 *
 * <pre>{@code
 * try (SimulatedEvaluator evaluator = new SimulatedEvaluator(
 *         SimulatedEvaluator.Settings.of(bootstrapServers, registryApiV3Url).withDropRate(0.2, 7)).start()) {
 *     evaluator.publish(evaluator.baselineEvaluations(agent, instruction, 40));
 *     ...
 * }
 * }</pre>
 */
public final class SimulatedEvaluator implements AutoCloseable {

    /** The rubric of {@link Settings#of}: the dev stack's baseline and its answers must agree across restarts. */
    public static final long DEFAULT_RUBRIC_SEED = 3L;

    public static final String DEFAULT_CONSUMER_GROUP = "promptloop-simulated-evaluator";

    private static final System.Logger LOG = System.getLogger(SimulatedEvaluator.class.getName());
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(200);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration PUBLISH_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration BACKOFF_AFTER_ERROR = Duration.ofSeconds(1);

    /**
     * How the simulated agent behaves and where it connects.
     *
     * @param bootstrapServers Kafka {@code bootstrap.servers}
     * @param registryUrl the registry's Apicurio v3 API, e.g. {@code http://127.0.0.1:8080/apis/registry/v3}
     * @param consumerGroup the consumer group that reads the requests
     * @param agentName answer only requests for this agent; null answers every agent's
     * @param rubricSeed seed of the hidden rubric
     * @param answerDelay how long after reading a request it is answered
     * @param dropRate share of the requests that are ignored, in [0, 1]
     * @param dropSeed seed of the choice of ignored requests (in order of arrival)
     * @param fixedScore when present, the overall score of every answer, whatever the rubric says
     * @param invalidScoreRate share of the requests whose first delivery is answered with overall scores out of
     *     [0, 1] (1.5 and NaN, alternately, on every example): the optimizer must skip them and ask again. A
     *     request sent again is answered correctly. Drawn from {@code dropSeed}'s sequence too
     */
    public record Settings(
            String bootstrapServers,
            String registryUrl,
            String consumerGroup,
            String agentName,
            long rubricSeed,
            Duration answerDelay,
            double dropRate,
            long dropSeed,
            OptionalDouble fixedScore,
            double invalidScoreRate) {

        public Settings {
            Objects.requireNonNull(bootstrapServers, "bootstrapServers");
            Objects.requireNonNull(registryUrl, "registryUrl");
            Objects.requireNonNull(consumerGroup, "consumerGroup");
            Objects.requireNonNull(answerDelay, "answerDelay");
            Objects.requireNonNull(fixedScore, "fixedScore");
            if (answerDelay.isNegative()) {
                throw new IllegalArgumentException("answerDelay must not be negative, was " + answerDelay);
            }
            if (!(dropRate >= 0.0 && dropRate <= 1.0)) {
                throw new IllegalArgumentException("dropRate must be within [0, 1], was " + dropRate);
            }
            if (fixedScore.isPresent() && !(fixedScore.getAsDouble() >= 0.0 && fixedScore.getAsDouble() <= 1.0)) {
                throw new IllegalArgumentException("fixedScore must be within [0, 1], was " + fixedScore);
            }
            if (!(invalidScoreRate >= 0.0 && invalidScoreRate <= 1.0)) {
                throw new IllegalArgumentException("invalidScoreRate must be within [0, 1], was " + invalidScoreRate);
            }
        }

        /** Answers every agent's requests at once, none ignored, with the default rubric and consumer group. */
        public static Settings of(String bootstrapServers, String registryUrl) {
            return new Settings(
                    bootstrapServers,
                    registryUrl,
                    DEFAULT_CONSUMER_GROUP,
                    null,
                    DEFAULT_RUBRIC_SEED,
                    Duration.ZERO,
                    0.0,
                    0L,
                    OptionalDouble.empty(),
                    0.0);
        }

        public Settings withConsumerGroup(String consumerGroup) {
            return new Settings(
                    bootstrapServers,
                    registryUrl,
                    consumerGroup,
                    agentName,
                    rubricSeed,
                    answerDelay,
                    dropRate,
                    dropSeed,
                    fixedScore,
                    invalidScoreRate);
        }

        /** Answers only requests for {@code agentName}; null for every agent. */
        public Settings withAgentName(String agentName) {
            return new Settings(
                    bootstrapServers,
                    registryUrl,
                    consumerGroup,
                    agentName,
                    rubricSeed,
                    answerDelay,
                    dropRate,
                    dropSeed,
                    fixedScore,
                    invalidScoreRate);
        }

        public Settings withRubricSeed(long rubricSeed) {
            return new Settings(
                    bootstrapServers,
                    registryUrl,
                    consumerGroup,
                    agentName,
                    rubricSeed,
                    answerDelay,
                    dropRate,
                    dropSeed,
                    fixedScore,
                    invalidScoreRate);
        }

        public Settings withAnswerDelay(Duration answerDelay) {
            return new Settings(
                    bootstrapServers,
                    registryUrl,
                    consumerGroup,
                    agentName,
                    rubricSeed,
                    answerDelay,
                    dropRate,
                    dropSeed,
                    fixedScore,
                    invalidScoreRate);
        }

        /** Ignores each request with probability {@code dropRate}, drawn from {@code dropSeed}'s sequence. */
        public Settings withDropRate(double dropRate, long dropSeed) {
            return new Settings(
                    bootstrapServers,
                    registryUrl,
                    consumerGroup,
                    agentName,
                    rubricSeed,
                    answerDelay,
                    dropRate,
                    dropSeed,
                    fixedScore,
                    invalidScoreRate);
        }

        /** Every answer scores {@code score} overall; output and feedback still follow the rubric. */
        public Settings withFixedScore(double score) {
            return new Settings(
                    bootstrapServers,
                    registryUrl,
                    consumerGroup,
                    agentName,
                    rubricSeed,
                    answerDelay,
                    dropRate,
                    dropSeed,
                    OptionalDouble.of(score),
                    invalidScoreRate);
        }

        /**
         * Answers the first delivery of a share {@code rate} of the requests with out-of-range overall scores (1.5
         * and NaN); requests sent again are answered correctly.
         */
        public Settings withInvalidScores(double rate) {
            return new Settings(
                    bootstrapServers,
                    registryUrl,
                    consumerGroup,
                    agentName,
                    rubricSeed,
                    answerDelay,
                    dropRate,
                    dropSeed,
                    fixedScore,
                    rate);
        }
    }

    /**
     * What the evaluator has done so far.
     *
     * @param requestsAnswered requests whose evaluations the broker all acknowledged (a repeated one counts again)
     * @param requestsIgnored requests dropped on purpose
     * @param evaluationsSent evaluations the broker acknowledged, from answers and {@link #publish}
     * @param failures unreadable requests, and evaluations that could not be serialized or were not acknowledged
     */
    public record Stats(long requestsAnswered, long requestsIgnored, long evaluationsSent, long failures) {}

    private final Settings settings;
    private final SimulatedAnswers answers;
    private final Drops drops;
    private final Drops invalidScores;
    private final Set<String> requestsSeen = new HashSet<>(); // by the consumer thread only
    private final AtomicLong invalidScoresSent = new AtomicLong();
    private final AtomicLong answered = new AtomicLong();
    private final AtomicLong ignored = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private volatile boolean running;
    private boolean started;
    private boolean closed;
    private KafkaProducer<String, EvaluationRecorded> producer;
    private KafkaConsumer<String, EvaluationRequested> consumer;
    private ScheduledThreadPoolExecutor delayedAnswers;
    private Thread thread;

    /** An evaluator with the system clock and random event ids; connects to nothing until used. */
    public SimulatedEvaluator(Settings settings) {
        this(settings, Clock.systemUTC(), UUID::randomUUID);
    }

    /**
     * @param clock {@code occurred_at} of the evaluations
     * @param eventIds {@code event_id} of each answer to a request
     */
    public SimulatedEvaluator(Settings settings, Clock clock, Supplier<UUID> eventIds) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.answers = new SimulatedAnswers(
                Rubric.forExamples(List.of(), settings.rubricSeed()), settings.fixedScore(), clock, eventIds);
        this.drops = new Drops(settings.dropRate(), settings.dropSeed());
        this.invalidScores = new Drops(settings.invalidScoreRate(), ~settings.dropSeed());
    }

    /** Starts answering requests on a thread of its own; returns this. */
    public synchronized SimulatedEvaluator start() {
        if (closed || started) {
            throw new IllegalStateException(closed ? "closed" : "already started");
        }
        started = true;
        running = true;
        producer();
        consumer = new KafkaConsumer<>(
                consumerConfig(settings.bootstrapServers(), settings.registryUrl(), settings.consumerGroup()));
        delayedAnswers = new ScheduledThreadPoolExecutor(
                1,
                Thread.ofPlatform().name("simulated-evaluator-answers").daemon().factory());
        delayedAnswers.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        thread = Thread.ofPlatform().name("simulated-evaluator").daemon().start(this::run);
        return this;
    }

    public Settings settings() {
        return settings;
    }

    /** Evaluations sent with an out-of-range overall score ({@link Settings#withInvalidScores}). */
    public long invalidScoresSent() {
        return invalidScoresSent.get();
    }

    /** The hidden rubric (derives the phrases of any example id). */
    public Rubric rubric() {
        return answers.rubric();
    }

    public Stats stats() {
        return new Stats(answered.get(), ignored.get(), sent.get(), failed.get());
    }

    /** See {@link SimulatedAnswers#baselineEvaluations}; graded by this evaluator's rubric. Sends nothing. */
    public List<EvaluationRecorded> baselineEvaluations(AgentRef agent, String baselineInstruction, int exampleCount) {
        return answers.baselineEvaluations(agent, baselineInstruction, exampleCount);
    }

    /**
     * Sends {@code evaluations} to {@code agent-evaluations} (key agent/predictor) and waits until the broker has
     * acknowledged them all.
     *
     * @return how many were sent
     * @throws IllegalStateException if one could not be sent within a minute
     */
    public int publish(List<EvaluationRecorded> evaluations) {
        KafkaProducer<String, EvaluationRecorded> target = producer();
        List<Future<RecordMetadata>> acks = new ArrayList<>(evaluations.size());
        for (EvaluationRecorded evaluation : evaluations) {
            acks.add(target.send(record(evaluation)));
        }
        long deadline = System.nanoTime() + PUBLISH_TIMEOUT.toNanos();
        try {
            for (Future<RecordMetadata> ack : acks) {
                ack.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                sent.incrementAndGet();
            }
        } catch (ExecutionException | TimeoutException e) {
            failed.incrementAndGet();
            throw new IllegalStateException(
                    "could not publish the evaluations to " + Topics.AGENT_EVALUATIONS.name() + ": " + e.getMessage(),
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing evaluations", e);
        }
        return acks.size();
    }

    /** Stops reading requests, drops delayed answers not yet due, flushes what was sent and closes. Idempotent. */
    @Override
    public void close() {
        Thread worker;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            running = false;
            worker = thread;
            if (consumer != null) {
                consumer.wakeup();
            }
        }
        if (worker != null) {
            try {
                worker.join(CLOSE_TIMEOUT.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (delayedAnswers != null) {
            delayedAnswers.shutdown();
            try {
                delayedAnswers.awaitTermination(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (this) {
            if (producer != null) {
                producer.close(CLOSE_TIMEOUT);
            }
        }
    }

    /**
     * Producer configuration of an agent that uses Apicurio's Avro serde: Confluent wire format (magic byte,
     * 4-byte content id, no headers), the whole schema registered on first use or found if already there.
     */
    public static Map<String, Object> producerConfig(String bootstrapServers, String registryUrl) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, AvroKafkaSerializer.class.getName());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        wireFormat(config, registryUrl);
        config.put("apicurio.registry.auto-register", true);
        config.put("apicurio.registry.auto-register.if-exists", "FIND_OR_CREATE_VERSION");
        // Find (or register) the whole schema as one artifact, as the provisioning does. Without this the 3.1.7
        // serializer splits each named nested type (AgentRef) into a reference and adds a second version.
        config.put("apicurio.registry.dereference-schema", true);
        return config;
    }

    /** Consumer configuration that reads promptloop's Avro values into the generated classes. */
    public static Map<String, Object> consumerConfig(String bootstrapServers, String registryUrl, String group) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, true);
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, AvroKafkaDeserializer.class.getName());
        wireFormat(config, registryUrl);
        config.put("apicurio.registry.use-specific-avro-reader", true);
        return config;
    }

    private static void wireFormat(Map<String, Object> config, String registryUrl) {
        config.put("apicurio.registry.url", registryUrl);
        config.put("apicurio.registry.id-handler", "io.apicurio.registry.serde.Default4ByteIdHandler");
        config.put("apicurio.registry.use-id", "contentId");
        config.put("apicurio.registry.headers.enabled", false);
    }

    private synchronized KafkaProducer<String, EvaluationRecorded> producer() {
        if (closed) {
            throw new IllegalStateException("closed");
        }
        if (producer == null) {
            producer = new KafkaProducer<>(producerConfig(settings.bootstrapServers(), settings.registryUrl()));
        }
        return producer;
    }

    private void run() {
        try {
            consumer.subscribe(List.of(Topics.OPTIMIZER_EVALUATION_REQUESTS.name()));
            while (running) {
                try {
                    for (ConsumerRecord<String, EvaluationRequested> record : consumer.poll(POLL_TIMEOUT)) {
                        try {
                            handle(record.value());
                        } catch (RuntimeException e) { // e.g. a request without examples' fields: skip it
                            failure("cannot answer the request at offset " + record.offset(), e);
                        }
                    }
                } catch (RecordDeserializationException e) {
                    // a poison record must not stop the agent: skip it, as a real agent's error handler would
                    failure("unreadable request at " + e.topicPartition() + " offset " + e.offset(), e);
                    consumer.seek(e.topicPartition(), e.offset() + 1);
                } catch (WakeupException e) {
                    // close() wakes the poll up; the loop ends because running is false
                } catch (KafkaException e) {
                    failure("reading requests failed", e);
                    pause();
                }
            }
        } finally {
            consumer.close(CloseOptions.timeout(CLOSE_TIMEOUT));
        }
    }

    private void handle(EvaluationRequested request) {
        if (request == null
                || (settings.agentName() != null
                        && !settings.agentName().equals(request.getAgent().getAgentName()))) {
            return;
        }
        if (drops.next()) {
            ignored.incrementAndGet();
            LOG.log(System.Logger.Level.DEBUG, "simulated evaluator: ignoring request {0}", request.getRequestId());
            return;
        }
        boolean invalid = requestsSeen.add(request.getRequestId()) && invalidScores.next();
        if (settings.answerDelay().isZero()) {
            answer(request, invalid);
        } else {
            delayedAnswers.schedule(
                    () -> answer(request, invalid), settings.answerDelay().toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void answer(EvaluationRequested request, boolean invalid) {
        List<EvaluationRecorded> evaluations = answers.answer(request);
        if (invalid) {
            List<EvaluationRecorded> corrupted = new ArrayList<>(evaluations.size());
            for (int i = 0; i < evaluations.size(); i++) {
                corrupted.add(EvaluationRecorded.newBuilder(evaluations.get(i))
                        .setOverallScore(i % 2 == 0 ? 1.5 : Double.NaN)
                        .build());
            }
            evaluations = corrupted;
        }
        boolean countInvalid = invalid;
        if (evaluations.isEmpty()) {
            answered.incrementAndGet();
            return;
        }
        AtomicInteger pending = new AtomicInteger(evaluations.size());
        AtomicBoolean anyFailed = new AtomicBoolean();
        for (EvaluationRecorded evaluation : evaluations) {
            try {
                producer.send(record(evaluation), (metadata, error) -> {
                    if (error == null) {
                        sent.incrementAndGet();
                        if (countInvalid) invalidScoresSent.incrementAndGet();
                    } else {
                        anyFailed.set(true);
                        failure("an answer to request " + request.getRequestId() + " was not sent", error);
                    }
                    if (pending.decrementAndGet() == 0 && !anyFailed.get()) {
                        answered.incrementAndGet();
                    }
                });
            } catch (RuntimeException e) { // serialization (registry unreachable) or a closed producer
                anyFailed.set(true);
                failure("an answer to request " + request.getRequestId() + " was not sent", e);
                pending.decrementAndGet();
            }
        }
    }

    private static ProducerRecord<String, EvaluationRecorded> record(EvaluationRecorded evaluation) {
        AgentRef agent = evaluation.getAgent();
        return new ProducerRecord<>(
                Topics.AGENT_EVALUATIONS.name(),
                Topics.predictorKey(agent.getAgentName(), agent.getPredictorName()),
                evaluation);
    }

    private void failure(String what, Throwable error) {
        long failures = failed.incrementAndGet();
        if (failures == 1 || failures % 100 == 0) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    "simulated evaluator: {0} ({1} failure(s) so far): {2}",
                    what,
                    failures,
                    error.toString());
        }
    }

    private void pause() {
        try {
            Thread.sleep(BACKOFF_AFTER_ERROR);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }
}
