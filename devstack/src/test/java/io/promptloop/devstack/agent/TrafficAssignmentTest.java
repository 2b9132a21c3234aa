package io.promptloop.devstack.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TrafficAssignmentTest {

    /**
     * Reference buckets computed outside Java, e.g. for the first row: {@code printf 'salt-1:unit-1' | sha256sum}
     * gives {@code dd2d021b87e8277a...}; {@code python3 -c "print(int('dd2d021b87e8277a', 16) % 10000)"} gives 4538.
     * Rows 1 and 5 start with a byte ≥ 0x80 (a signed reading would go wrong); row 5 has a non-ASCII unit id (UTF-8).
     */
    @ParameterizedTest
    @CsvSource({
        "salt-1,       unit-1,       4538",
        "3f0c2a9e,     user-42,      2655",
        "a1b2c3d4e5f6, user-000017,  1475",
        "x,            y,            8558",
        "ab-test-salt, unit-ü,       1137",
    })
    void shouldPutAUnitInTheReferenceBucket(String salt, String unitId, int bucket) {
        assertThat(TrafficAssignment.bucket(salt, unitId)).isEqualTo(bucket);
    }

    @Test
    void shouldSendAUnitToTheTreatmentWhenItsBucketIsBelowTheRoundedSplit() {
        // bucket 4538: in at 0.4539 (threshold 4539), out at 0.4538 (threshold 4538)
        assertThat(TrafficAssignment.isTreatment("salt-1", "unit-1", 0.4539)).isTrue();
        assertThat(TrafficAssignment.isTreatment("salt-1", "unit-1", 0.4538)).isFalse();
        assertThat(TrafficAssignment.isTreatment("x", "y", 0.0)).isFalse();
        assertThat(TrafficAssignment.isTreatment("x", "y", 1.0)).isTrue();
    }

    @Test
    void shouldSplitManyUnitsNearTheTrafficSplit() {
        long treated = IntStream.range(0, 20_000)
                .filter(i -> TrafficAssignment.isTreatment("salt", "user-" + i, 0.3))
                .count();
        assertThat(treated / 20_000.0).isCloseTo(0.3, within(0.015));
    }

    @Test
    void shouldRejectASplitOutsideTheUnitInterval() {
        assertThatThrownBy(() -> TrafficAssignment.isTreatment("s", "u", 1.5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("traffic split");
        assertThatThrownBy(() -> TrafficAssignment.bucket(null, "u")).isInstanceOf(IllegalArgumentException.class);
    }
}
