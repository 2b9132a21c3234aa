package io.promptloop.abtest.observation.persistence;

import io.promptloop.abtest.analysis.domain.CoMoments;
import io.promptloop.abtest.analysis.domain.LatencyDigest;
import io.promptloop.abtest.analysis.domain.Metric;
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

    /** An observation to count, with the phase its test was in when it occurred and the test's primary metric. */
    public record Countable(Observation observation, Phase phase, Metric metric) {

        /** A countable of a test whose primary metric is the score. */
        public Countable(Observation observation, Phase phase) {
            this(observation, phase, Metric.SCORE);
        }
    }

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
                    .add(o, c.metric());
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
        List<String> set = new ArrayList<>();
        List<Object> params = new ArrayList<>();
        set.add("n = n + ?");
        params.add(d.n);
        set.add("successes = successes + ?");
        params.add(d.successes);
        mergeMoments(set, params, "score", d.score);
        mergeMoments(set, params, "latency", d.latency);
        set.add("latency_digest = ?");
        params.add(digest.toBytes());
        set.add("latency_quantiles = ?::jsonb");
        params.add(quantiles(digest));
        mergeCoMoments(set, params, "covariate", d.covariate);
        mergeCoMoments(set, params, "ratio", d.ratio);
        set.add("updated_at = now()");
        params.add(key.testId());
        params.add(key.variant());
        jdbc.update(
                "UPDATE " + table + " SET " + String.join(", ", set)
                        + " WHERE test_id = ? AND variant = ?::abtest.ab_test_variant",
                params.toArray());
    }

    /** SET clauses adding a batch's moments to the row's {@code <prefix>_n, _sum, _m2}. */
    private static void mergeMoments(List<String> set, List<Object> params, String prefix, Moments m) {
        if (m.n() == 0) return;
        set.add(prefix + "_n = " + prefix + "_n + ?");
        params.add(m.n());
        set.add(prefix + "_sum = " + prefix + "_sum + ?");
        params.add(m.sum());
        set.add(prefix + "_m2 = " + merged(prefix));
        params.addAll(List.of(m.m2(), m.mean(), m.n(), m.n()));
    }

    /**
     * SET clauses adding a batch's co-moments to the row's {@code <prefix>_n, _x_sum, _y_sum, _x_m2, _y_m2, _xy}:
     * Chan et al. for both sums of squares and, for the cross term, C = C_A + C_B + δx·δy·n_A·n_B/n (Pébay 2008).
     */
    private static void mergeCoMoments(List<String> set, List<Object> params, String prefix, CoMoments m) {
        if (m.n() == 0) return;
        String n = prefix + "_n";
        String dx = "(?::float8 - " + prefix + "_x_sum / " + n + ")";
        String dy = "(?::float8 - " + prefix + "_y_sum / " + n + ")";
        String weight = n + "::float8 * ?::float8 / (" + n + " + ?::bigint)";
        set.add(n + " = " + n + " + ?");
        params.add(m.n());
        set.add(prefix + "_x_sum = " + prefix + "_x_sum + ?");
        params.add(m.sumX());
        set.add(prefix + "_y_sum = " + prefix + "_y_sum + ?");
        params.add(m.sumY());
        set.add(prefix + "_x_m2 = " + prefix + "_x_m2 + ?::float8 + CASE WHEN " + n + " = 0 THEN 0 ELSE power(" + dx
                + ", 2) * " + weight + " END");
        params.addAll(List.of(m.m2x(), m.meanX(), m.n(), m.n()));
        set.add(prefix + "_y_m2 = " + prefix + "_y_m2 + ?::float8 + CASE WHEN " + n + " = 0 THEN 0 ELSE power(" + dy
                + ", 2) * " + weight + " END");
        params.addAll(List.of(m.m2y(), m.meanY(), m.n(), m.n()));
        set.add(prefix + "_xy = " + prefix + "_xy + ?::float8 + CASE WHEN " + n + " = 0 THEN 0 ELSE " + dx + " * " + dy
                + " * " + weight + " END");
        params.addAll(List.of(m.cxy(), m.meanX(), m.meanY(), m.n(), m.n()));
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
        CoMoments covariate = CoMoments.EMPTY;
        CoMoments ratio = CoMoments.EMPTY;

        void add(Observation o, Metric metric) {
            n++;
            if (o.success()) successes++;
            if (o.score() != null) score = score.add(o.score());
            if (o.latencyMs() != null) {
                latency = latency.add(o.latencyMs());
                digest = digest.add(o.latencyMs());
            }
            Double y = metricValue(o, metric);
            // pairs only where both exist; the analysis fills in the rest (Analyzer.cupedArms)
            if (y != null && o.covariate() != null) covariate = covariate.add(o.covariate(), y);
            if (o.ratioNumerator() != null && o.ratioDenominator() != null) {
                ratio = ratio.add(o.ratioNumerator(), o.ratioDenominator());
            }
        }

        /** The observation's value of the test's primary metric, null when it has none (ratio: not paired). */
        private static Double metricValue(Observation o, Metric metric) {
            return switch (metric) {
                case SCORE -> o.score();
                case SUCCESS -> o.success() ? 1.0 : 0.0;
                case LATENCY_MS -> o.latencyMs() == null ? null : o.latencyMs().doubleValue();
                case RATIO -> null;
            };
        }
    }
}
