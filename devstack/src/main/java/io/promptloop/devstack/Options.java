package io.promptloop.devstack;

import java.nio.file.Path;
import java.util.Locale;
import java.util.OptionalLong;
import picocli.CommandLine;

/**
 * The command line of {@code ./promptloop run}, parsed by picocli.
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

    /**
     * Parses {@code --name value} and {@code --name=value} with picocli; a later option wins over an earlier one
     * (the detached launcher puts {@code --project-dir} before the user's own options).
     */
    static Options parse(String[] args, Path defaultProjectDirectory) throws UsageException {
        CommandLineArguments arguments = new CommandLineArguments(defaults(defaultProjectDirectory));
        CommandLine commandLine = commandLine(arguments);
        try {
            commandLine.parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            throw new UsageException(e.getMessage());
        }
        return arguments.toOptions(commandLine.isUsageHelpRequested());
    }

    /** The {@code --help} text. */
    static String usage() {
        return commandLine(new CommandLineArguments(defaults(Path.of("")))).getUsageMessage(CommandLine.Help.Ansi.OFF);
    }

    private static CommandLine commandLine(CommandLineArguments arguments) {
        CommandLine commandLine = new CommandLine(arguments);
        commandLine.setOverwrittenOptionsAllowed(true);
        commandLine.setUsageHelpWidth(110);
        return commandLine;
    }

    /** The command line as picocli binds it, with the defaults of {@link #defaults(Path)}. */
    @CommandLine.Command(
            name = "./promptloop run",
            sortOptions = false,
            customSynopsis = {"./promptloop run [options]", "       java -jar devstack/target/devstack.jar [options]"},
            description = {
                "",
                "Starts PostgreSQL 17, Kafka (KRaft), Apicurio Registry, the promptloop services and a simulated",
                "agent on 127.0.0.1 and keeps them running until Ctrl-C, which stops everything. A child that dies",
                "is reported and started again on its data, after 1 s doubling to 30 s (given up after 10 failures",
                "in a row).",
                "",
                "Options:"
            },
            footer = {
                "",
                "Port 0 picks a free port. Exits with 1 if something failed to start, 64 for a bad command line."
            })
    static final class CommandLineArguments {

        @CommandLine.Option(
                names = {"-h", "--help"},
                usageHelp = true,
                description = "this text")
        boolean help;

        @CommandLine.Option(
                names = "--data-dir",
                paramLabel = "DIR",
                converter = PathConverter.class,
                description = "data, logs and credentials (default: ./.promptloop)")
        Path dataDirectory;

        @CommandLine.Option(
                names = "--project-dir",
                paramLabel = "DIR",
                converter = PathConverter.class,
                description = "checkout with the built service jars (default: the one this jar was built in, else"
                        + " the current directory)")
        Path projectDirectory;

        @CommandLine.Option(
                names = "--pg-port",
                paramLabel = "PORT",
                converter = PortConverter.class,
                description = "PostgreSQL (default 5432)")
        int postgresPort;

        @CommandLine.Option(
                names = "--kafka-port",
                paramLabel = "PORT",
                converter = PortConverter.class,
                description = "Kafka bootstrap (default 9092)")
        int kafkaPort;

        @CommandLine.Option(
                names = "--kafka-controller-port",
                paramLabel = "PORT",
                converter = PortConverter.class,
                description = "KRaft controller (default: a free port)")
        int kafkaControllerPort;

        @CommandLine.Option(
                names = "--registry-port",
                paramLabel = "PORT",
                converter = PortConverter.class,
                description = "Apicurio Registry HTTP API (default 8080)")
        int registryPort;

        @CommandLine.Option(
                names = "--registry-management-port",
                paramLabel = "PORT",
                converter = PortConverter.class,
                description = "registry health and metrics (default: a free port)")
        int registryManagementPort;

        @CommandLine.Option(
                names = "--registry-storage",
                paramLabel = "KIND",
                converter = StorageConverter.class,
                description = "postgresql (default: schema ids survive restarts) or memory")
        RegistryStorage registryStorage;

        @CommandLine.Option(
                names = "--ingest-port",
                paramLabel = "PORT",
                converter = PortConverter.class,
                description = "ingest-service HTTP (default 8081)")
        int ingestPort;

        @CommandLine.Option(
                names = "--optimizer-port",
                paramLabel = "PORT",
                converter = PortConverter.class,
                description = "optimizer-service HTTP (default 8082)")
        int optimizerPort;

        @CommandLine.Option(
                names = "--abtest-port",
                paramLabel = "PORT",
                converter = PortConverter.class,
                description = "abtest-service HTTP (default 8083)")
        int abtestPort;

        @CommandLine.Option(
                names = "--console-port",
                paramLabel = "PORT",
                converter = PortConverter.class,
                description = "the console (default 8090)")
        int consolePort;

        @CommandLine.Option(
                names = "--no-services",
                arity = "0",
                description = "start the infrastructure only (run services from the IDE)")
        boolean noServices;

        @CommandLine.Option(
                names = "--no-agent",
                arity = "0",
                description = "do not start the simulated agent (nor the evaluator that answers the optimizer's"
                        + " evaluation requests)")
        boolean noAgent;

        @CommandLine.Option(
                names = "--agent-rate",
                paramLabel = "N",
                converter = SessionRateConverter.class,
                description = "sessions the simulated agent starts per second (default 2)")
        double agentRate;

        @CommandLine.Option(
                names = "--agent-seed",
                paramLabel = "N",
                converter = SeedConverter.class,
                description = "the agent's random seed (default: a new one, printed)")
        Long agentSeed;

        @CommandLine.Option(
                names = "--traffic-rate",
                paramLabel = "N",
                converter = RequestRateConverter.class,
                description = "production requests per second the simulated agent serves by the instruction-routing"
                        + " topic, and reports as A/B observations while a test runs (default 25)")
        double trafficRate;

        CommandLineArguments(Options defaults) {
            dataDirectory = defaults.dataDirectory();
            projectDirectory = defaults.projectDirectory();
            postgresPort = defaults.postgresPort();
            kafkaPort = defaults.kafkaPort();
            kafkaControllerPort = defaults.kafkaControllerPort();
            registryPort = defaults.registryPort();
            registryManagementPort = defaults.registryManagementPort();
            registryStorage = defaults.registryStorage();
            ingestPort = defaults.ingestPort();
            optimizerPort = defaults.optimizerPort();
            abtestPort = defaults.abtestPort();
            consolePort = defaults.consolePort();
            noServices = !defaults.services();
            noAgent = !defaults.agent();
            agentRate = defaults.agentRate();
            trafficRate = defaults.trafficRate();
        }

        Options toOptions(boolean helpRequested) {
            return new Options(
                    helpRequested,
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
                    !noServices,
                    !noAgent,
                    agentRate,
                    agentSeed == null ? OptionalLong.empty() : OptionalLong.of(agentSeed),
                    trafficRate);
        }
    }

    static final class PathConverter implements CommandLine.ITypeConverter<Path> {
        @Override
        public Path convert(String value) {
            if (value.isBlank()) {
                throw new CommandLine.TypeConversionException("needs a directory");
            }
            try {
                return Path.of(value);
            } catch (java.nio.file.InvalidPathException e) {
                throw new CommandLine.TypeConversionException("not a valid path: " + value);
            }
        }
    }

    static final class PortConverter implements CommandLine.ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            try {
                int port = Integer.parseInt(value.strip());
                if (port >= 0 && port <= 65_535) {
                    return port;
                }
            } catch (NumberFormatException e) {
                // below
            }
            throw new CommandLine.TypeConversionException("must be a port number 0..65535, was '" + value + "'");
        }
    }

    static final class SessionRateConverter implements CommandLine.ITypeConverter<Double> {
        @Override
        public Double convert(String value) {
            return rate(value, "sessions");
        }
    }

    static final class RequestRateConverter implements CommandLine.ITypeConverter<Double> {
        @Override
        public Double convert(String value) {
            return rate(value, "requests");
        }
    }

    private static double rate(String value, String what) {
        try {
            double rate = Double.parseDouble(value.strip());
            if (rate > 0 && rate <= 1_000) {
                return rate;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new CommandLine.TypeConversionException(
                "must be a number of " + what + " per second in (0, 1000], was '" + value + "'");
    }

    static final class SeedConverter implements CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return Long.parseLong(value.strip());
            } catch (NumberFormatException e) {
                throw new CommandLine.TypeConversionException("must be a whole number, was '" + value + "'");
            }
        }
    }

    static final class StorageConverter implements CommandLine.ITypeConverter<RegistryStorage> {
        @Override
        public RegistryStorage convert(String value) {
            try {
                return RegistryStorage.valueOf(value.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException("must be postgresql or memory, was '" + value + "'");
            }
        }
    }
}
