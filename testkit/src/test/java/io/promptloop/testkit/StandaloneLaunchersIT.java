package io.promptloop.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launchers as the dev stack uses them: fixed ports and data directories that outlive the launcher, so
 * a second launcher on the same directory finds the first one's data.
 */
class StandaloneLaunchersIT {

    @TempDir
    Path directory;

    @Test
    void shouldFindTopicsOfAnEarlierBrokerInTheSameDataDirectory() throws Exception {
        KafkaBroker.Settings settings = KafkaBroker.Settings.defaults()
                .withPorts(FreePorts.orFree(0), FreePorts.orFree(0))
                .withDataDirectory(directory.resolve("kafka"));
        try (KafkaBroker first = new KafkaBroker(settings)) {
            first.start();
            try (Admin admin = admin(first)) {
                admin.createTopics(List.of(new NewTopic("dev-stack-topic", 2, (short) 1)))
                        .all()
                        .get(30, TimeUnit.SECONDS);
            }
        }

        try (KafkaBroker second = new KafkaBroker(settings)) {
            second.start();
            try (Admin admin = admin(second)) {
                assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).contains("dev-stack-topic");
            }
            assertThat(second.bootstrapServers()).isEqualTo("127.0.0.1:" + settings.port());
            assertThat(second.logFile()).isEqualTo(directory.resolve("kafka").resolve("kafka.log"));
        }
        assertThat(directory.resolve("kafka").resolve("kafka-logs").resolve("meta.properties"))
                .exists();
    }

    @Test
    void shouldKeepRegistryArtifactsInPostgresAcrossRegistryRestarts() throws Exception {
        Postgres.Settings postgresSettings = Postgres.Settings.defaults()
                .withPort(FreePorts.orFree(0))
                .withDataDirectory(directory.resolve("postgres"))
                .withDatabase("registry");
        try (Postgres postgres = new Postgres(postgresSettings)) {
            postgres.start();
            try (ApicurioRegistry registry = new ApicurioRegistry(ApicurioRegistry.Settings.defaults()
                    .withWorkDirectory(directory.resolve("registry"))
                    .withSqlStorage(postgres.superuser()))) {
                registry.start();
                int id = new RegistryClient(registry)
                        .register("dev-stack-value", "{\"type\":\"record\",\"name\":\"D\",\"fields\":[]}");

                registry.stop();
                registry.start();

                RegistryClient client = new RegistryClient(registry);
                assertThat(client.subjects()).contains("dev-stack-value");
                assertThat(client.latestId("dev-stack-value")).isEqualTo(id);
                assertThat(client.globalCompatibility()).isEqualTo("BACKWARD");
            }
            postgres.stop();
            insertAfterRestart(postgres);
        }

        try (Postgres again = new Postgres(postgresSettings)) {
            again.start();
            try (Connection connection = connect(again);
                    Statement statement = connection.createStatement();
                    ResultSet rs = statement.executeQuery("SELECT note FROM dev_stack_note")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("kept");
            }
        }
        assertThat(Files.exists(directory.resolve("postgres").resolve("PG_VERSION")))
                .isTrue();
    }

    private static void insertAfterRestart(Postgres postgres) throws Exception {
        postgres.start();
        try (Connection connection = connect(postgres);
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE dev_stack_note (note text)");
            statement.execute("INSERT INTO dev_stack_note VALUES ('kept')");
        }
    }

    private static Connection connect(Postgres postgres) throws Exception {
        DatabaseLogin login = postgres.superuser();
        return DriverManager.getConnection(login.jdbcUrl(), login.user(), login.password());
    }

    private static Admin admin(KafkaBroker broker) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
    }
}
