package io.promptloop.abtest.observation.persistence;

import io.promptloop.abtest.analysis.domain.LatencyDigest;
import io.promptloop.abtest.analysis.domain.Moments;
import io.promptloop.abtest.experiment.persistence.ExperimentRepository.Phase;
import io.promptloop.abtest.observation.domain.Observation;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
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
        int[][] inserted = jdbc.batchUpdate(
                "INSERT INTO abtest.observation_ledger (event_id, test_id, variant, occurred_at)"
                        + " VALUES (?, ?, ?::abtest.ab_test_variant, ?) ON CONFLICT (event_id) DO NOTHING",
                batch,
                500,
                (ps, c) -> {
                    Observation o = c.observation();
                    ps.setObject(1, o.eventId());
                    ps.setObject(2, o.testId());
                    ps.setString(3, o.variant());
                    ps.setTimestamp(4, Timestamp.from(o.occurredAt()));
                });
        Map<Key, Delta> deltas = new TreeMap<>(Key.ORDER); // one lock order for every transaction
        int counted = 0;
        int i = 0;
        for (int[] chunk : inserted) {
            for (int rows : chunk) {
                Countable c = batch.get(i++);
                if (rows == 0) continue; // seen before
                counted++;
                Observation o = c.observation();
                deltas.computeIfAbsent(new Key(o.testId(), o.variant(), c.phase()), k -> new Delta())
                        .add(o);
            }
        }
        deltas.forEach(this::apply);
        return counted;
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
        jdbc.update(
                "UPDATE " + table + " SET n = n + ?, successes = successes + ?, score_n = score_n + ?,"
                        + " score_sum = score_sum + ?, score_sum_sq = score_sum_sq + ?, latency_n = latency_n + ?,"
                        + " latency_sum = latency_sum + ?, latency_sum_sq = latency_sum_sq + ?, latency_digest = ?,"
                        + " latency_quantiles = ?::jsonb, updated_at = now()"
                        + " WHERE test_id = ? AND variant = ?::abtest.ab_test_variant",
                d.n,
                d.successes,
                d.score.n(),
                d.score.sum(),
                d.score.sumSq(),
                d.latency.n(),
                d.latency.sum(),
                d.latency.sumSq(),
                digest.toBytes(),
                quantiles(digest),
                key.testId(),
                key.variant());
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
