package io.promptloop.devstack;

import io.promptloop.testkit.ApicurioRegistry;
import io.promptloop.testkit.ChildProcess;
import io.promptloop.testkit.KafkaBroker;
import io.promptloop.testkit.Postgres;
import io.promptloop.testkit.Provisioning;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** The dev stack's children as the {@link Supervisor} sees them: how to start each again, where its process is. */
final class SupervisedChildren {

    private SupervisedChildren() {}

    /** PostgreSQL, again on its data directory (it recovers from its write-ahead log). */
    static Supervisor.Child postgres(Postgres postgres) {
        return new Supervisor.Child() {
            @Override
            public String name() {
                return "postgresql";
            }

            @Override
            public void restart() {
                postgres.start();
            }

            @Override
            public Optional<ProcessHandle> process() {
                return postgres.postmaster();
            }

            @Override
            public String exitDescription() {
                return "exit status unknown (pg_ctl started the postmaster, so it is not this JVM's child)";
            }

            @Override
            public Path logFile() {
                return postgres.logFile();
            }
        };
    }

    /** The Kafka broker, again on its log directory and ports. */
    static Supervisor.Child kafka(KafkaBroker kafka) {
        return new Supervisor.Child() {
            @Override
            public String name() {
                return "kafka";
            }

            @Override
            public void restart() {
                kafka.start();
            }

            @Override
            public Optional<ProcessHandle> process() {
                return kafka.process().map(ChildProcess::handle);
            }

            @Override
            public String exitDescription() {
                return kafka.process().map(ChildProcess::exitDescription).orElse("stopped");
            }

            @Override
            public Path logFile() {
                return kafka.logFile();
            }
        };
    }

    /**
     * The schema registry, with BACKWARD compatibility and every schema registered again (the ids do not change
     * with PostgreSQL storage; in memory the schemas are gone with the process).
     */
    static Supervisor.Child registry(ApicurioRegistry registry) {
        return new Supervisor.Child() {
            @Override
            public String name() {
                return "apicurio-registry";
            }

            @Override
            public void restart() {
                registry.start();
                Provisioning.requireBackwardCompatibility(registry);
                Provisioning.registerSchemas(registry);
            }

            @Override
            public Optional<ProcessHandle> process() {
                return registry.process().map(ChildProcess::handle);
            }

            @Override
            public String exitDescription() {
                return registry.process().map(ChildProcess::exitDescription).orElse("stopped");
            }

            @Override
            public Path logFile() {
                return registry.logFile();
            }
        };
    }

    /** A service, started again with the same jar, port and environment, and awaited until ready. */
    static final class Service implements Supervisor.Child {

        private final String name;
        private final Path jar;
        private final int port;
        private final int managementPort;
        private final Map<String, String> environment;
        private final Path workingDirectory;
        private final Path logFile;
        private final String maxHeap;
        private final Duration readyTimeout;
        private volatile ServiceProcess current;

        Service(
                String name,
                Path jar,
                int port,
                int managementPort,
                Map<String, String> environment,
                Path workingDirectory,
                Path logFile,
                String maxHeap,
                Duration readyTimeout) {
            this.name = name;
            this.jar = jar;
            this.port = port;
            this.managementPort = managementPort;
            this.environment = Map.copyOf(environment);
            this.workingDirectory = workingDirectory;
            this.logFile = logFile;
            this.maxHeap = maxHeap;
            this.readyTimeout = readyTimeout;
        }

        /** Starts the process; {@link #awaitReady()} waits for it. */
        Service start() {
            current = ServiceProcess.start(
                    name, jar, port, managementPort, environment, workingDirectory, logFile, maxHeap);
            return this;
        }

        void awaitReady() {
            current.awaitReady(readyTimeout);
        }

        @Override
        public synchronized void restart() {
            start();
            try {
                awaitReady();
            } catch (RuntimeException e) {
                current.stop(Duration.ofSeconds(5));
                throw e;
            }
        }

        /** SIGTERM, then SIGKILL of its process tree after {@code grace}. */
        void stop(Duration grace) {
            ServiceProcess process = current;
            if (process != null) {
                process.stop(grace);
            }
        }

        @Override
        public String name() {
            return name;
        }

        int port() {
            return port;
        }

        /** Health and metrics, no credentials. */
        int managementPort() {
            return managementPort;
        }

        long pid() {
            return current.pid();
        }

        @Override
        public Optional<ProcessHandle> process() {
            ServiceProcess process = current;
            return process == null
                    ? Optional.empty()
                    : Optional.of(process.process().handle());
        }

        @Override
        public String exitDescription() {
            ServiceProcess process = current;
            return process == null ? "stopped" : process.process().exitDescription();
        }

        @Override
        public Path logFile() {
            return logFile;
        }
    }
}
