package io.promptloop.devstack;

import io.promptloop.avro.common.AgentRef;
import io.promptloop.devstack.agent.RoutedTraffic;
import io.promptloop.devstack.agent.SimulatedAgent;
import io.promptloop.schemas.Topics;
import io.promptloop.testkit.ApicurioRegistry;
import io.promptloop.testkit.DatabaseLogin;
import io.promptloop.testkit.KafkaBroker;
import io.promptloop.testkit.Postgres;
import io.promptloop.testkit.Provisioning;
import io.promptloop.testkit.ServiceLogin;
import io.promptloop.testkit.agent.SimulatedAnswers;
import io.promptloop.testkit.agent.SimulatedEvaluator;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.logging.LogManager;
import java.util.stream.Collectors;

/**
 * {@code ./promptloop run}: the whole system on this machine. Starts PostgreSQL 17, Kafka (KRaft) and Apicurio
 * Registry with the test kit's launchers on fixed loopback ports and persistent data, provisions them (topics
 * and dead-letter topics, schemas, migrations, one login per service with a password kept in the data
 * directory), runs every service jar that has been built as a child JVM, starts a simulated agent (and beside
 * it a simulated evaluator that answers the optimizer, after publishing the baseline evaluations it learns from),
 * closes the loop (registers the agent's baseline instruction, lets the optimizer's policy start runs, and has the
 * agent serve traffic by the {@code instruction-routing} topic and report A/B observations, so that a run's winner
 * is tested and rolled out; each routing change is printed as a {@code [loop]} line), prints where everything is, and on shutdown stops it all in reverse order: agent and evaluator, services,
 * registry, Kafka, PostgreSQL.
 */
public final class DevStack implements AutoCloseable {

    /** The promptloop database (the services' default {@code spring.datasource.url} names it too). */
    static final String DATABASE = "promptloop";

    /** The registry's own database when it stores schemas in PostgreSQL. */
    static final String REGISTRY_DATABASE = "apicurio";

    private static final Duration SERVICE_READY_TIMEOUT = Duration.ofMinutes(3);

    /** How long a service, the registry, Kafka and PostgreSQL each have to stop before SIGKILL of its processes. */
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

    /** How long the simulated agent, evaluator and traffic (in this JVM) have to flush and close. */
    private static final Duration CLIENT_STOP_TIMEOUT = Duration.ofSeconds(10);

    /** After a SIGKILL, how long to wait for the processes to be gone (as {@code ChildProcess} does). */
    private static final Duration KILL_WAIT = Duration.ofSeconds(6);

    /**
     * The longest a stop can take whatever state the children are in: interrupting a restart in progress, then
     * services (and at the same time the in-process clients), then registry and Kafka, then PostgreSQL, each
     * within {@link #STOP_TIMEOUT} plus the wait after its SIGKILL.
     */
    static final Duration STOP_BOUND =
            Duration.ofSeconds(10).plus(STOP_TIMEOUT.plus(KILL_WAIT).multipliedBy(3));

    private static final String SERVICE_HEAP = "512m";

    /**
     * The simulated agent's instruction before any optimization: its evaluations on {@link #BASELINE_EXAMPLES}
     * examples are the optimizer's training data. It covers one guideline of the evaluator's hidden rubric.
     */
    static final String BASELINE_INSTRUCTION = "You are an HR assistant for people managers. Answer questions about"
            + " attendance, conduct, leave and performance briefly and politely, and cite the policy section.";

    static final int BASELINE_EXAMPLES = 40;

    /**
     * The optimizer's auto-run policy in the dev stack: a light GEPA run as soon as 20 examples scored below 0.7 —
     * the baseline evaluations alone do (three in four cover one guideline of two to four) — looked for every 10
     * seconds, so that the loop turns while you watch.
     */
    static final Map<String, String> OPTIMIZER_LOOP_SETTINGS = orderedMap(
            "PROMPTLOOP_OPTIMIZER_POLICY_ENABLED", "true",
            "PROMPTLOOP_OPTIMIZER_POLICY_MIN_LOW_SCORE_EXAMPLES", "20",
            "PROMPTLOOP_OPTIMIZER_POLICY_LOW_SCORE", "0.7",
            "PROMPTLOOP_OPTIMIZER_POLICY_BUDGET", "light",
            "PROMPTLOOP_OPTIMIZER_POLICY_INTERVAL", "10s");

    /**
     * abtest-service in the dev stack: a run that improves its baseline by 5 % or more is tested at once (50 % of
     * users, at least 200 observations per arm, sequential), looked at every 2 seconds, and a winner is rolled out
     * in one step and watched for 200 observations. These are the service's defaults, set here so that the dev
     * stack's loop does not change when they do.
     */
    static final Map<String, String> ABTEST_LOOP_SETTINGS = orderedMap(
            "PROMPTLOOP_ABTEST_AUTO_CREATE_ENABLED", "true",
            "PROMPTLOOP_ABTEST_AUTO_CREATE_MIN_IMPROVEMENT_PERCENT", "5.0",
            "PROMPTLOOP_ABTEST_ANALYSIS_INTERVAL", "2s",
            "PROMPTLOOP_ABTEST_DEFAULTS_TRAFFIC_SPLIT", "0.5",
            "PROMPTLOOP_ABTEST_DEFAULTS_MIN_SAMPLE_PER_VARIANT", "200",
            "PROMPTLOOP_ABTEST_DEFAULTS_AUTO_ROLLOUT", "true",
            "PROMPTLOOP_ABTEST_DEFAULTS_ROLLOUT_STEPS", "1.0",
            "PROMPTLOOP_ABTEST_DEFAULTS_ROLLOUT_STEP_OBSERVATIONS", "200");

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT);

    /** Mixed into the agent's seed for its production traffic, so that sessions and traffic draw apart. */
    private static final long TRAFFIC_SEED_SALT = 0x5EEDF00DL;

    /**
     * Only the superuser, which the dev stack provisions with, logs in without a password, and only from this
     * machine; every other role (the services, the analyst) must give its password, as in production.
     */
    private static final String PG_HBA = """
            # written by the promptloop dev stack on every start
            # TYPE  DATABASE  USER      ADDRESS        METHOD
            local   all       postgres                 trust
            host    all       postgres  127.0.0.1/32   trust
            host    all       postgres  ::1/128        trust
            local   all       all                      scram-sha-256
            host    all       all       127.0.0.1/32   scram-sha-256
            host    all       all       ::1/128        scram-sha-256
            """;

    /** A service the dev stack knows how to run, when its jar has been built. */
    private record ServiceDefinition(
            String name,
            ServiceLogin login,
            String propertyPrefix,
            int requestedPort,
            boolean required,
            Map<String, String> settings) {

        Path jar(Path projectDirectory) {
            return projectDirectory.resolve(name).resolve("target").resolve(name + ".jar");
        }
    }

    /** A started service and the port it listens on. */
    record RunningService(String name, int port, long pid, Path logFile) {

        String url() {
            return "http://127.0.0.1:" + port;
        }
    }

    private final Options options;
    private final PrintStream out;
    private final Path dataDirectory;
    private final Path logDirectory;
    private final Credentials credentials;
    private final FileLock lock;
    private final Postgres postgres;
    private final KafkaBroker kafka;
    private final ApicurioRegistry registry;
    private final List<ServiceDefinition> definitions;
    private final List<SupervisedChildren.Service> services = Collections.synchronizedList(new ArrayList<>());
    private final Supervisor supervisor;
    private final List<String> notes = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, Duration> startupTimes = Collections.synchronizedMap(new LinkedHashMap<>());
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean stopRequested = new AtomicBoolean();
    private volatile boolean stopping;
    private volatile SimulatedAgent agent;
    private volatile SimulatedEvaluator evaluator;
    private volatile RoutedTraffic traffic;
    private volatile String baselineInstruction;
    private volatile String postgresVersion = "17";
    private volatile Duration totalStartup = Duration.ZERO;

    /**
     * Prepares the stack: locks the data directory, reads or creates the credentials, checks that the fixed
     * ports are free. Starts nothing.
     *
     * @throws IllegalStateException if another dev stack uses the data directory or a port is taken
     */
    DevStack(Options options, PrintStream out) {
        this.options = options;
        this.out = out;
        this.dataDirectory = options.dataDirectory().toAbsolutePath().normalize();
        this.logDirectory = dataDirectory.resolve("logs");
        this.supervisor = new Supervisor(out);
        try {
            Files.createDirectories(logDirectory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + logDirectory, e);
        }
        this.lock = lockDataDirectory(dataDirectory);
        try {
            this.credentials = Credentials.loadOrCreate(dataDirectory.resolve("credentials.properties"));
            this.definitions = options.services()
                    ? List.of(
                            new ServiceDefinition(
                                    "ingest-service",
                                    ServiceLogin.INGEST,
                                    "PROMPTLOOP_INGEST",
                                    options.ingestPort(),
                                    true,
                                    Map.of()),
                            new ServiceDefinition(
                                    "optimizer-service",
                                    ServiceLogin.OPTIMIZER,
                                    "PROMPTLOOP_OPTIMIZER",
                                    options.optimizerPort(),
                                    false,
                                    OPTIMIZER_LOOP_SETTINGS),
                            new ServiceDefinition(
                                    "abtest-service",
                                    ServiceLogin.ABTEST,
                                    "PROMPTLOOP_ABTEST",
                                    options.abtestPort(),
                                    false,
                                    ABTEST_LOOP_SETTINGS),
                            // last: it is given the ports of the services started before it
                            new ServiceDefinition(
                                    "console",
                                    ServiceLogin.ANALYST,
                                    "PROMPTLOOP",
                                    options.consolePort(),
                                    false,
                                    Map.of()))
                    : List.of();
            requireServiceJars();
            requireFreePorts();
            this.postgres = new Postgres(Postgres.Settings.defaults()
                    .withPort(options.postgresPort())
                    .withDataDirectory(dataDirectory.resolve("postgres"))
                    .withLogFile(logDirectory.resolve("postgres.log"))
                    .withDatabase(DATABASE));
            this.kafka = new KafkaBroker(KafkaBroker.Settings.defaults()
                    .withPorts(options.kafkaPort(), options.kafkaControllerPort())
                    .withDataDirectory(dataDirectory.resolve("kafka"))
                    .withLogFile(logDirectory.resolve("kafka.log")));
            ApicurioRegistry.Settings registrySettings = ApicurioRegistry.Settings.defaults()
                    .withPorts(options.registryPort(), options.registryManagementPort())
                    .withWorkDirectory(dataDirectory.resolve("registry"))
                    .withLogFile(logDirectory.resolve("apicurio-registry.log"));
            if (options.registryStorage() == Options.RegistryStorage.POSTGRESQL) {
                registrySettings = registrySettings.withSqlStorage(new DatabaseLogin(
                        postgres.jdbcUrl(REGISTRY_DATABASE),
                        postgres.superuser().user(),
                        postgres.superuser().password()));
            }
            this.registry = new ApicurioRegistry(registrySettings);
        } catch (RuntimeException e) {
            release(lock);
            throw e;
        }
    }

    public static void main(String[] args) {
        configureLogging();
        Options options;
        try {
            options = Options.parse(args, defaultProjectDirectory());
        } catch (Options.UsageException e) {
            System.err.println("devstack: " + e.getMessage());
            System.err.println("Run with --help to see the options.");
            System.exit(64);
            return;
        }
        if (options.help()) {
            System.out.print(Options.usage());
            return;
        }
        Optional<Detached.Launch> detached;
        try {
            detached = Detached.detachedCommand(options);
        } catch (RuntimeException e) {
            System.err.println("devstack: " + e.getMessage());
            System.exit(1);
            return;
        }
        if (detached.isPresent()) {
            System.exit(Detached.supervise(detached.get()));
        }
        DevStack stack;
        try {
            stack = new DevStack(options, System.out);
        } catch (RuntimeException e) {
            System.err.println("devstack: " + e.getMessage());
            System.exit(1);
            return;
        }
        // Stop in order on Ctrl-C, SIGTERM or the launcher's end, before the JVM's shutdown begins: once it
        // has, every shutdown hook runs at the same time, embedded PostgreSQL's own among them, and the
        // database would go while the services still write to it. The hook stays as the fallback.
        Runtime.getRuntime()
                .addShutdownHook(Thread.ofPlatform().name("devstack-stop-hook").unstarted(stack::close));
        Runnable stop = stack::stopAndExit;
        stopOnSignals(stop);
        Detached.supervisorPid().ifPresent(pid -> Detached.onSupervisorExit(pid, stop));
        try {
            stack.start();
        } catch (RuntimeException e) {
            if (!stack.stopRequested.get()) { // a failure, not a Ctrl-C while starting
                System.err.println();
                System.err.println("devstack: " + describe(e));
                stack.close();
                System.exit(1);
            }
            return; // stopped while starting: the stop thread exits the JVM
        }
        System.out.println(stack.banner());
        try {
            new CountDownLatch(1).await(); // until a signal: stopAndExit() ends the JVM
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Starts and provisions everything; on failure stops what started and throws. */
    void start() {
        long started = System.nanoTime();
        out.println("promptloop dev stack: data in " + dataDirectory + ", logs in " + logDirectory);
        ExecutorService executor = Executors.newFixedThreadPool(
                4, Thread.ofPlatform().daemon().name("devstack-start-", 0).factory());
        try {
            CompletableFuture<Void> database = CompletableFuture.runAsync(
                    () -> step("PostgreSQL", () -> {
                        postgres.start();
                        requirePasswordsForLogins();
                        postgresVersion = serverVersion();
                        return "PostgreSQL " + postgresVersion + " on 127.0.0.1:" + postgres.port();
                    }),
                    executor);
            CompletableFuture<Void> broker = CompletableFuture.runAsync(
                            () -> step("Kafka", () -> {
                                kafka.start();
                                return "Kafka (KRaft) on " + kafka.bootstrapServers();
                            }),
                            executor)
                    .thenRunAsync(
                            () -> step("topics", () -> {
                                List<String> created = Provisioning.createTopics(kafka.bootstrapServers());
                                return Topics.ALL.size() + " topics and their dead-letter topics ("
                                        + (created.isEmpty() ? "all there already" : created.size() + " created") + ")";
                            }),
                            executor);
            CompletableFuture<Void> schemas = database.thenRunAsync(
                            () -> step("Apicurio Registry", () -> {
                                boolean sql = options.registryStorage() == Options.RegistryStorage.POSTGRESQL;
                                if (sql) {
                                    postgres.createDatabaseIfMissing(REGISTRY_DATABASE);
                                }
                                registry.start();
                                return "Apicurio Registry on " + registry.url() + " ("
                                        + (sql ? "PostgreSQL database " + REGISTRY_DATABASE : "in-memory")
                                        + " storage)";
                            }),
                            executor)
                    .thenRunAsync(
                            () -> step("schemas", () -> {
                                Provisioning.requireBackwardCompatibility(registry);
                                Map<String, Integer> ids = Provisioning.registerSchemas(registry);
                                return ids.size() + " value schemas registered, compatibility BACKWARD";
                            }),
                            executor);
            CompletableFuture<Void> migrations = database.thenRunAsync(
                    () -> step("migrations", () -> {
                        DatabaseLogin superuser = postgres.superuser();
                        Provisioning.migrate(superuser);
                        Map<ServiceLogin, DatabaseLogin> logins =
                                Provisioning.createServiceLogins(superuser, credentials::databasePassword);
                        return "Liquibase " + Provisioning.CHANGELOG + " applied; logins "
                                + logins.keySet().stream()
                                        .map(ServiceLogin::loginName)
                                        .collect(Collectors.joining(", "));
                    }),
                    executor);
            await(CompletableFuture.allOf(broker, schemas, migrations));

            List<CompletableFuture<Void>> ready = new ArrayList<>();
            for (ServiceDefinition definition : definitions) {
                Path jar = definition.jar(options.projectDirectory());
                if (!Files.isRegularFile(jar)) {
                    notes.add(definition.name() + ": not started, " + jar + " has not been built");
                    continue;
                }
                SupervisedChildren.Service service = startService(definition, jar);
                ready.add(CompletableFuture.runAsync(
                        () -> step(definition.name(), () -> {
                            service.awaitReady();
                            return definition.name() + " ready on " + "http://127.0.0.1:" + service.port() + " (pid "
                                    + service.pid() + ")";
                        }),
                        executor));
            }
            await(CompletableFuture.allOf(ready.toArray(CompletableFuture[]::new)));
            supervisor.watch(SupervisedChildren.postgres(postgres));
            supervisor.watch(SupervisedChildren.kafka(kafka));
            supervisor.watch(SupervisedChildren.registry(registry));
            synchronized (services) {
                services.forEach(supervisor::watch);
            }

            Optional<SupervisedChildren.Service> optimizer = service("optimizer-service");
            if (optimizer.isPresent() && options.agent()) {
                step("baseline instruction", () -> registerBaseline(optimizer.get()));
            }

            if (options.agent()) {
                step("simulated agent", () -> {
                    SimulatedAgent.Settings settings = SimulatedAgent.Settings.of(
                                    kafka.bootstrapServers(), registry.apiV3Url())
                            .withSessionsPerSecond(options.agentRate())
                            .withSeed(options.agentSeed()
                                    .orElseGet(() -> ThreadLocalRandom.current().nextLong()));
                    agent = SimulatedAgent.start(settings);
                    return "simulated agent publishing " + formatRate(settings.sessionsPerSecond())
                            + " sessions/s (seed " + settings.seed() + ")";
                });
                step("simulated evaluator", () -> {
                    SimulatedAgent.Settings agentSettings = agent.settings();
                    evaluator = new SimulatedEvaluator(
                                    SimulatedEvaluator.Settings.of(kafka.bootstrapServers(), registry.apiV3Url())
                                            .withAgentName(agentSettings.agentName()))
                            .start();
                    int published = evaluator.publish(evaluator.baselineEvaluations(
                            new AgentRef(agentSettings.agentName(), agentSettings.predictorName()),
                            BASELINE_INSTRUCTION,
                            BASELINE_EXAMPLES));
                    return "simulated evaluator answering optimizer requests (" + published
                            + " baseline evaluations published)";
                });
                step("simulated traffic", () -> {
                    SimulatedAgent.Settings agentSettings = agent.settings();
                    traffic = RoutedTraffic.start(
                            new RoutedTraffic.Settings(
                                    kafka.bootstrapServers(),
                                    registry.apiV3Url(),
                                    agentSettings.agentName(),
                                    agentSettings.predictorName(),
                                    options.trafficRate(),
                                    agentSettings.seed() ^ TRAFFIC_SEED_SALT,
                                    evaluator.rubric(),
                                    SimulatedAnswers.baselineExampleIds(BASELINE_EXAMPLES)),
                            this::loop);
                    return "simulated agent following " + Topics.INSTRUCTION_ROUTING.name() + ", serving "
                            + formatRate(options.trafficRate()) + " requests/s while an A/B test runs";
                });
            }
            totalStartup = Duration.ofNanos(System.nanoTime() - started);
        } catch (RuntimeException e) {
            if (!stopping) {
                close();
            }
            throw e;
        } finally {
            executor.shutdownNow();
        }
    }

    /** Stops everything on a thread of its own, then exits with 0; later calls only say that it is stopping. */
    private void stopAndExit() {
        if (!stopRequested.compareAndSet(false, true)) {
            out.println("promptloop dev stack: already stopping (kill -9 "
                    + ProcessHandle.current().pid() + " to force; the servers then stop by themselves)");
            return;
        }
        Thread.ofPlatform().name("devstack-stop").start(() -> {
            close();
            System.exit(0);
        });
    }

    /**
     * Turns SIGINT, SIGTERM and SIGHUP into {@code stop}. A signal this JVM ignores (e.g. SIGINT of a background
     * job) or cannot handle keeps its default, and the shutdown hook stops the stack.
     */
    @SuppressWarnings("restriction")
    private static void stopOnSignals(Runnable stop) {
        for (String name : List.of("INT", "TERM", "HUP")) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> stop.run());
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                // keep the JVM's handling of this signal
            }
        }
    }

    /**
     * Stops everything this stack started, in reverse order of dependency, within {@link #STOP_BOUND} whatever
     * state the children are in: no more restarts; the services (SIGTERM, SIGKILL of the process tree after
     * {@link #STOP_TIMEOUT}) while the in-process clients flush; then the registry and Kafka; then PostgreSQL, each
     * in the same way. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        stopping = true;
        long started = System.nanoTime();
        out.println();
        out.println("promptloop dev stack: stopping (at most " + STOP_BOUND.toSeconds() + " s)");
        supervisor.stopWatching();
        List<Thread> first = new ArrayList<>();
        RoutedTraffic currentTraffic = traffic;
        if (currentTraffic != null) {
            first.add(stopInBackground("simulated traffic", () -> {
                currentTraffic.close();
                RoutedTraffic.Stats stats = currentTraffic.stats();
                return stats.requestsServed() + " requests served, " + stats.observationsSent() + " observations sent"
                        + (stats.failures() > 0 ? ", " + stats.failures() + " failures" : "");
            }));
        }
        SimulatedEvaluator currentEvaluator = evaluator;
        if (currentEvaluator != null) {
            first.add(stopInBackground("simulated evaluator", () -> {
                currentEvaluator.close();
                SimulatedEvaluator.Stats stats = currentEvaluator.stats();
                return stats.requestsAnswered() + " requests answered, " + stats.requestsIgnored() + " ignored"
                        + (stats.failures() > 0 ? ", " + stats.failures() + " failures" : "");
            }));
        }
        SimulatedAgent currentAgent = agent;
        if (currentAgent != null) {
            first.add(stopInBackground("simulated agent", () -> {
                currentAgent.close();
                SimulatedAgent.Stats stats = currentAgent.stats();
                return stats.sessionsStarted() + " sessions, " + stats.recordsSent() + " records sent"
                        + (stats.sendFailures() > 0 ? ", " + stats.sendFailures() + " failed" : "");
            }));
        }
        List<SupervisedChildren.Service> running;
        synchronized (services) {
            running = List.copyOf(services);
        }
        for (SupervisedChildren.Service service : running) {
            first.add(stopInBackground(service.name(), () -> {
                String pid = service.process().map(p -> "pid " + p.pid()).orElse("");
                service.stop(STOP_TIMEOUT);
                return pid;
            }));
        }
        joinAll(first, STOP_TIMEOUT.plus(KILL_WAIT).plusSeconds(1));
        joinAll(
                List.of(
                        stopInBackground("Apicurio Registry", () -> {
                            registry.stop(STOP_TIMEOUT);
                            return registry.url();
                        }),
                        stopInBackground("Kafka", () -> {
                            kafka.stop(STOP_TIMEOUT);
                            return kafka.bootstrapServers();
                        })),
                STOP_TIMEOUT.plus(KILL_WAIT).plusSeconds(1));
        joinAll(
                List.of(stopInBackground("PostgreSQL", () -> {
                    postgres.stop(STOP_TIMEOUT);
                    return "127.0.0.1:" + postgres.port();
                })),
                STOP_TIMEOUT.plus(KILL_WAIT).plusSeconds(1));
        release(lock);
        out.printf(
                Locale.ROOT,
                "promptloop dev stack: stopped in %.1f s (data kept in %s)%n",
                (System.nanoTime() - started) / 1e9,
                dataDirectory);
        out.flush();
    }

    /** Stops one thing on a daemon thread of its own, printing how long it took. */
    private Thread stopInBackground(String name, Supplier<String> action) {
        return Thread.ofPlatform().daemon().name("devstack-stop-" + name).start(() -> stopQuietly(name, action));
    }

    /** Waits for {@code threads} until {@code timeout} has passed in all; a stop that takes longer is left behind. */
    private void joinAll(List<Thread> threads, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Thread thread : threads) {
            try {
                if (!thread.join(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())))) {
                    out.println("  [failed] " + thread.getName().replace("devstack-stop-", "stopping ")
                            + " did not end within " + timeout.toSeconds() + " s: going on");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** What is where: printed once everything is up. */
    String banner() {
        String pgHost = "127.0.0.1:" + postgres.port();
        String analyst = credentials.databasePassword(ServiceLogin.ANALYST);
        String admin = credentials.adminPassword();
        StringBuilder b = new StringBuilder();
        String rule = "=".repeat(100);
        b.append('\n').append(rule).append('\n');
        b.append(String.format(
                Locale.ROOT,
                " promptloop is running (started in %.1f s). Press Ctrl-C to stop everything.%n",
                totalStartup.toMillis() / 1000.0));
        b.append(rule).append('\n');
        b.append("\n PostgreSQL ")
                .append(postgresVersion)
                .append("   jdbc:postgresql://")
                .append(pgHost)
                .append('/')
                .append(DATABASE)
                .append('\n');
        b.append("   analyst (read-only):  psql postgresql://analyst:")
                .append(analyst)
                .append('@')
                .append(pgHost)
                .append('/')
                .append(DATABASE)
                .append('\n');
        b.append("     e.g.  SELECT * FROM analytics.v_session_statistics LIMIT 10;\n");
        for (ServiceLogin login : List.of(ServiceLogin.INGEST, ServiceLogin.OPTIMIZER, ServiceLogin.ABTEST)) {
            b.append(String.format(
                    Locale.ROOT,
                    "   %-20s  user %s, password %s%n",
                    login.loginName() + ":",
                    login.loginName(),
                    credentials.databasePassword(login)));
        }
        b.append("   superuser:            psql postgresql://postgres@")
                .append(pgHost)
                .append('/')
                .append(DATABASE)
                .append("   (no password; from this machine only)\n");
        b.append("\n Kafka        bootstrap servers ")
                .append(kafka.bootstrapServers())
                .append("\n   topics: ")
                .append(Topics.ALL.stream().map(Topics.Topic::name).collect(Collectors.joining(", ")))
                .append(" (each with ")
                .append(Topics.DEAD_LETTER_SUFFIX)
                .append(")\n");
        b.append("\n Apicurio Registry ")
                .append(registry.url())
                .append(options.registryStorage() == Options.RegistryStorage.MEMORY ? " (in-memory)" : "")
                .append("\n   Apicurio API v3:      ")
                .append(registry.apiV3Url())
                .append("   (Java serde: apicurio.registry.url)")
                .append("\n   Confluent-compatible: ")
                .append(registry.ccompatUrl())
                .append("   (schema.registry.url)")
                .append("\n   health:               ")
                .append(registry.managementUrl())
                .append("/health/ready\n");
        for (SupervisedChildren.Service service : services) {
            String url = "http://127.0.0.1:" + service.port();
            if (service.name().equals("console")) {
                b.append("\n console   ")
                        .append(url)
                        .append("   (user ")
                        .append(Credentials.ADMIN_USER)
                        .append(", password ")
                        .append(admin)
                        .append(")\n");
                continue;
            }
            b.append("\n ").append(service.name()).append("   ").append(url).append("   (pid ");
            b.append(service.pid()).append(")\n");
            b.append("   user ")
                    .append(Credentials.ADMIN_USER)
                    .append(", password ")
                    .append(admin)
                    .append('\n');
            if (service.name().equals("ingest-service")) {
                b.append("   curl -u admin:")
                        .append(admin)
                        .append(' ')
                        .append(url)
                        .append("/api/sessions\n");
                b.append("   curl -u admin:")
                        .append(admin)
                        .append(" -o sessions.csv ")
                        .append(url)
                        .append("/api/sessions/export.csv\n");
            }
            String management = "http://127.0.0.1:" + service.managementPort();
            b.append("   curl ").append(management).append("/actuator/health        (management port, no login)\n");
            b.append("   curl ").append(management).append("/actuator/prometheus    (management port, no login)\n");
        }
        synchronized (notes) {
            for (String note : notes) {
                b.append("\n ").append(note).append('\n');
            }
        }
        if (!options.services()) {
            b.append("\n services: not started (--no-services); point them at the URLs above\n");
        }
        SimulatedAgent currentAgent = agent;
        if (currentAgent != null) {
            SimulatedAgent.Settings settings = currentAgent.settings();
            b.append("\n simulated agent   ")
                    .append(formatRate(settings.sessionsPerSecond()))
                    .append(" sessions/s as ")
                    .append(settings.agentName())
                    .append(", seed ")
                    .append(settings.seed())
                    .append(" (--agent-seed ")
                    .append(settings.seed())
                    .append(" replays the same events; --no-agent turns it off)\n");
            if (evaluator != null) {
                b.append(" simulated evaluator   answers ")
                        .append(Topics.OPTIMIZER_EVALUATION_REQUESTS.name())
                        .append(" on ")
                        .append(Topics.AGENT_EVALUATIONS.name())
                        .append(" by a hidden rubric; ")
                        .append(BASELINE_EXAMPLES)
                        .append(" baseline evaluations published\n");
            }
            RoutedTraffic currentTraffic = traffic;
            if (currentTraffic != null) {
                b.append(" simulated traffic   ")
                        .append(formatRate(currentTraffic.settings().requestsPerSecond()))
                        .append(" requests/s by ")
                        .append(Topics.INSTRUCTION_ROUTING.name())
                        .append(", reported on ")
                        .append(Topics.AB_OBSERVATIONS.name())
                        .append(" while an A/B test runs (--traffic-rate)\n");
                b.append(" routing now       ")
                        .append(currentTraffic.describeRouting().orElse("none yet: the first A/B test publishes it"))
                        .append('\n');
            }
            appendLoop(b);
        } else {
            b.append("\n simulated agent   off (--no-agent)\n");
        }
        b.append("\n processes     ").append(processes()).append('\n');
        b.append(" supervision   a child that dies is reported and started again after ")
                .append(Supervisor.FIRST_BACKOFF.toSeconds())
                .append(" s, doubling to ")
                .append(Supervisor.MAX_BACKOFF.toSeconds())
                .append(" s (given up after ")
                .append(Supervisor.GIVE_UP_AFTER)
                .append(" failures in a row); Ctrl-C stops all within ")
                .append(STOP_BOUND.toSeconds())
                .append(" s\n");
        b.append(" logs          ").append(logDirectory).append('\n');
        b.append(" credentials   ").append(credentials.file()).append('\n');
        b.append(" startup       ");
        synchronized (startupTimes) {
            b.append(startupTimes.entrySet().stream()
                    .map(e -> String.format(
                            Locale.ROOT, "%s %.1f s", e.getKey(), e.getValue().toMillis() / 1000.0))
                    .collect(Collectors.joining(", ")));
        }
        b.append('\n').append(rule).append('\n');
        return b.toString();
    }

    // --- what tests and tools can ask a running stack

    String kafkaBootstrapServers() {
        return kafka.bootstrapServers();
    }

    String registryApiV3Url() {
        return registry.apiV3Url();
    }

    DatabaseLogin superuser() {
        return postgres.superuser();
    }

    DatabaseLogin login(ServiceLogin login) {
        return new DatabaseLogin(postgres.jdbcUrl(), login.loginName(), credentials.databasePassword(login));
    }

    String adminPassword() {
        return credentials.adminPassword();
    }

    List<RunningService> services() {
        synchronized (services) {
            return services.stream()
                    .map(s -> new RunningService(s.name(), s.port(), s.pid(), s.logFile()))
                    .toList();
        }
    }

    /** {@code name pid, ...} of every child process and of this JVM, for the banner (and tests that kill them). */
    String processes() {
        List<String> processes = new ArrayList<>();
        processes.add("devstack " + ProcessHandle.current().pid());
        postgres.postmaster().ifPresent(p -> processes.add("postgresql " + p.pid()));
        kafka.process().ifPresent(p -> processes.add("kafka " + p.pid()));
        registry.process().ifPresent(p -> processes.add("apicurio-registry " + p.pid()));
        synchronized (services) {
            services.forEach(s -> s.process().ifPresent(p -> processes.add(s.name() + " " + p.pid())));
        }
        return String.join(", ", processes);
    }

    SimulatedAgent agent() {
        return agent;
    }

    SimulatedEvaluator evaluator() {
        return evaluator;
    }

    RoutedTraffic traffic() {
        return traffic;
    }

    Map<String, Duration> startupTimes() {
        synchronized (startupTimes) {
            return Map.copyOf(startupTimes);
        }
    }

    // --- internals

    private Optional<SupervisedChildren.Service> service(String name) {
        synchronized (services) {
            return services.stream().filter(s -> s.name().equals(name)).findFirst();
        }
    }

    private String registerBaseline(SupervisedChildren.Service optimizer) {
        String agentName = SimulatedAgent.DEFAULT_AGENT; // the agent's main instruction: no predictor
        baselineInstruction = OptimizerBaseline.register(
                optimizer.port(), agentName, BASELINE_INSTRUCTION, Credentials.ADMIN_USER, adminPassword());
        return "baseline instruction of " + agentName + " registered with the optimizer: " + baselineInstruction;
    }

    /** A change of the simulated agent's routing, in the dev stack's output: the loop turning. */
    private void loop(String line) {
        if (!stopping) {
            out.println("  [loop " + LocalTime.now().format(CLOCK) + "] " + line);
        }
    }

    /** How the loop turns, and how to watch it. */
    private void appendLoop(StringBuilder b) {
        if (service("optimizer-service").isEmpty() || service("abtest-service").isEmpty()) {
            b.append(" closed loop       off: it needs optimizer-service and abtest-service\n");
            return;
        }
        b.append(" closed loop       the optimizer looks every ")
                .append(OPTIMIZER_LOOP_SETTINGS.get("PROMPTLOOP_OPTIMIZER_POLICY_INTERVAL"))
                .append(" for ")
                .append(OPTIMIZER_LOOP_SETTINGS.get("PROMPTLOOP_OPTIMIZER_POLICY_MIN_LOW_SCORE_EXAMPLES"))
                .append(" scores below ")
                .append(OPTIMIZER_LOOP_SETTINGS.get("PROMPTLOOP_OPTIMIZER_POLICY_LOW_SCORE"))
                .append(" and runs GEPA (")
                .append(OPTIMIZER_LOOP_SETTINGS.get("PROMPTLOOP_OPTIMIZER_POLICY_BUDGET"))
                .append(") on baseline ")
                .append(baselineInstruction == null ? "?" : baselineInstruction)
                .append(";\n                   a run that improves by ")
                .append(ABTEST_LOOP_SETTINGS.get("PROMPTLOOP_ABTEST_AUTO_CREATE_MIN_IMPROVEMENT_PERCENT"))
                .append(" % or more is A/B tested on the simulated traffic, and a winner rolled out.\n")
                .append("                   Each routing change prints a [loop] line; in psql:\n")
                .append("     SELECT run_id, status, baseline_score, optimized_score, improvement_percent")
                .append(" FROM optimizer.prompt_optimization_runs ORDER BY created_at;\n")
                .append("     SELECT * FROM analytics.v_ab_test_results;\n")
                .append("     SELECT * FROM analytics.v_active_instructions;\n");
    }

    private SupervisedChildren.Service startService(ServiceDefinition definition, Path jar) {
        if (stopping) {
            throw new IllegalStateException("stopping");
        }
        int port = definition.requestedPort() != 0 ? definition.requestedPort() : freePort();
        int managementPort = freePort();
        Map<String, String> environment = new LinkedHashMap<>(ServiceEnvironment.of(
                login(definition.login()),
                kafka.bootstrapServers(),
                registry.apiV3Url(),
                port,
                managementPort,
                Credentials.ADMIN_USER,
                adminPassword(),
                definition.settings()));
        if (definition.name().equals("console")) {
            services.forEach(s -> environment.put(
                    "PROMPTLOOP_CONSOLE_" + s.name().replace("-service", "").toUpperCase(Locale.ROOT) + "_URL",
                    "http://127.0.0.1:" + s.port()));
            environment.put("PROMPTLOOP_CONSOLE_SERVICE_USER", Credentials.ADMIN_USER);
            environment.put("PROMPTLOOP_CONSOLE_SERVICE_PASSWORD", adminPassword());
            environment.put("PROMPTLOOP_CONSOLE_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
        }
        SupervisedChildren.Service service = new SupervisedChildren.Service(
                        definition.name(),
                        copyToRunDirectory(jar, definition.name() + ".jar"),
                        port,
                        managementPort,
                        environment,
                        dataDirectory,
                        logDirectory.resolve(definition.name() + ".log"),
                        SERVICE_HEAP,
                        SERVICE_READY_TIMEOUT)
                .start();
        services.add(service);
        return service;
    }

    /**
     * A service runs from a copy of its jar: a rebuild of the checkout while the stack runs would otherwise
     * replace the jar under the running JVM, which loads classes from it lazily (and fails).
     */
    private Path copyToRunDirectory(Path jar, String name) {
        Path copy = dataDirectory.resolve("run").resolve(name);
        try {
            Files.createDirectories(copy.getParent());
            Files.copy(jar, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            return copy;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + jar + " to " + copy, e);
        }
    }

    /** Runs one start-up step, prints how long it took, and remembers it for the banner. */
    private void step(String name, Supplier<String> action) {
        if (stopping) {
            throw new IllegalStateException("stopping");
        }
        long started = System.nanoTime();
        String done = action.get();
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        startupTimes.put(name, took);
        out.printf(Locale.ROOT, "  [ok] %-70s %6.1f s%n", done, took.toMillis() / 1000.0);
    }

    private void stopQuietly(String name, Supplier<String> action) {
        long started = System.nanoTime();
        try {
            String what = action.get();
            out.printf(
                    Locale.ROOT, "  [stopped] %-25s %-45s %5.1f s%n", name, what, (System.nanoTime() - started) / 1e9);
        } catch (RuntimeException e) {
            out.println("  [failed] stopping " + name + ": " + e.getMessage());
        }
    }

    private void requirePasswordsForLogins() {
        Path hba = postgres.dataDirectory().resolve("pg_hba.conf");
        try {
            if (Files.isRegularFile(hba) && Files.readString(hba).equals(PG_HBA)) {
                return;
            }
            Files.writeString(hba, PG_HBA);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + hba, e);
        }
        DatabaseLogin superuser = postgres.superuser();
        try (Connection connection =
                        DriverManager.getConnection(superuser.jdbcUrl(), superuser.user(), superuser.password());
                Statement statement = connection.createStatement()) {
            statement.execute("SELECT pg_reload_conf()");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot reload the PostgreSQL configuration", e);
        }
    }

    private String serverVersion() {
        DatabaseLogin superuser = postgres.superuser();
        try (Connection connection =
                        DriverManager.getConnection(superuser.jdbcUrl(), superuser.user(), superuser.password());
                Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery("SHOW server_version")) {
            rs.next();
            return rs.getString(1).split(" ")[0];
        } catch (SQLException e) {
            return "17";
        }
    }

    /** Fails before anything starts if a service the stack cannot do without has not been built. */
    private void requireServiceJars() {
        for (ServiceDefinition definition : definitions) {
            Path jar = definition.jar(options.projectDirectory());
            if (definition.required() && !Files.isRegularFile(jar)) {
                throw new IllegalStateException(jar + " does not exist: build it first (./mvnw -q install"
                        + " -DskipTests), give the checkout with --project-dir, or start only the infrastructure"
                        + " with --no-services");
            }
        }
    }

    private void requireFreePorts() {
        Map<String, Integer> fixed = new LinkedHashMap<>();
        fixed.put("--pg-port", options.postgresPort());
        fixed.put("--kafka-port", options.kafkaPort());
        fixed.put("--kafka-controller-port", options.kafkaControllerPort());
        fixed.put("--registry-port", options.registryPort());
        fixed.put("--registry-management-port", options.registryManagementPort());
        for (ServiceDefinition definition : definitions) {
            if (Files.isRegularFile(definition.jar(options.projectDirectory()))) {
                fixed.put("--" + definition.name().replace("-service", "") + "-port", definition.requestedPort());
            }
        }
        Map<Integer, String> seen = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        fixed.forEach((option, port) -> {
            if (port == 0) {
                return;
            }
            String earlier = seen.putIfAbsent(port, option);
            if (earlier != null) {
                problems.add("port " + port + " is given to both " + earlier + " and " + option);
            } else if (!isFree(port)) {
                problems.add("port " + port + " (" + option + ") is already in use on 127.0.0.1");
            }
        });
        if (!problems.isEmpty()) {
            throw new IllegalStateException(String.join("; ", problems)
                    + ". Stop whatever uses it, or choose other ports (0 picks a free one).");
        }
    }

    private static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on 127.0.0.1", e);
        }
    }

    private static FileLock lockDataDirectory(Path dataDirectory) {
        Path file = dataDirectory.resolve("devstack.lock");
        try {
            FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock == null) {
                channel.close();
                throw new IllegalStateException("another dev stack is running with data directory " + dataDirectory
                        + "; stop it first, or use --data-dir");
            }
            channel.truncate(0);
            channel.write(StandardCharsets.UTF_8.encode(ProcessHandle.current().pid() + "\n"));
            return lock;
        } catch (java.nio.channels.OverlappingFileLockException e) {
            throw new IllegalStateException("this JVM already runs a dev stack with data directory " + dataDirectory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock " + file, e);
        }
    }

    private static void release(FileLock lock) {
        try {
            lock.release();
            lock.channel().close();
        } catch (IOException e) {
            // the lock goes with the process anyway
        }
    }

    private static void await(CompletableFuture<Void> future) {
        try {
            future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw e;
        }
    }

    /** The checkout this jar was built in ({@code <root>/devstack/target/devstack.jar}), else the working directory. */
    static Path defaultProjectDirectory() {
        String classpath = System.getProperty("java.class.path", "");
        if (!classpath.contains(java.io.File.pathSeparator) && classpath.endsWith(".jar")) {
            Path jar = Path.of(classpath).toAbsolutePath().normalize();
            Path target = jar.getParent();
            Path module = target == null ? null : target.getParent();
            Path root = module == null ? null : module.getParent();
            if (root != null
                    && target.getFileName().toString().equals("target")
                    && module.getFileName().toString().equals("devstack")
                    && Files.isRegularFile(root.resolve("pom.xml"))) {
                return root;
            }
        }
        return Path.of("").toAbsolutePath();
    }

    private static String formatRate(double rate) {
        return rate == Math.rint(rate) ? Long.toString((long) rate) : Double.toString(rate);
    }

    /** The message of an exception and its causes, without repeating them. */
    static String describe(Throwable e) {
        List<String> messages = new ArrayList<>();
        for (Throwable t = e; t != null; t = t.getCause()) {
            String message =
                    t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
            if (messages.stream().noneMatch(m -> m.contains(message))) {
                messages.add(message);
            }
        }
        return String.join("\n  caused by: ", messages);
    }

    /**
     * One logging system for this JVM: the test kit's System.Logger, Liquibase and (through slf4j-jdk14) Kafka
     * clients and the serde all log to java.util.logging; warnings only, on one line each, since the dev stack
     * reports its own progress.
     */
    static void configureLogging() {
        String configuration = """
                handlers=java.util.logging.ConsoleHandler
                .level=WARNING
                java.util.logging.ConsoleHandler.level=ALL
                java.util.logging.ConsoleHandler.formatter=java.util.logging.SimpleFormatter
                java.util.logging.SimpleFormatter.format=%1$tT %4$s %3$s: %5$s%6$s%n
                # "connection refused" while the test kit waits for the broker to come up
                org.apache.kafka.clients.NetworkClient.level=SEVERE
                io.apicurio.registry.client.common.DefaultVertxInstance.level=SEVERE
                """;
        // Liquibase prints its update summary straight to stdout unless told to log it
        System.setProperty("liquibase.command.showSummaryOutput", "LOG");
        try {
            LogManager.getLogManager()
                    .readConfiguration(new ByteArrayInputStream(configuration.getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            // keep the JDK's defaults
        }
    }

    private static Map<String, String> orderedMap(String... keysAndValues) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return Collections.unmodifiableMap(map);
    }
}
