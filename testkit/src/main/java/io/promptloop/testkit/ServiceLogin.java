package io.promptloop.testkit;

import java.util.Arrays;
import java.util.Optional;

/**
 * The LOGIN roles the testkit creates for services, each a member of the NOLOGIN group role that the
 * migrations grant its privileges to (one writer per schema, a read-only analyst; DESIGN.md "PostgreSQL").
 * Tests log in as these, never as the superuser, so a missing grant fails a test instead of production.
 */
public enum ServiceLogin {
    INGEST("ingest_app", "promptloop_ingest"),
    OPTIMIZER("optimizer_app", "promptloop_optimizer"),
    ABTEST("abtest_app", "promptloop_abtest"),
    ANALYST("analyst", "promptloop_analyst");

    private final String loginName;
    private final String groupRole;

    ServiceLogin(String loginName, String groupRole) {
        this.loginName = loginName;
        this.groupRole = groupRole;
    }

    public String loginName() {
        return loginName;
    }

    /** The group role created by the migrations whose privileges the login inherits. */
    public String groupRole() {
        return groupRole;
    }

    public static Optional<ServiceLogin> byLoginName(String loginName) {
        return Arrays.stream(values())
                .filter(login -> login.loginName.equals(loginName))
                .findFirst();
    }
}
