package io.promptloop.benchmarks;

import io.promptloop.avro.observation.ObservationRecorded;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The least database work that counts each observation exactly once, done directly by JDBC on the same PostgreSQL
 * as the service, into fresh copies of {@code abtest.observation_ledger} and {@code abtest.variant_statistics}
 * (with their foreign keys to {@code abtest.prompt_ab_tests}): per batch of {@value #BATCH} observations of one
 * test, insert the event ids into the ledger with ON CONFLICT DO NOTHING, learn which inserts took effect, add
 * only those to the sums with one UPDATE per (test, variant), commit. No latency digest, no test lookup, no Kafka,
 * no Avro decoding. Rows are built (events generated) outside the clock.
 */
final class ObservationBaselines {

    /** Observations per transaction: the service's max-poll-records. */
    static final int BATCH = 1_000;
    /** JDBC batch size of the service's ledger insert (JdbcTemplate.batchUpdate(.., 500, ..)). */
    static final int JDBC_BATCH = 500;

    static final String LEDGER = "bench.observation_ledger";
    static final String STATISTICS = "bench.variant_statistics";

    private ObservationBaselines() {}

    record Row(
            UUID eventId,
            UUID testId,
            String variant,
            Timestamp occurredAt,
            double score,
            long latency,
            boolean success) {
        static Row of(ObservationRecorded o) {
            return new Row(
                    UUID.fromString(o.getEventId()),
                    UUID.fromString(o.getTestId()),
                    o.getVariant(),
                    Timestamp.from(o.getOccurredAt()),
                    o.getScore(),
                    o.getLatencyMs(),
                    o.getSuccess());
        }
    }

    record Result(String method, long rows, long counted, double seconds) {
        double rowsPerSecond() {
            return rows / seconds;
        }
    }

    @FunctionalInterface
    interface BatchWriter {
        /** Writes one batch (one transaction); returns how many observations were counted. */
        int write(Connection connection, List<Row> rows) throws SQLException;
    }

    /** Fresh, empty bench tables, with a zero statistics row per (test, variant) (outside the clock). */
    static void createTables(Connection su, List<Observations.Test> tests) throws SQLException {
        try (Statement s = su.createStatement()) {
            s.execute("CREATE SCHEMA IF NOT EXISTS bench");
            s.execute("DROP TABLE IF EXISTS " + LEDGER);
            s.execute("DROP TABLE IF EXISTS " + STATISTICS);
            s.execute("CREATE TABLE " + LEDGER + " (LIKE abtest.observation_ledger INCLUDING ALL)");
            s.execute("ALTER TABLE " + LEDGER + " ADD FOREIGN KEY (test_id) REFERENCES abtest.prompt_ab_tests"
                    + " (test_id) ON DELETE CASCADE");
            s.execute("CREATE TABLE " + STATISTICS + " (LIKE abtest.variant_statistics INCLUDING ALL)");
            s.execute("ALTER TABLE " + STATISTICS + " ADD FOREIGN KEY (test_id) REFERENCES abtest.prompt_ab_tests"
                    + " (test_id) ON DELETE CASCADE");
        }
        try (PreparedStatement ps = su.prepareStatement(
                "INSERT INTO " + STATISTICS + " (test_id, variant) VALUES (?, ?::abtest.ab_test_variant)")) {
            for (Observations.Test t : tests) {
                for (String variant : List.of("baseline", "treatment")) {
                    ps.setObject(1, t.id());
                    ps.setString(2, variant);
                    ps.addBatch();
                }
            }
            ps.executeBatch();
        }
    }

    /**
     * Runs a writer over all observations, test by test (one partition's stream at a time, as the service's
     * single consumer mostly gets them), in batches of {@value #BATCH}; only the writer is on the clock.
     */
    static Result run(String method, Connection connection, Observations observations, long count, BatchWriter writer)
            throws SQLException {
        connection.setAutoCommit(false);
        int tests = observations.tests().size();
        long timed = 0;
        long counted = 0;
        List<Row> rows = new ArrayList<>(BATCH);
        for (int t = 0; t < tests; t++) {
            for (long i = t; i < count; ) {
                rows.clear();
                while (i < count && rows.size() < BATCH) {
                    rows.add(Row.of(observations.observation(i)));
                    i += tests;
                }
                long started = System.nanoTime();
                counted += writer.write(connection, rows);
                timed += System.nanoTime() - started;
            }
        }
        return new Result(method, count, counted, timed / 1e9);
    }

    /** (a) The service's statement shape: JDBC batch INSERT .. ON CONFLICT DO NOTHING (per-row counts) + UPDATEs. */
    static BatchWriter jdbcBatch() {
        String insert = "INSERT INTO " + LEDGER + " (event_id, test_id, variant, occurred_at)"
                + " VALUES (?, ?, ?::abtest.ab_test_variant, ?) ON CONFLICT (event_id) DO NOTHING";
        return (connection, rows) -> {
            List<Row> inserted = new ArrayList<>(rows.size());
            try (PreparedStatement ps = connection.prepareStatement(insert)) {
                for (int from = 0; from < rows.size(); from += JDBC_BATCH) {
                    List<Row> chunk = rows.subList(from, Math.min(rows.size(), from + JDBC_BATCH));
                    for (Row r : chunk) {
                        ps.setObject(1, r.eventId());
                        ps.setObject(2, r.testId());
                        ps.setString(3, r.variant());
                        ps.setTimestamp(4, r.occurredAt());
                        ps.addBatch();
                    }
                    int[] counts = ps.executeBatch();
                    for (int k = 0; k < counts.length; k++) if (counts[k] > 0) inserted.add(chunk.get(k));
                }
            }
            update(connection, inserted);
            connection.commit();
            return inserted.size();
        };
    }

    /** (b) One statement per batch: INSERT .. SELECT FROM unnest(..) ON CONFLICT DO NOTHING RETURNING event_id. */
    static BatchWriter unnest() {
        String insert = "INSERT INTO " + LEDGER + " (event_id, test_id, variant, occurred_at)"
                + " SELECT e, t, v::abtest.ab_test_variant, o FROM unnest(?::uuid[], ?::uuid[], ?::text[],"
                + " ?::timestamptz[]) AS u(e, t, v, o) ON CONFLICT (event_id) DO NOTHING RETURNING event_id";
        return (connection, rows) -> {
            Object[] ids = new Object[rows.size()];
            Object[] tests = new Object[rows.size()];
            Object[] variants = new Object[rows.size()];
            Object[] times = new Object[rows.size()];
            for (int k = 0; k < ids.length; k++) {
                Row r = rows.get(k);
                ids[k] = r.eventId();
                tests[k] = r.testId();
                variants[k] = r.variant();
                times[k] = r.occurredAt();
            }
            Set<UUID> returned = new HashSet<>();
            try (PreparedStatement ps = connection.prepareStatement(insert)) {
                ps.setArray(1, connection.createArrayOf("uuid", ids));
                ps.setArray(2, connection.createArrayOf("uuid", tests));
                ps.setArray(3, connection.createArrayOf("text", variants));
                ps.setArray(4, connection.createArrayOf("timestamptz", times));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) returned.add(rs.getObject(1, UUID.class));
                }
            }
            List<Row> inserted = new ArrayList<>(returned.size());
            for (Row r : rows) if (returned.contains(r.eventId())) inserted.add(r);
            update(connection, inserted);
            connection.commit();
            return inserted.size();
        };
    }

    /** One UPDATE of the sums per (test, variant) of the counted rows, in one lock order. */
    private static void update(Connection connection, List<Row> inserted) throws SQLException {
        record Key(UUID test, String variant) {}
        Map<Key, double[]> sums =
                new TreeMap<>(java.util.Comparator.comparing(Key::test).thenComparing(Key::variant));
        for (Row r : inserted) {
            double[] s = sums.computeIfAbsent(new Key(r.testId(), r.variant()), k -> new double[6]);
            s[0]++;
            if (r.success()) s[1]++;
            s[2] += r.score();
            s[3] += r.score() * r.score();
            s[4] += r.latency();
            s[5] += (double) r.latency() * r.latency();
        }
        // centred moments as abtest-service keeps them (changelog 010): M2 merged by Chan et al.
        String scoreM2 = "score_m2 + ?::float8 + CASE WHEN score_n = 0 THEN 0 ELSE"
                + " power(?::float8 - score_sum / score_n, 2) * score_n::float8 * ?::float8 / (score_n + ?::bigint) END";
        String latencyM2 = scoreM2.replace("score_", "latency_");
        try (PreparedStatement ps = connection.prepareStatement("UPDATE " + STATISTICS
                + " SET n = n + ?, successes = successes + ?, score_n = score_n + ?, score_sum = score_sum + ?,"
                + " score_m2 = " + scoreM2 + ", latency_n = latency_n + ?, latency_sum = latency_sum + ?,"
                + " latency_m2 = " + latencyM2 + ", updated_at = now()"
                + " WHERE test_id = ? AND variant = ?::abtest.ab_test_variant")) {
            for (var e : sums.entrySet()) {
                double[] s = e.getValue();
                long n = (long) s[0];
                int i = 1;
                ps.setLong(i++, n);
                ps.setLong(i++, (long) s[1]);
                ps.setLong(i++, n);
                ps.setDouble(i++, s[2]);
                ps.setDouble(i++, Math.max(0, s[3] - s[2] * s[2] / n));
                ps.setDouble(i++, s[2] / n);
                ps.setLong(i++, n);
                ps.setLong(i++, n);
                ps.setLong(i++, n);
                ps.setDouble(i++, s[4]);
                ps.setDouble(i++, Math.max(0, s[5] - s[4] * s[4] / n));
                ps.setDouble(i++, s[4] / n);
                ps.setLong(i++, n);
                ps.setLong(i++, n);
                ps.setObject(i++, e.getKey().test());
                ps.setString(i, e.getKey().variant());
                if (ps.executeUpdate() != 1) throw new IllegalStateException("no statistics row for " + e.getKey());
            }
        }
    }
}
