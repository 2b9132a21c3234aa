package io.promptloop.testkit;

/** Quoting for the few statements that take no bind parameters (CREATE DATABASE, CREATE ROLE). */
final class Sql {

    private Sql() {}

    static String identifier(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    static String literal(String value) {
        return "'" + value.replace("'", "''") + "'";
    }
}
