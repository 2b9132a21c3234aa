package io.promptloop.abtest.observation.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class RecentEventIdsTest {

    private static List<UUID> ids(int n) {
        List<UUID> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(UUID.randomUUID());
        return out;
    }

    @Test
    void shouldKeepWholeBatchesAsLongAsTheNewestHoldFewerThanTheCapacity() {
        var window = new RecentEventIds(250);
        List<UUID> first = ids(100);
        List<UUID> second = ids(100);
        List<UUID> third = ids(100);
        window.add(new RecentEventIds.Batch(0, first));
        window.add(new RecentEventIds.Batch(100, second));
        // 200 < 250: nothing dropped yet
        assertThat(window.keptFrom(200, 100)).isZero();
        window.add(new RecentEventIds.Batch(200, third));
        // 300 ids, dropping the first batch would leave 200 < 250: all kept
        assertThat(window.size()).isEqualTo(300);
        assertThat(window.contains(first.getFirst())).isTrue();
        // a fourth batch: without the first, 300 ids >= 250 remain, so the first goes (and only it)
        assertThat(window.keptFrom(300, 100)).isEqualTo(100);
        assertThat(window.size()).as("keptFrom changes nothing").isEqualTo(300);
        window.add(new RecentEventIds.Batch(300, ids(100)));
        assertThat(window.contains(first.getFirst())).isFalse();
        assertThat(window.contains(second.getLast())).isTrue();
        assertThat(window.oldestFirstOffset()).isEqualTo(100);
        assertThat(window.size()).isEqualTo(300);
    }

    @Test
    void shouldKeepABatchLargerThanTheCapacityAlone() {
        var window = new RecentEventIds(50);
        window.add(new RecentEventIds.Batch(0, ids(10)));
        assertThat(window.keptFrom(10, 80)).isEqualTo(10);
        window.add(new RecentEventIds.Batch(10, ids(80)));
        assertThat(window.size()).isEqualTo(80);
        assertThat(window.oldestFirstOffset()).isEqualTo(10);
    }

    @Test
    void shouldRebuildTheSameWindowFromItsStoredBatches() {
        List<UUID> a = ids(3);
        List<UUID> b = ids(2);
        byte[] stored = RecentEventIds.toBytes(a);
        assertThat(stored).hasSize(48);
        assertThat(RecentEventIds.fromBytes(stored)).containsExactlyElementsOf(a);
        var window = RecentEventIds.of(
                1000,
                List.of(
                        new RecentEventIds.Batch(7, RecentEventIds.fromBytes(stored)),
                        new RecentEventIds.Batch(12, RecentEventIds.fromBytes(RecentEventIds.toBytes(b)))));
        assertThat(window.size()).isEqualTo(5);
        assertThat(window.contains(a.get(1))).isTrue();
        assertThat(window.contains(b.get(1))).isTrue();
        assertThat(window.contains(UUID.randomUUID())).isFalse();
        assertThat(window.oldestFirstOffset()).isEqualTo(7);
    }

    @Test
    void shouldRefuseStoredBytesThatAreNotWholeIds() {
        assertThatThrownBy(() -> RecentEventIds.fromBytes(new byte[17])).hasMessageContaining("16 bytes each");
        assertThatThrownBy(() -> new RecentEventIds(0)).hasMessageContaining("at least 1");
    }
}
