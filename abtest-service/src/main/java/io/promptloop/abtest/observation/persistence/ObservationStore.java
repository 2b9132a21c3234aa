package io.promptloop.abtest.observation.persistence;

import io.promptloop.abtest.analysis.domain.CoMoments;
import io.promptloop.abtest.analysis.domain.LatencyDigest;
import io.promptloop.abtest.analysis.domain.Metric;
import io.promptloop.abtest.analysis.domain.Moments;
import io.promptloop.abtest.experiment.persistence.ExperimentRepository.Phase;
import io.promptloop.abtest.observation.domain.Observation;
import io.promptloop.abtest.observation.domain.RecentEventIds;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

/**
 * Counts observations exactly once without a row per observation: a batch's sums and each of its partitions' next
 * offset (and the event ids it counted, the de-duplication window) change in one transaction, so a redelivered batch
 * finds its offsets already passed and counts nothing. The sums take one UPDATE per (test, variant, phase) per batch,
 * in one lock order for every transaction. {@code observation_ledger} is no longer written (changelog 014).
 */
@Repository
public class ObservationStore {

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

    /** Where a consumer group reads a topic: the key of a partition's stored offset and de-duplication window. */
    public record Source(String consumerGroup, String topic) {}

    /**
     * A partition's part of a counted batch.
     *
     * @param storedNextOffset the partition's next offset as locked by {@link #lockNextOffsets}, -1 when it had none
     * @param nextOffset the offset after the batch's last record of this partition
     * @param counted the event ids counted (the window's new batch), in offset order; empty: no window row
     * @param firstOffset the offset of the first record of the batch in this partition not counted before
     * @param keptFrom the window keeps the batches starting at or after this offset (older rows are deleted)
     */
    public record Advance(
            int partition,
            long storedNextOffset,
            long nextOffset,
            long firstOffset,
            List<UUID> counted,
            long keptFrom) {}

    /** A stored batch of the de-duplication window. */
    public record StoredBatch(long firstOffset, byte[] eventIds) {}

    /**
     * Locks the stored positions of {@code partitions} (in partition order, one lock order for every consumer) for
     * the rest of the transaction, so that two consumers that both believe they own a partition (a revoked one that
     * has not noticed yet) count its records one after the other, the second skipping what the first counted.
     *
     * @return each partition's next offset to count; partitions without a stored position are absent
     */
    public Map<Integer, Long> lockNextOffsets(Source source, Collection<Integer> partitions) {
        return storedNextOffsets(source, partitions, true);
    }

    /** The stored next offsets of {@code partitions} (no lock): where a consumer seeks on assignment. */
    public Map<Integer, Long> nextOffsets(Source source, Collection<Integer> partitions) {
        return storedNextOffsets(source, partitions, false);
    }

    /** The stored next offsets of {@code partitions}, with {@code lock} row-locked in partition order. */
    private Map<Integer, Long> storedNextOffsets(Source source, Collection<Integer> partitions, boolean lock) {
        Map<Integer, Long> stored = new HashMap<>();
        jdbc.query(
                "SELECT partition, next_offset FROM abtest.observation_offsets WHERE consumer_group = ? AND topic = ?"
                        + " AND partition = ANY(?)" + (lock ? " ORDER BY partition FOR UPDATE" : ""),
                rs -> {
                    stored.put(rs.getInt(1), rs.getLong(2));
                },
                source.consumerGroup(),
                source.topic(),
                partitions.toArray(Integer[]::new));
        return stored;
    }

    /** The stored de-duplication window of a partition, oldest batch first. */
    public List<StoredBatch> window(Source source, int partition) {
        return jdbc.query(
                "SELECT first_offset, event_ids FROM abtest.observation_event_ids WHERE consumer_group = ? AND topic = ?"
                        + " AND partition = ? ORDER BY first_offset",
                (rs, i) -> new StoredBatch(rs.getLong(1), rs.getBytes(2)),
                source.consumerGroup(),
                source.topic(),
                partition);
    }

    /**
     * Adds a batch's observations to the statistics and moves its partitions' next offsets (and windows) on; call
     * in the transaction of {@link #lockNextOffsets}.
     *
     * @throws PartitionClaimedException when a partition that had no stored position got one from another consumer
     *     meanwhile (the transaction must roll back; the batch is read again)
     */
    @Transactional
    public void count(Source source, List<Countable> batch, List<Advance> advances) {
        Map<Key, Delta> deltas = new TreeMap<>(Key.ORDER);
        for (Countable c : batch) {
            Observation o = c.observation();
            deltas.computeIfAbsent(new Key(o.testId(), o.variant(), c.phase()), k -> new Delta())
                    .add(o, c.metric());
        }
        // A batch waits for each round trip to PostgreSQL, so statements of one kind go as one JDBC batch (pgjdbc
        // sends them together): per batch about ten round trips instead of three per (test, variant, phase) and three
        // per partition.
        Map<Phase, Map<Key, Delta>> byTable = new TreeMap<>();
        deltas.forEach((k, d) -> byTable.computeIfAbsent(k.phase(), p -> new TreeMap<>(Key.ORDER))
                .put(k, d));
        byTable.forEach((phase, rows) -> jdbc.batchUpdate(
                "INSERT INTO abtest." + phase.table()
                        + " (test_id, variant) VALUES (?, ?::abtest.ab_test_variant) ON CONFLICT DO NOTHING",
                rows.keySet().stream()
                        .map(k -> new Object[] {k.testId(), k.variant()})
                        .toList()));
        // every transaction locks the rows table by table, each table's rows in PostgreSQL's (test_id, variant)
        // order (LockRows runs above the sort): one lock order for all of them
        Map<String, List<Object[]>> updates = new LinkedHashMap<>();
        byTable.forEach((phase, rows) -> {
            Map<Key, byte[]> stored = lockDigests(phase, rows.keySet());
            rows.forEach((key, d) -> update(key, d, stored.get(key), updates));
        });
        updates.forEach(jdbc::batchUpdate);
        advance(source, advances);
    }

    /** Locks the statistics rows of {@code keys} (all of {@code phase}) and reads their latency digests. */
    private Map<Key, byte[]> lockDigests(Phase phase, Collection<Key> keys) {
        List<Object> params = new ArrayList<>();
        List<String> pairs = new ArrayList<>();
        for (Key k : keys) {
            pairs.add("(?::uuid, ?::abtest.ab_test_variant)");
            params.add(k.testId());
            params.add(k.variant());
        }
        Map<Key, byte[]> stored = new HashMap<>();
        jdbc.query(
                "SELECT test_id, variant::text, latency_digest FROM abtest." + phase.table()
                        + " WHERE (test_id, variant) IN (" + String.join(", ", pairs) + ")"
                        + " ORDER BY test_id, variant FOR UPDATE",
                rs -> {
                    stored.put(new Key(rs.getObject(1, UUID.class), rs.getString(2), phase), rs.getBytes(3));
                },
                params.toArray());
        if (stored.size() != keys.size()) {
            throw new IllegalStateException(
                    "statistics rows missing after their insert: " + keys + " found " + stored.keySet());
        }
        return stored;
    }

    private void advance(Source source, List<Advance> advances) {
        List<Advance> claiming =
                advances.stream().filter(a -> a.storedNextOffset() < 0).toList();
        if (!claiming.isEmpty()) {
            int[] inserted = jdbc.batchUpdate(
                    "INSERT INTO abtest.observation_offsets (consumer_group, topic, partition, next_offset) VALUES"
                            + " (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                    claiming.stream()
                            .map(a ->
                                    new Object[] {source.consumerGroup(), source.topic(), a.partition(), a.nextOffset()
                                    })
                            .toList());
            for (int i = 0; i < inserted.length; i++) {
                if (inserted[i] == 0)
                    throw new PartitionClaimedException(source, claiming.get(i).partition());
            }
        }
        List<Object[]> moved = advances.stream()
                .filter(a -> a.storedNextOffset() >= 0)
                .map(a -> new Object[] {a.nextOffset(), source.consumerGroup(), source.topic(), a.partition()})
                .toList();
        batchUpdate(
                "UPDATE abtest.observation_offsets SET next_offset = ?, updated_at = now() WHERE consumer_group = ?"
                        + " AND topic = ? AND partition = ?",
                moved);
        List<Object[]> windows = advances.stream()
                .filter(a -> !a.counted().isEmpty())
                .map(a -> new Object[] {
                    source.consumerGroup(),
                    source.topic(),
                    a.partition(),
                    a.firstOffset(),
                    a.nextOffset() - 1,
                    RecentEventIds.toBytes(a.counted())
                })
                .toList();
        batchUpdate(
                "INSERT INTO abtest.observation_event_ids (consumer_group, topic, partition, first_offset,"
                        + " last_offset, event_ids) VALUES (?, ?, ?, ?, ?, ?)",
                windows);
        List<Object[]> pruned = advances.stream()
                .filter(a -> a.keptFrom() > 0)
                .map(a -> new Object[] {source.consumerGroup(), source.topic(), a.partition(), a.keptFrom()})
                .toList();
        batchUpdate(
                "DELETE FROM abtest.observation_event_ids WHERE consumer_group = ? AND topic = ? AND partition = ?"
                        + " AND first_offset < ?",
                pruned);
    }

    /** One JDBC batch of {@code sql} over {@code rows}; nothing is sent when there are none. */
    private void batchUpdate(String sql, List<Object[]> rows) {
        if (!rows.isEmpty()) jdbc.batchUpdate(sql, rows);
    }

    /** Another consumer stored a position for a partition this one found without any: the batch is read again. */
    public static final class PartitionClaimedException extends IllegalStateException {
        PartitionClaimedException(Source source, int partition) {
            super("partition " + partition + " of " + source.topic()
                    + " got a stored position from another consumer of " + source.consumerGroup()
                    + " meanwhile; the batch is read again");
        }
    }

    /** Adds the UPDATE of a row (its digest {@code stored}, locked) to {@code updates}, by statement text. */
    private static void update(Key key, Delta d, byte[] stored, Map<String, List<Object[]>> updates) {
        LatencyDigest digest = LatencyDigest.fromBytes(stored).merge(d.digest());
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
        updates.computeIfAbsent(
                        "UPDATE abtest." + key.phase().table() + " SET " + String.join(", ", set)
                                + " WHERE test_id = ? AND variant = ?::abtest.ab_test_variant",
                        sql -> new ArrayList<>())
                .add(params.toArray());
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
        /* the batch's latencies, made into a digest once per batch: LatencyDigest is immutable, and adding one at a
        time copied its counts per observation (the intake's largest allocation in a JFR profile) */
        long[] latencies = new long[64];
        int latencyCount;
        CoMoments covariate = CoMoments.EMPTY;
        CoMoments ratio = CoMoments.EMPTY;

        void add(Observation o, Metric metric) {
            n++;
            if (o.success()) successes++;
            if (o.score() != null) score = score.add(o.score());
            if (o.latencyMs() != null) {
                latency = latency.add(o.latencyMs());
                if (latencyCount == latencies.length) latencies = Arrays.copyOf(latencies, 2 * latencyCount);
                latencies[latencyCount++] = o.latencyMs();
            }
            Double y = metricValue(o, metric);
            // pairs only where both exist; the analysis fills in the rest (Analyzer.cupedArms)
            if (y != null && o.covariate() != null) covariate = covariate.add(o.covariate(), y);
            if (o.ratioNumerator() != null && o.ratioDenominator() != null) {
                ratio = ratio.add(o.ratioNumerator(), o.ratioDenominator());
            }
        }

        LatencyDigest digest() {
            return LatencyDigest.of(Arrays.copyOf(latencies, latencyCount));
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
