package io.promptloop.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvFileSource;

class AssignmentTest {

    /**
     * The reference buckets, computed with {@code sha256sum}, live in {@code assignment-buckets.csv} beside this test's
     * resources: the agent SDKs (clients/python, clients/typescript) read the same file.
     */
    @ParameterizedTest
    @CsvFileSource(resources = "/assignment-buckets.csv", delimiter = '|')
    void shouldBucketLikeTheShellReference(String salt, String unit, int bucket, String first8Hex) {
        assertThat(Long.remainderUnsigned(Long.parseUnsignedLong(first8Hex, 16), Assignment.BUCKETS))
                .as("the fixture row agrees with itself")
                .isEqualTo(bucket);
        assertThat(Assignment.bucket(salt, unit)).isEqualTo(bucket);
    }

    /** The K-arm rule against {@code assignment-arms.csv} (computed in the shell with exact decimal sums). */
    @ParameterizedTest
    @CsvFileSource(resources = "/assignment-arms.csv", delimiter = '|')
    void shouldPlaceUnitsInArmsByCumulativeWeightsLikeTheShellReference(
            String salt, String unit, String weights, int bucket, int arm) {
        double[] w = java.util.Arrays.stream(weights.split(" "))
                .mapToDouble(Double::parseDouble)
                .toArray();

        assertThat(Assignment.bucket(salt, unit)).isEqualTo(bucket);
        assertThat(Assignment.arm(salt, unit, w)).isEqualTo(arm);
    }

    @Test
    void shouldAssignOneArmExactlyAsTheTwoArmRule() {
        for (double split : new double[] {0.01, 0.1, 0.25, 0.5, 0.57, 0.9252, 0.99}) {
            for (int i = 0; i < 2_000; i++) {
                String unit = "u" + i;
                assertThat(Assignment.arm("same", unit, new double[] {split}) == 1)
                        .isEqualTo(Assignment.isTreatment("same", unit, split));
            }
        }
        assertThatThrownBy(() -> Assignment.arm("s", "u", new double[] {0.6, 0.5}))
                .hasMessageContaining("more than 1");
        assertThatThrownBy(() -> Assignment.arm("s", "u", new double[] {-0.1})).hasMessageContaining("[0, 1]");
    }

    @Test
    void shouldSplitThreeArmsByTheirWeights() {
        int units = 100_000;
        int[] counts = new int[4];
        for (int i = 0; i < units; i++) {
            counts[Assignment.arm("three", "unit-" + i, new double[] {0.2, 0.3, 0.1})]++;
        }
        assertThat((double) counts[1] / units).isCloseTo(0.2, within(0.01));
        assertThat((double) counts[2] / units).isCloseTo(0.3, within(0.01));
        assertThat((double) counts[3] / units).isCloseTo(0.1, within(0.01));
        assertThat((double) counts[0] / units).isCloseTo(0.4, within(0.01));
    }

    @Test
    void shouldNotBeTheSignedRemainder() {
        // 0xbe8207e78208abb3 as a signed long is negative; its signed remainder would be −(…) — not a bucket
        long signed = 0xbe8207e78208abb3L;

        assertThat(signed % 10_000).isNegative();
        assertThat(Assignment.bucket("salt", "user-1")).isEqualTo(9251);
    }

    @Test
    void shouldPutBucketsBelowTheRoundedThresholdInTreatment() {
        // bucket 9251: treatment exactly when round(split × 10,000) > 9251
        assertThat(Assignment.isTreatment("salt", "user-1", 0.9252)).isTrue();
        assertThat(Assignment.isTreatment("salt", "user-1", 0.9251)).isFalse();
        // bucket 5863 and split 0.5863: threshold 5863 is not > 5863
        assertThat(Assignment.isTreatment("test-salt", "carol", 0.5863)).isFalse();
        assertThat(Assignment.isTreatment("test-salt", "carol", 0.5864)).isTrue();
        // 0.57 × 10,000 = 5699.999999999999 in binary: rounding keeps the threshold at 5,700
        assertThat(Math.round(0.57 * Assignment.BUCKETS)).isEqualTo(5700);
    }

    @Test
    void shouldNeverOrAlwaysAssignAtTheExtremes() {
        for (int i = 0; i < 1_000; i++) {
            assertThat(Assignment.isTreatment("edge", "u" + i, 0.0)).isFalse();
            assertThat(Assignment.isTreatment("edge", "u" + i, 1.0)).isTrue();
        }
    }

    @Test
    void shouldSplitTrafficUniformly() {
        int units = 100_000;
        int treatment = 0;
        int tenPercent = 0;
        int[] deciles = new int[10];
        for (int i = 0; i < units; i++) {
            String unit = "unit-" + i;
            treatment += Assignment.isTreatment("uniformity", unit, 0.5) ? 1 : 0;
            tenPercent += Assignment.isTreatment("uniformity", unit, 0.1) ? 1 : 0;
            deciles[Assignment.bucket("uniformity", unit) / 1_000]++;
        }

        assertThat((double) treatment / units).isCloseTo(0.5, within(0.01));
        assertThat((double) tenPercent / units).isCloseTo(0.1, within(0.01));
        for (int count : deciles) {
            assertThat((double) count / units).isCloseTo(0.1, within(0.01));
        }
    }

    @Test
    void shouldDependOnTheSalt() {
        int same = 0;
        for (int i = 0; i < 1_000; i++) {
            same += Assignment.bucket("a", "u" + i) == Assignment.bucket("b", "u" + i) ? 1 : 0;
        }

        assertThat(same).isLessThan(10);
    }

    @Test
    void shouldRejectASplitOutsideTheUnitIntervalAndMissingIds() {
        assertThatThrownBy(() -> Assignment.isTreatment("s", "u", 1.5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("trafficSplit");
        assertThatThrownBy(() -> Assignment.bucket(null, "u")).isInstanceOf(IllegalArgumentException.class);
    }
}
