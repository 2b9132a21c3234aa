package io.promptloop.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AssignmentTest {

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                // salt | unit | bucket, computed in the shell:
                //   h=$(printf '%s' 'salt:user-1' | sha256sum | cut -c1-16); python3 -c "print(int('$h',16) % 10000)"
                "salt | user-1 | 9251", // be8207e78208abb3: first byte 0xbe >= 0x80, needs the unsigned remainder
                "salt | user-2 | 8359", // 6f879b265b95fd57
                "exp-42 | unit-7 | 5520", // 3ab6fe2372de5cd0
                "test-salt | alice | 1173", // 738cd00b4c911ed5
                "test-salt | bob | 9091", // f4e7dc84566b5f83: unsigned case again
                "test-salt | carol | 5863", // 55c23512982f8317
                "test-salt | dave | 978", // 4b6bcf6a91dae812
                "sälz | ünit-ß | 6661", // ed4fbcc60e8723a5: the UTF-8 bytes are hashed
                "salt-1 | unit-1 | 4538", // dd2d021b87e8277a: unsigned case
                "3f0c2a9e | user-42 | 2655",
                "a1b2c3d4e5f6 | user-000017 | 1475",
                "x | y | 8558",
                "ab-test-salt | unit-ü | 1137", // unsigned case, non-ASCII unit id
            })
    void shouldBucketLikeTheShellReference(String salt, String unit, int bucket) {
        assertThat(Assignment.bucket(salt, unit)).isEqualTo(bucket);
    }

    @Test
    void shouldHashAnEmptyUnitId() {
        // printf 'abc:' | sha256sum → 16a3ed4144494134…; int('16a3ed4144494134', 16) % 10000 = 180
        assertThat(Assignment.bucket("abc", "")).isEqualTo(180);
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
