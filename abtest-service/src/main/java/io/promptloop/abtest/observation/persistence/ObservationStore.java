package io.promptloop.abtest.observation.persistence;

import io.promptloop.abtest.analysis.domain.LatencyDigest;
import io.promptloop.abtest.analysis.domain.Moments;
import io.promptloop.abtest.experiment.persistence.ExperimentRepository.Phase;
import io.promptloop.abtest.observation.domain.Observation;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

/**
 * Counts observations exactly once: each event id enters {@code observation_ledger} once (ON CONFLICT DO
 * NOTHING), and only the inserts that took effect are added to the sufficient statistics — in the same
 * transaction, so a redelivered batch, a producer re-send or a kill at any instant cannot count twice.
 */
@Repository
public class ObservationStore {

    private static final String LEDGER_INSERT = "INSERT INTO abtest.observation_ledger (event_id, test_id, variant,"
            + " occurred_at) SELECT e, t, v::abtest.ab_test_variant, o::timestamptz FROM unnest(?::uuid[], ?::uuid[], ?::text[],"
            + " ?::text[]) AS u(e, t, v, o) ON CONFLICT (event_id) DO NOTHING RETURNING event_id";

    private final JdbcTemplate jdbc;

    public ObservationStore(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** An observation to count, with the phase its test was in when it occurred. */
    public record Countable(Observation observation, Phase phase) {}

    /** @return how many observations were counted (the others had been counted before) */
    @Transactional
    public int count(List<Countable> batch) {
        if (batch.isEmpty()) return 0;
        Set<UUID> inserted = insertLedger(batch);
        Map<Key, Delta> deltas = new TreeMap<>(Key.ORDER); // one lock order for every transaction
        int counted = 0;
        for (Countable c : batch) {
            Observation o = c.observation();
            // remove: an event id sent twice within one batch is inserted (and counted) once
            if (!inserted.remove(o.eventId())) continue;
            counted++;
            deltas.computeIfAbsent(new Key(o.testId(), o.variant(), c.phase()), k -> new Delta())
                    .add(o);
        }
        deltas.forEach(this::apply);
        return counted;
    }

    /** One statement per batch; RETURNING names the event ids that were not in the ledger yet. */
    private Set<UUID> insertLedger(List<Countable> batch) {
        return jdbc.execute((ConnectionCallback<Set<UUID>>) connection -> {
            int n = batch.size();
            Object[] ids = new Object[n];
            Object[] tests = new Object[n];
            Object[] variants = new Object[n];
            Object[] times = new Object[n];
            for (int i = 0; i < n; i++) {
                Observation o = batch.get(i).observation();
                ids[i] = o.eventId();
                tests[i] = o.testId();
                variants[i] = o.variant();
                times[i] = o.occurredAt().toString(); // ISO-8601 in UTC: no time-zone guessing
            }
            Set<UUID> returned = new HashSet<>();
            try (PreparedStatement ps = connection.prepareStatement(LEDGER_INSERT)) {
                ps.setArray(1, connection.createArrayOf("uuid", ids));
                ps.setArray(2, connection.createArrayOf("uuid", tests));
                ps.setArray(3, connection.createArrayOf("text", variants));
                ps.setArray(4, connection.createArrayOf("text", times));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) returned.add(rs.getObject(1, UUID.class));
                }
            }
            return returned;
        });
    }

    private void apply(Key key, Delta d) {
        String table = "abtest." + key.phase().table();
        jdbc.update(
                "INSERT INTO " + table
                        + " (test_id, variant) VALUES (?, ?::abtest.ab_test_variant) ON CONFLICT DO NOTHING",
                key.testId(),
                key.variant());
        byte[] stored = jdbc.queryForObject(
                "SELECT latency_digest FROM " + table + " WHERE test_id = ? AND variant = ?::abtest.ab_test_variant"
                        + " FOR UPDATE",
                byte[].class,
                key.testId(),
                key.variant());
        LatencyDigest digest = LatencyDigest.fromBytes(stored).merge(d.digest);
        // Chan et al.: M2 = M2_A + M2_B + δ²·n_A·n_B/(n_A + n_B), δ = mean_B − mean_A, with the row's old values
        // on the right-hand side (PostgreSQL evaluates every SET expression against the row before the update).
        jdbc.update(
                "UPDATE " + table + " SET n = n + ?, successes = successes + ?, score_n = score_n + ?,"
                        + " score_sum = score_sum + ?, score_m2 = " + merged("score") + ", latency_n = latency_n + ?,"
                        + " latency_sum = latency_sum + ?, latency_m2 = " + merged("latency") + ", latency_digest = ?,"
                        + " latency_quantiles = ?::jsonb, updated_at = now()"
                        + " WHERE test_id = ? AND variant = ?::abtest.ab_test_variant",
                d.n,
                d.successes,
                d.score.n(),
                d.score.sum(),
                d.score.m2(),
                d.score.n() == 0 ? 0.0 : d.score.mean(),
                d.score.n(),
                d.score.n(),
                d.latency.n(),
                d.latency.sum(),
                d.latency.m2(),
                d.latency.n() == 0 ? 0.0 : d.latency.mean(),
                d.latency.n(),
                d.latency.n(),
                digest.toBytes(),
                quantiles(digest),
                key.testId(),
                key.variant());
    }

    /** SQL merging a batch's (M2, mean, n, n) — four parameters — into the row's centred moments of {@code prefix}. */
    static String merged(String prefix) {
        String n = prefix + "_n";
        return prefix + "_m2 + ?::float8 + CASE WHEN " + n + " = 0 THEN 0 ELSE power(?::float8 - " + prefix + "_sum / "
                + n + ", 2) * " + n + "::float8 * ?::float8 / (" + n + " + ?::bigint) END";
    }

    static String quantiles(LatencyDigest digest) {
        if (digest.count() == 0) return null;
        List<String> parts = new ArrayList<>();
        for (var q : List.of(Map.entry("p50", 0.5), Map.entry("p95", 0.95), Map.entry("p99", 0.99))) {
            parts.add("\"" + q.getKey() + "\": " + Math.round(digest.quantile(q.getValue())));
        }
        return "{" + String.join(", ", parts) + "}";
    }

    private record Key(UUID testId, String variant, Phase phase) {
        static final Comparator<Key> ORDER =
                Comparator.comparing(Key::testId).thenComparing(Key::variant).thenComparing(Key::phase);
    }

    private static final class Delta {
        long n;
        long successes;
        Moments score = Moments.EMPTY;
        Moments latency = Moments.EMPTY;
        LatencyDigest digest = LatencyDigest.empty();

        void add(Observation o) {
            n++;
            if (o.success()) successes++;
            if (o.score() != null) score = score.add(o.score());
            if (o.latencyMs() != null) {
                latency = latency.add(o.latencyMs());
                digest = digest.add(o.latencyMs());
            }
        }
    }
}
