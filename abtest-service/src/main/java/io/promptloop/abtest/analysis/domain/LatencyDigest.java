package io.promptloop.abtest.analysis.domain;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Locale;

/**
 * Mergeable latency histogram with relative-error quantiles, small enough to live in one bytea column per arm.
 *
 * <p>Source: DDSketch (Masson, Rim &amp; Lee, "DDSketch: A Fast and Fully-Mergeable Quantile Sketch with
 * Relative-Error Guarantees", VLDB 2019): value x ≥ 1 goes to bucket i = ⌈log_γ x⌉ with γ = (1+a)/(1−a), and the
 * bucket is represented by 2γ^i/(γ+1), which is within relative error a of every value in (γ^(i−1), γ^i]. With a =
 * 0.99% every quantile is within 1% of a real sample value for any latency from 0 to {@link Long#MAX_VALUE} ms; 0
 * ms has its own exact counter. 0..3,600,000 ms needs at most 762 buckets; only non-empty ones are stored.
 *
 * <p>Instances are immutable: {@link #add} and {@link #merge} return new digests, so a digest can be shared by
 * {@link VariantStats} values without defensive copies. Build large digests with {@link #of(long...)}.
 */
public final class LatencyDigest {

    /** Leading byte of the {@link #toBytes()} format. */
    public static final byte FORMAT_VERSION = 1;

    /** Relative accuracy a of a bucket, kept under 1% so that rounding cannot push an estimate past 1%. */
    static final double RELATIVE_ACCURACY = 0.0099;

    private static final double GAMMA = (1 + RELATIVE_ACCURACY) / (1 - RELATIVE_ACCURACY);
    private static final double LN_GAMMA = Math.log(GAMMA);
    private static final int MAX_INDEX = indexOf(Long.MAX_VALUE);
    private static final LatencyDigest EMPTY = new LatencyDigest(0, new int[0], new long[0], 0, 0);

    private final long zeroCount;
    private final int[] indexes; // strictly increasing bucket indexes of the non-empty buckets
    private final long[] counts; // counts[j] >= 1 observations in bucket indexes[j]
    private final long count;
    private final long min; // exact smallest and largest value, meaningful when count > 0
    private final long max;

    private LatencyDigest(long zeroCount, int[] indexes, long[] counts, long min, long max) {
        this.zeroCount = zeroCount;
        this.indexes = indexes;
        this.counts = counts;
        long total = zeroCount;
        for (long c : counts) {
            total = Math.addExact(total, c);
        }
        this.count = total;
        this.min = min;
        this.max = max;
    }

    public static LatencyDigest empty() {
        return EMPTY;
    }

    /** A digest of the given latencies in ms. */
    public static LatencyDigest of(long... latenciesMs) {
        if (latenciesMs.length == 0) {
            return EMPTY;
        }
        long zeros = 0;
        long lo = Long.MAX_VALUE;
        long hi = Long.MIN_VALUE;
        int[] all = new int[latenciesMs.length];
        int m = 0;
        for (long ms : latenciesMs) {
            requireLatency(ms);
            lo = Math.min(lo, ms);
            hi = Math.max(hi, ms);
            if (ms == 0) {
                zeros++;
            } else {
                all[m++] = indexOf(ms);
            }
        }
        Arrays.sort(all, 0, m);
        int[] idx = new int[m];
        long[] cnt = new long[m];
        int buckets = 0;
        for (int i = 0; i < m; i++) {
            if (buckets > 0 && idx[buckets - 1] == all[i]) {
                cnt[buckets - 1]++;
            } else {
                idx[buckets] = all[i];
                cnt[buckets] = 1;
                buckets++;
            }
        }
        return new LatencyDigest(zeros, Arrays.copyOf(idx, buckets), Arrays.copyOf(cnt, buckets), lo, hi);
    }

    /**
     * A new digest with one more latency; this digest is unchanged.
     *
     * @throws IllegalArgumentException if ms &lt; 0
     */
    public LatencyDigest add(long ms) {
        requireLatency(ms);
        long newMin = count == 0 ? ms : Math.min(min, ms);
        long newMax = count == 0 ? ms : Math.max(max, ms);
        if (ms == 0) {
            return new LatencyDigest(zeroCount + 1, indexes, counts, newMin, newMax);
        }
        int index = indexOf(ms);
        int pos = Arrays.binarySearch(indexes, index);
        if (pos >= 0) {
            long[] newCounts = counts.clone();
            newCounts[pos]++;
            return new LatencyDigest(zeroCount, indexes, newCounts, newMin, newMax);
        }
        int insert = -pos - 1;
        int[] newIndexes = new int[indexes.length + 1];
        long[] newCounts = new long[counts.length + 1];
        System.arraycopy(indexes, 0, newIndexes, 0, insert);
        System.arraycopy(counts, 0, newCounts, 0, insert);
        newIndexes[insert] = index;
        newCounts[insert] = 1;
        System.arraycopy(indexes, insert, newIndexes, insert + 1, indexes.length - insert);
        System.arraycopy(counts, insert, newCounts, insert + 1, counts.length - insert);
        return new LatencyDigest(zeroCount, newIndexes, newCounts, newMin, newMax);
    }

    /** A new digest of both digests' latencies, identical to adding all of them to one digest. */
    public LatencyDigest merge(LatencyDigest other) {
        if (other == null || other.count == 0) {
            return this;
        }
        if (count == 0) {
            return other;
        }
        int[] idx = new int[indexes.length + other.indexes.length];
        long[] cnt = new long[idx.length];
        int i = 0;
        int j = 0;
        int k = 0;
        while (i < indexes.length || j < other.indexes.length) {
            if (j == other.indexes.length || (i < indexes.length && indexes[i] < other.indexes[j])) {
                idx[k] = indexes[i];
                cnt[k++] = counts[i++];
            } else if (i == indexes.length || other.indexes[j] < indexes[i]) {
                idx[k] = other.indexes[j];
                cnt[k++] = other.counts[j++];
            } else {
                idx[k] = indexes[i];
                cnt[k++] = Math.addExact(counts[i++], other.counts[j++]);
            }
        }
        return new LatencyDigest(
                Math.addExact(zeroCount, other.zeroCount),
                Arrays.copyOf(idx, k),
                Arrays.copyOf(cnt, k),
                Math.min(min, other.min),
                Math.max(max, other.max));
    }

    /** Number of latencies recorded. */
    public long count() {
        return count;
    }

    /**
     * Estimate of the q-quantile: the value of rank ⌊q·(count−1)⌋ (0-based) in sorted order — the rank rule of
     * DDSketch — within 1% relative error, clamped to the exact minimum and maximum (so q = 0 and q = 1 are exact).
     *
     * @return NaN when the digest is empty
     * @throws IllegalArgumentException if q is outside [0, 1]
     */
    public double quantile(double q) {
        if (!(q >= 0.0 && q <= 1.0)) {
            throw new IllegalArgumentException("quantile must be in [0, 1], got " + q);
        }
        if (count == 0) {
            return Double.NaN;
        }
        long rank = (long) Math.floor(q * (count - 1));
        if (rank == count - 1) {
            return max;
        }
        if (rank == 0) {
            return min;
        }
        if (rank < zeroCount) {
            return 0.0;
        }
        long cumulative = zeroCount;
        for (int j = 0; j < indexes.length; j++) {
            cumulative += counts[j];
            if (cumulative > rank) {
                return Math.min(max, Math.max(min, valueOf(indexes[j])));
            }
        }
        return max;
    }

    /**
     * Sparse binary form: version byte {@value #FORMAT_VERSION}, then unsigned LEB128 varints: zero count, number of
     * buckets b, (when not empty) min and max, then b pairs of (bucket index minus previous index, count). Typical
     * latency data takes a few hundred bytes.
     */
    public byte[] toBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(8 + 3 * indexes.length);
        out.write(FORMAT_VERSION);
        writeVarint(out, zeroCount);
        writeVarint(out, indexes.length);
        if (count > 0) {
            writeVarint(out, min);
            writeVarint(out, max);
        }
        int previous = 0;
        for (int j = 0; j < indexes.length; j++) {
            writeVarint(out, indexes[j] - previous);
            writeVarint(out, counts[j]);
            previous = indexes[j];
        }
        return out.toByteArray();
    }

    /**
     * Reads {@link #toBytes()}; null or no bytes is an empty digest.
     *
     * @throws IllegalArgumentException if the bytes are not a valid digest (unknown version, truncated, trailing
     *     bytes, inconsistent content)
     */
    public static LatencyDigest fromBytes(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            return EMPTY;
        }
        if (bytes[0] != FORMAT_VERSION) {
            throw new IllegalArgumentException(
                    "unsupported LatencyDigest format version " + bytes[0] + ", expected " + FORMAT_VERSION);
        }
        Reader in = new Reader(bytes);
        long zeros = in.varint("zero count");
        long buckets = in.varint("bucket count");
        if (buckets > MAX_INDEX + 1L) {
            throw corrupt("bucket count " + buckets + " exceeds " + (MAX_INDEX + 1));
        }
        if (zeros == 0 && buckets == 0) {
            in.requireEnd();
            return EMPTY;
        }
        long lo = in.varint("min");
        long hi = in.varint("max");
        int[] idx = new int[(int) buckets];
        long[] cnt = new long[(int) buckets];
        long previous = 0;
        long total = zeros;
        for (int j = 0; j < buckets; j++) {
            long delta = in.varint("bucket index");
            if (j > 0 && delta == 0) {
                throw corrupt("bucket indexes not strictly increasing at bucket " + j);
            }
            long index = previous + delta;
            if (index > MAX_INDEX) {
                throw corrupt("bucket index " + index + " exceeds " + MAX_INDEX);
            }
            long c = in.varint("count of bucket " + index);
            if (c == 0) {
                throw corrupt("empty bucket " + index);
            }
            idx[j] = (int) index;
            cnt[j] = c;
            previous = index;
            try {
                total = Math.addExact(total, c);
            } catch (ArithmeticException e) {
                throw corrupt("total count overflows");
            }
        }
        in.requireEnd();
        // min and max must fall in the first and last occupied bucket (or be the zero bucket).
        long expectedMinIndex = zeros > 0 ? -1 : idx[0];
        long expectedMaxIndex = buckets > 0 ? idx[(int) buckets - 1] : -1;
        if (lo > hi
                || (lo == 0 ? -1 : indexOf(lo)) != expectedMinIndex
                || (hi == 0 ? -1 : indexOf(hi)) != expectedMaxIndex) {
            throw corrupt("min " + lo + " / max " + hi + " do not match the buckets");
        }
        return new LatencyDigest(zeros, idx, cnt, lo, hi);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LatencyDigest d
                && zeroCount == d.zeroCount
                && count == d.count
                && (count == 0 || (min == d.min && max == d.max))
                && Arrays.equals(indexes, d.indexes)
                && Arrays.equals(counts, d.counts);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Long.hashCode(zeroCount) + Arrays.hashCode(indexes)) + Arrays.hashCode(counts);
    }

    @Override
    public String toString() {
        if (count == 0) {
            return "LatencyDigest[count=0]";
        }
        return String.format(
                Locale.ROOT,
                "LatencyDigest[count=%d, min=%d, p50=%.1f, p95=%.1f, max=%d]",
                count,
                min,
                quantile(0.5),
                quantile(0.95),
                max);
    }

    static int indexOf(long ms) {
        return (int) Math.ceil(Math.log(ms) / LN_GAMMA);
    }

    private static double valueOf(int index) {
        return 2.0 * Math.pow(GAMMA, index) / (GAMMA + 1.0);
    }

    private static void requireLatency(long ms) {
        if (ms < 0) {
            throw new IllegalArgumentException("latency must be >= 0 ms, got " + ms);
        }
    }

    private static void writeVarint(ByteArrayOutputStream out, long value) {
        long v = value;
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }

    private static IllegalArgumentException corrupt(String detail) {
        return new IllegalArgumentException("corrupt LatencyDigest bytes: " + detail);
    }

    private static final class Reader {
        private final byte[] bytes;
        private int pos = 1; // after the version byte

        Reader(byte[] bytes) {
            this.bytes = bytes;
        }

        long varint(String field) {
            long result = 0;
            for (int shift = 0; shift < 63; shift += 7) {
                if (pos >= bytes.length) {
                    throw corrupt("truncated in " + field + " at byte " + pos);
                }
                byte b = bytes[pos++];
                result |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    return result;
                }
            }
            // 9 groups of 7 bits hold any long >= 0; a tenth group would be a negative or oversized value
            throw corrupt(field + " longer than 9 bytes at byte " + pos);
        }

        void requireEnd() {
            if (pos != bytes.length) {
                throw corrupt((bytes.length - pos) + " trailing bytes");
            }
        }
    }
}
