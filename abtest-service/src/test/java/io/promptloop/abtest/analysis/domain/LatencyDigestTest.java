package io.promptloop.abtest.analysis.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.withinPercentage;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class LatencyDigestTest {

    private static final double[] QUANTILES = {0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1};

    @Test
    void shouldEstimateQuantilesOfAUniformSetWithinOnePercent() {
        long[] data = LongStream.rangeClosed(1, 10_000).toArray();

        assertWithinOnePercent(LatencyDigest.of(data), data);
    }

    @Test
    void shouldEstimateQuantilesOfAHeavyTailedSetWithinOnePercent() {
        // log-normal latencies (median ≈ 400 ms, long tail) plus instant answers and one-hour timeouts
        SplittableRandom random = new SplittableRandom(42);
        long[] data = new long[100_000];
        for (int i = 0; i < data.length; i++) {
            double u = random.nextDouble();
            data[i] = u < 0.01 ? 0 : u > 0.999 ? 3_600_000 : Math.round(Math.exp(6 + 1.2 * random.nextGaussian()));
        }

        assertWithinOnePercent(LatencyDigest.of(data), data);
    }

    @Test
    void shouldKeepEveryValueFromZeroToOneHourWithinOnePercent() {
        // The middle value of {0, x, MAX} is reported from x's bucket, unclamped: the bucket error itself.
        for (long x = 1; x <= 3_600_000; x = Math.max(x + 1, (long) (x * 1.003))) {
            double estimate = LatencyDigest.of(0, x, Long.MAX_VALUE).quantile(0.5);
            assertThat(Math.abs(estimate - x) / x)
                    .as("relative error at %d ms", x)
                    .isLessThanOrEqualTo(0.01);
        }
    }

    @Test
    void shouldCountZerosExactly() {
        LatencyDigest d = LatencyDigest.of(0, 0, 0, 50);

        assertThat(d.count()).isEqualTo(4);
        assertThat(d.quantile(0.5)).isEqualTo(0.0);
        assertThat(d.quantile(1)).isEqualTo(50.0);
    }

    @Test
    void shouldBeNaNWhenEmpty() {
        assertThat(LatencyDigest.empty().count()).isZero();
        assertThat(LatencyDigest.empty().quantile(0.95)).isNaN();
    }

    @Test
    void shouldLeaveTheDigestUnchangedWhenAdding() {
        LatencyDigest one = LatencyDigest.empty().add(120);
        LatencyDigest two = one.add(130);

        assertThat(one.count()).isEqualTo(1);
        assertThat(two.count()).isEqualTo(2);
        assertThat(two).isEqualTo(LatencyDigest.of(120, 130));
    }

    @Test
    void shouldMergeLikeAddingEverything() {
        SplittableRandom random = new SplittableRandom(7);
        long[] left = random.longs(5_000, 0, 20_000).toArray();
        long[] right = random.longs(3_000, 5_000, 3_600_001).toArray();
        LatencyDigest addedOneByOne = LatencyDigest.empty();
        for (long x : left) {
            addedOneByOne = addedOneByOne.add(x);
        }
        for (long x : right) {
            addedOneByOne = addedOneByOne.add(x);
        }

        LatencyDigest merged = LatencyDigest.of(left).merge(LatencyDigest.of(right));

        assertThat(merged).isEqualTo(addedOneByOne);
        assertThat(LatencyDigest.of(right).merge(LatencyDigest.of(left))).isEqualTo(merged);
        assertThat(merged.merge(LatencyDigest.empty())).isEqualTo(merged);
        assertThat(LatencyDigest.empty().merge(merged)).isEqualTo(merged);
        for (double q : QUANTILES) {
            assertThat(merged.quantile(q)).isEqualTo(addedOneByOne.quantile(q));
        }
    }

    @Test
    void shouldRoundTripThroughBytesInAFewHundredBytes() {
        SplittableRandom random = new SplittableRandom(3);
        long[] data = new long[50_000];
        for (int i = 0; i < data.length; i++) {
            data[i] = Math.round(Math.exp(6 + 0.8 * random.nextGaussian()));
        }
        LatencyDigest digest = LatencyDigest.of(data).add(0).add(Long.MAX_VALUE);

        byte[] bytes = digest.toBytes();

        assertThat(bytes[0]).isEqualTo(LatencyDigest.FORMAT_VERSION);
        assertThat(LatencyDigest.fromBytes(bytes)).isEqualTo(digest);
        assertThat(LatencyDigest.fromBytes(bytes).quantile(0.95)).isEqualTo(digest.quantile(0.95));
        assertThat(bytes.length).isLessThan(2_000);
        assertThat(LatencyDigest.fromBytes(LatencyDigest.empty().toBytes())).isEqualTo(LatencyDigest.empty());
    }

    @Test
    void shouldReadNoBytesAsAnEmptyDigest() {
        assertThat(LatencyDigest.fromBytes(null)).isEqualTo(LatencyDigest.empty());
        assertThat(LatencyDigest.fromBytes(new byte[0])).isEqualTo(LatencyDigest.empty());
    }

    @Test
    void shouldRejectCorruptBytes() {
        byte[] good = LatencyDigest.of(0, 5, 120, 120, 4_000).toBytes();

        byte[] otherVersion = good.clone();
        otherVersion[0] = 2;
        assertRejected(otherVersion, "unsupported LatencyDigest format version 2");
        assertRejected(Arrays.copyOf(good, good.length - 1), "truncated");
        assertRejected(Arrays.copyOf(good, good.length + 1), "trailing");
        // zero count 0, one bucket, min 5, max 5, index delta = index of 5, count 0
        assertRejected(new byte[] {1, 0, 1, 5, 5, (byte) LatencyDigest.indexOf(5), 0}, "empty bucket");
        // min and max 7 ms lie outside the only bucket, the one of 5 ms
        assertRejected(new byte[] {1, 0, 1, 7, 7, (byte) LatencyDigest.indexOf(5), 1}, "do not match");
        // two buckets with the same index
        assertRejected(new byte[] {1, 0, 2, 5, 5, (byte) LatencyDigest.indexOf(5), 1, 0, 1}, "not strictly increasing");
        // a varint that never ends
        byte[] endless = new byte[12];
        Arrays.fill(endless, (byte) 0xFF);
        endless[0] = 1;
        assertRejected(endless, "longer than 9 bytes");
    }

    @Test
    void shouldRejectANegativeLatencyAndABadQuantile() {
        assertThatThrownBy(() -> LatencyDigest.empty().add(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(">= 0 ms");
        assertThatThrownBy(() -> LatencyDigest.of(1).quantile(1.5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[0, 1]");
    }

    private static void assertWithinOnePercent(LatencyDigest digest, long[] data) {
        long[] sorted = data.clone();
        Arrays.sort(sorted);
        assertThat(digest.count()).isEqualTo(sorted.length);
        for (double q : QUANTILES) {
            // rank rule of the digest: the value of rank ⌊q·(n − 1)⌋ in sorted order
            long exact = sorted[(int) Math.floor(q * (sorted.length - 1))];
            double estimate = digest.quantile(q);
            assertThat(estimate).as("quantile %s", q).isCloseTo(exact, withinPercentage(1));
        }
    }

    private static void assertRejected(byte[] bytes, String message) {
        assertThatThrownBy(() -> LatencyDigest.fromBytes(bytes))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }
}
