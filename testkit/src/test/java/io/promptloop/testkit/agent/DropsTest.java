package io.promptloop.testkit.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class DropsTest {

    @Test
    void shouldNeverDropAtRateZeroAndAlwaysAtRateOne() {
        Drops none = new Drops(0.0, 1);
        Drops all = new Drops(1.0, 1);

        assertThat(IntStream.range(0, 1_000).filter(i -> none.next())).isEmpty();
        assertThat(IntStream.range(0, 1_000).filter(i -> all.next())).hasSize(1_000);
    }

    @Test
    void shouldDropAboutTheRateAndTheSameRequestsForTheSameSeed() {
        Drops first = new Drops(0.3, 42);
        Drops second = new Drops(0.3, 42);

        boolean[] a = new boolean[10_000];
        boolean[] b = new boolean[10_000];
        for (int i = 0; i < a.length; i++) {
            a[i] = first.next();
            b[i] = second.next();
        }

        assertThat(a).isEqualTo(b);
        long dropped = IntStream.range(0, a.length).filter(i -> a[i]).count();
        // binomial(10 000, 0.3): standard deviation ≈ 46, so ± 300 is more than 6 of them
        assertThat(dropped).isBetween(2_700L, 3_300L);
    }

    @Test
    void shouldRefuseARateOutsideTheUnitInterval() {
        assertThatThrownBy(() -> new Drops(-0.1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Drops(1.1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Drops(Double.NaN, 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
