package io.promptloop.testkit;

import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.lifecycle.Startable;
import org.testcontainers.lifecycle.Startables;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * The same three servers as Docker containers, for machines that have Docker and want to try other images.
 * Needs {@code org.testcontainers:testcontainers-kafka} and {@code testcontainers-postgresql} on the test
 * classpath (optional dependencies of the testkit). Containers cannot keep their mapped ports across a
 * restart, so fault injection is not offered; use the embedded mode for such tests.
 */
final class TestcontainersInfrastructure implements Infrastructure {

    static final String APICURIO_IMAGE = "apicurio/apicurio-registry:";
    static final String POSTGRES_IMAGE = "postgres:17";
    static final String KAFKA_IMAGE = "apache/kafka:";

    private final KafkaContainer kafkaContainer;
    private final PostgreSQLContainer postgresContainer;
    private final GenericContainer<?> registryContainer;
    private final ManagedKafka kafka;
    private final ManagedPostgres postgres;
    private final ManagedRegistry registry;

    private TestcontainersInfrastructure(
            KafkaContainer kafkaContainer,
            PostgreSQLContainer postgresContainer,
            GenericContainer<?> registryContainer) {
        this.kafkaContainer = kafkaContainer;
        this.postgresContainer = postgresContainer;
        this.registryContainer = registryContainer;
        this.kafka = new ContainerKafka();
        this.postgres = new ContainerPostgres();
        this.registry = () -> "http://" + registryContainer.getHost() + ":" + registryContainer.getMappedPort(8080);
    }

    static TestcontainersInfrastructure start() {
        TestkitBuild build = TestkitBuild.load();
        KafkaContainer kafka = new KafkaContainer(KAFKA_IMAGE + build.kafkaVersion())
                .withEnv("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false")
                .withEnv("KAFKA_NUM_PARTITIONS", "3")
                .withEnv("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0");
        PostgreSQLContainer postgres = new PostgreSQLContainer(POSTGRES_IMAGE)
                .withDatabaseName(EmbeddedInfrastructure.DATABASE)
                .withUsername("postgres")
                .withPassword("postgres")
                .withCommand(
                        "postgres",
                        "-c",
                        "fsync=off",
                        "-c",
                        "synchronous_commit=off",
                        "-c",
                        "full_page_writes=off",
                        "-c",
                        "max_connections=200");
        GenericContainer<?> registry = new GenericContainer<>(APICURIO_IMAGE + build.apicurioVersion())
                .withExposedPorts(8080, 9000)
                .waitingFor(Wait.forHttp("/health/ready").forPort(9000).withStartupTimeout(Duration.ofMinutes(3)));
        TestcontainersInfrastructure infrastructure = new TestcontainersInfrastructure(kafka, postgres, registry);
        try {
            Startables.deepStart(Stream.of(kafka, postgres, registry)).join();
        } catch (RuntimeException e) {
            infrastructure.close();
            throw new IllegalStateException(
                    "containers did not start (" + InfrastructureMode.VARIABLE
                            + "=testcontainers needs a Docker engine): " + e.getMessage(),
                    e);
        }
        return infrastructure;
    }

    @Override
    public ManagedKafka kafka() {
        return kafka;
    }

    @Override
    public ManagedPostgres postgres() {
        return postgres;
    }

    @Override
    public ManagedRegistry registry() {
        return registry;
    }

    private final class ContainerKafka implements ManagedKafka {
        @Override
        public String bootstrapServers() {
            return kafkaContainer.getBootstrapServers();
        }

        @Override
        public void stop() {
            throw unsupported();
        }

        @Override
        public void start() {
            throw unsupported();
        }
    }

    private final class ContainerPostgres implements ManagedPostgres {
        @Override
        public String jdbcUrl() {
            return postgresContainer.getJdbcUrl();
        }

        @Override
        public DatabaseLogin superuser() {
            return new DatabaseLogin(
                    postgresContainer.getJdbcUrl(), postgresContainer.getUsername(), postgresContainer.getPassword());
        }

        @Override
        public void stop() {
            throw unsupported();
        }

        @Override
        public void start() {
            throw unsupported();
        }
    }

    @Override
    public void close() {
        for (Startable container : List.<Startable>of(registryContainer, kafkaContainer, postgresContainer)) {
            try {
                container.stop();
            } catch (RuntimeException e) {
                // stopping the rest matters more than this one's error; Ryuk removes leftovers
            }
        }
    }

    private static UnsupportedOperationException unsupported() {
        return new UnsupportedOperationException("containers cannot be stopped and started again on the same ports ("
                + InfrastructureMode.VARIABLE + "=testcontainers): run fault-injection tests with the embedded "
                + "infrastructure");
    }
}
