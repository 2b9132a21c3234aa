package io.promptloop.devstack;

import java.nio.file.Path;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The command line of {@code ./promptloop run}.
 *
 * @param help print usage and exit
 * @param dataDirectory data, logs and credentials
 * @param projectDirectory the checkout whose {@code <service>/target/<service>.jar} are run
 * @param postgresPort PostgreSQL port; 0 for a free one
 * @param kafkaPort Kafka client port; 0 for a free one
 * @param kafkaControllerPort KRaft controller port; 0 for a free one
 * @param registryPort Apicurio Registry HTTP port; 0 for a free one
 * @param registryManagementPort the registry's health and metrics port; 0 for a free one
 * @param registryStorage where the registry keeps schemas
 * @param ingestPort ingest-service HTTP port; 0 for a free one
 * @param optimizerPort optimizer-service HTTP port; 0 for a free one
 * @param abtestPort abtest-service HTTP port; 0 for a free one
 * @param consolePort the console's HTTP port; 0 for a free one
 * @param services whether to start the services
 * @param agent whether to start the simulated agent and its evaluator
 * @param agentRate sessions per second the agent starts
 * @param agentSeed the agent's seed; empty for a random one
 * @param trafficRate requests per second the simulated agent serves by the routing topic while an A/B test runs
 */
record Options(
        boolean help,
        Path dataDirectory,
        Path projectDirectory,
        int postgresPort,
        int kafkaPort,
        int kafkaControllerPort,
        int registryPort,
        int registryManagementPort,
        RegistryStorage registryStorage,
        int ingestPort,
        int optimizerPort,
        int abtestPort,
        int consolePort,
        boolean services,
        boolean agent,
        double agentRate,
        OptionalLong agentSeed,
        double trafficRate) {

    /** Where the schema registry keeps its artifacts. */
    enum RegistryStorage {
        /** Database {@code apicurio} of the dev stack's PostgreSQL: schema ids survive restarts. */
        POSTGRESQL,
        /** In memory: re-registered on every start. */
        MEMORY
    }

    /** Thrown for a command line that cannot be understood; the launcher exits with 64 (EX_USAGE). */
    static final class UsageException extends Exception {
        UsageException(String message) {
            super(message);
        }
    }

    static final String USAGE = """
            Usage: ./promptloop run [options]
                   java -jar devstack/target/devstack.jar [options]

            Starts PostgreSQL 17, Kafka (KRaft), Apicurio Registry, the promptloop services and a simulated
            agent on 127.0.0.1 and keeps them running until Ctrl-C, which stops everything.

            Options:
              --data-dir DIR                  data, logs and credentials (default: ./.promptloop)
              --project-dir DIR               checkout with the built service jars (default: the one this
                                              jar was built in, else the current directory)
              --pg-port PORT                  PostgreSQL (default 5432)
              --kafka-port PORT               Kafka bootstrap (default 9092)
              --kafka-controller-port PORT    KRaft controller (default: a free port)
              --registry-port PORT            Apicurio Registry HTTP API (default 8080)
              --registry-management-port PORT registry health and metrics (default: a free port)
              --registry-storage KIND         postgresql (default: schema ids survive restarts) or memory
              --ingest-port PORT              ingest-service HTTP (default 8081)
              --optimizer-port PORT           optimizer-service HTTP (default 8082)
              --abtest-port PORT              abtest-service HTTP (default 8083)
              --console-port PORT             the console (default 8090)
              --no-services                   start the infrastructure only (run services from the IDE)
              --no-agent                      do not start the simulated agent (nor the evaluator that
                                              answers the optimizer's evaluation requests)
              --agent-rate N                  sessions the simulated agent starts per second (default 2)
              --agent-seed N                  the agent's random seed (default: a new one, printed)
              --traffic-rate N                production requests per second the simulated agent serves by
                                              the instruction-routing topic, and reports as A/B observations
                                              while a test runs (default 25)
              -h, --help                      this text

            Port 0 picks a free port. Exits with 1 if something failed to start, 64 for a bad command line.
            """;

    private static final Set<String> WITH_VALUE = Set.of(
            "--data-dir",
            "--project-dir",
            "--pg-port",
            "--kafka-port",
            "--kafka-controller-port",
            "--registry-port",
            "--registry-management-port",
            "--registry-storage",
            "--ingest-port",
            "--optimizer-port",
            "--abtest-port",
            "--console-port",
            "--agent-rate",
            "--agent-seed",
            "--traffic-rate");

    static Options defaults(Path projectDirectory) {
        return new Options(
                false,
                Path.of(".promptloop"),
                projectDirectory,
                5432,
                9092,
                0,
                8080,
                0,
                RegistryStorage.POSTGRESQL,
                8081,
                8082,
                8083,
                8090,
                true,
                true,
                2.0,
                OptionalLong.empty(),
                25.0);
    }

    /** Parses {@code --name value} and {@code --name=value}; later options win. */
    static Options parse(String[] args, Path defaultProjectDirectory) throws UsageException {
        Builder b = new Builder(defaults(defaultProjectDirectory));
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String name = arg;
            String value = null;
            int equals = arg.indexOf('=');
            if (arg.startsWith("--") && equals > 0) {
                name = arg.substring(0, equals);
                value = arg.substring(equals + 1);
            }
            boolean flag = name.equals("-h") || name.equals("--help") || name.startsWith("--no-");
            if (flag && value != null) {
                throw new UsageException(name + " takes no value");
            }
            if (!flag && value == null && isKnown(name)) {
                if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
                    throw new UsageException(name + " needs a value");
                }
                value = args[++i];
            }
            switch (name) {
                case "-h", "--help" -> b.help = true;
                case "--no-services" -> b.services = false;
                case "--no-agent" -> b.agent = false;
                case "--data-dir" -> b.dataDirectory = path(name, value);
                case "--project-dir" -> b.projectDirectory = path(name, value);
                case "--pg-port" -> b.postgresPort = port(name, value);
                case "--kafka-port" -> b.kafkaPort = port(name, value);
                case "--kafka-controller-port" -> b.kafkaControllerPort = port(name, value);
                case "--registry-port" -> b.registryPort = port(name, value);
                case "--registry-management-port" -> b.registryManagementPort = port(name, value);
                case "--registry-storage" -> b.registryStorage = storage(name, value);
                case "--ingest-port" -> b.ingestPort = port(name, value);
                case "--optimizer-port" -> b.optimizerPort = port(name, value);
                case "--abtest-port" -> b.abtestPort = port(name, value);
                case "--console-port" -> b.consolePort = port(name, value);
                case "--agent-rate" -> b.agentRate = rate(name, value, "sessions");
                case "--traffic-rate" -> b.trafficRate = rate(name, value, "requests");
                case "--agent-seed" -> b.agentSeed = OptionalLong.of(seed(name, value));
                default ->
                    throw new UsageException(
                            arg.startsWith("-") ? "unknown option " + name : "unexpected argument '" + arg + "'");
            }
        }
        return b.build();
    }

    private static boolean isKnown(String name) {
        return WITH_VALUE.contains(name);
    }

    private static Path path(String name, String value) throws UsageException {
        if (value == null || value.isBlank()) {
            throw new UsageException(name + " needs a directory");
        }
        try {
            return Path.of(value);
        } catch (java.nio.file.InvalidPathException e) {
            throw new UsageException(name + ": not a valid path: " + value);
        }
    }

    private static int port(String name, String value) throws UsageException {
        try {
            int port = Integer.parseInt(value.strip());
            if (port < 0 || port > 65_535) {
                throw new UsageException(name + " must be a port number 0..65535, was " + value);
            }
            return port;
        } catch (NumberFormatException e) {
            throw new UsageException(name + " must be a port number 0..65535, was '" + value + "'");
        }
    }

    private static double rate(String name, String value, String what) throws UsageException {
        try {
            double rate = Double.parseDouble(value.strip());
            if (!(rate > 0) || rate > 1_000) {
                throw new UsageException(
                        name + " must be a number of " + what + " per second in (0, 1000], was " + value);
            }
            return rate;
        } catch (NumberFormatException e) {
            throw new UsageException(name + " must be a number of " + what + " per second, was '" + value + "'");
        }
    }

    private static long seed(String name, String value) throws UsageException {
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            throw new UsageException(name + " must be a whole number, was '" + value + "'");
        }
    }

    private static RegistryStorage storage(String name, String value) throws UsageException {
        try {
            return RegistryStorage.valueOf(value.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new UsageException(name + " must be postgresql or memory, was '" + value + "'");
        }
    }

    /** The options while they are parsed. */
    private static final class Builder {
        boolean help;
        Path dataDirectory;
        Path projectDirectory;
        int postgresPort;
        int kafkaPort;
        int kafkaControllerPort;
        int registryPort;
        int registryManagementPort;
        RegistryStorage registryStorage;
        int ingestPort;
        int optimizerPort;
        int abtestPort;
        int consolePort;
        boolean services;
        boolean agent;
        double agentRate;
        OptionalLong agentSeed;
        double trafficRate;

        Builder(Options o) {
            help = o.help;
            dataDirectory = o.dataDirectory;
            projectDirectory = o.projectDirectory;
            postgresPort = o.postgresPort;
            kafkaPort = o.kafkaPort;
            kafkaControllerPort = o.kafkaControllerPort;
            registryPort = o.registryPort;
            registryManagementPort = o.registryManagementPort;
            registryStorage = o.registryStorage;
            ingestPort = o.ingestPort;
            optimizerPort = o.optimizerPort;
            abtestPort = o.abtestPort;
            consolePort = o.consolePort;
            services = o.services;
            agent = o.agent;
            agentRate = o.agentRate;
            agentSeed = o.agentSeed;
            trafficRate = o.trafficRate;
        }

        Options build() {
            return new Options(
                    help,
                    dataDirectory,
                    projectDirectory,
                    postgresPort,
                    kafkaPort,
                    kafkaControllerPort,
                    registryPort,
                    registryManagementPort,
                    registryStorage,
                    ingestPort,
                    optimizerPort,
                    abtestPort,
                    consolePort,
                    services,
                    agent,
                    agentRate,
                    agentSeed,
                    trafficRate);
        }
    }
}
