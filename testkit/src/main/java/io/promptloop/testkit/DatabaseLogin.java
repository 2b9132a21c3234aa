package io.promptloop.testkit;

import java.util.Objects;

/**
 * How one role logs in to the promptloop database: what a service's {@code spring.datasource.*} needs.
 *
 * @param jdbcUrl JDBC URL of the database
 * @param user role name
 * @param password the role's password
 */
public record DatabaseLogin(String jdbcUrl, String user, String password) {

    public DatabaseLogin {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
    }

    /** Masks the password: logins end up in test reports. */
    @Override
    public String toString() {
        return "DatabaseLogin[jdbcUrl=" + jdbcUrl + ", user=" + user + ", password=***]";
    }
}
