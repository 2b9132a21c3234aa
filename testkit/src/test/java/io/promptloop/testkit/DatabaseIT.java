package io.promptloop.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/** Liquibase migrations through the command API, and the service logins created after them. */
@PromptloopIntegrationTest
class DatabaseIT {

    private static final String TEST_CHANGELOG = "testkit-it/changelog.yaml";

    private final PromptloopInfrastructure infrastructure;

    DatabaseIT(PromptloopInfrastructure infrastructure) {
        this.infrastructure = infrastructure;
    }

    @Test
    void shouldApplyAChangelogFromTheClasspathOnceEvenWhenRunTwice() throws Exception {
        Provisioning.migrate(infrastructure.superuserLogin(), TEST_CHANGELOG);
        Provisioning.migrate(infrastructure.superuserLogin(), TEST_CHANGELOG);

        try (Connection connection = connect(infrastructure.superuserLogin());
                Statement statement = connection.createStatement()) {
            assertThat(count(statement, "SELECT count(*) FROM testkit_it.migrated"))
                    .isEqualTo(1);
            assertThat(count(
                            statement,
                            "SELECT count(*) FROM databasechangelog WHERE filename = '" + TEST_CHANGELOG + "'"))
                    .isEqualTo(2);
        }
    }

    @Test
    void shouldCreateALoginPerServiceThatInheritsItsGroupRole() throws Exception {
        assumeThat(getClass().getClassLoader().getResource(Provisioning.CHANGELOG))
                .as("the changelog of module schemas is on the classpath")
                .isNotNull();

        for (ServiceLogin login : ServiceLogin.values()) {
            DatabaseLogin databaseLogin = infrastructure.databaseLogin(login.loginName());
            try (Connection connection = connect(databaseLogin);
                    PreparedStatement statement =
                            connection.prepareStatement("SELECT current_user, pg_has_role(current_user, ?, 'USAGE')")) {
                statement.setString(1, login.groupRole());
                try (ResultSet rs = statement.executeQuery()) {
                    rs.next();
                    assertThat(rs.getString(1)).isEqualTo(login.loginName());
                    assertThat(rs.getBoolean(2)).as(login.groupRole()).isTrue();
                }
            }
        }
    }

    @Test
    void shouldCreateServiceLoginsIdempotentlyWithNewPasswords() throws Exception {
        assumeThat(getClass().getClassLoader().getResource(Provisioning.CHANGELOG))
                .isNotNull();

        try {
            var again = Provisioning.createServiceLogins(infrastructure.superuserLogin(), login -> "changed-" + login);

            assertThat(again).containsOnlyKeys(ServiceLogin.values());
            DatabaseLogin analyst = again.get(ServiceLogin.ANALYST);
            assertThat(analyst.password()).isEqualTo("changed-ANALYST");
            connect(analyst).close();
        } finally {
            Provisioning.createServiceLogins(
                    infrastructure.superuserLogin(),
                    login -> infrastructure.databaseLogin(login).password());
        }
    }

    @Test
    void shouldRefuseALoginWithTheWrongPassword() {
        assumeThat(getClass().getClassLoader().getResource(Provisioning.CHANGELOG))
                .isNotNull();
        DatabaseLogin ingest = infrastructure.databaseLogin("ingest_app");

        assertThatThrownBy(() -> connect(new DatabaseLogin(ingest.jdbcUrl(), ingest.user(), "wrong")))
                .isInstanceOfSatisfying(
                        SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("28P01")); // invalid_password
    }

    private static Connection connect(DatabaseLogin login) throws SQLException {
        return DriverManager.getConnection(login.jdbcUrl(), login.user(), login.password());
    }

    private static long count(Statement statement, String sql) throws SQLException {
        try (ResultSet rs = statement.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
