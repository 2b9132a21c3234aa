package io.promptloop.abtest.analysis.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Paired moments against values computed independently: numpy 2.4.6 ({@code np.cov}, {@code np.var(ddof=1)}) for
 * gbstats' own fixture arrays (growthbook/growthbook, packages/stats/tests/test_shared_models.py: METRIC_1, METRIC_3),
 * and the two-pass textbook formulas for merged random samples.
 */
class CoMomentsTest {

    // test_shared_models.py: METRIC_1 = [0.3, 0.5, 0.9, 22], METRIC_3 = [2, 1, 5, 3]
    private static final double[] METRIC_1 = {0.3, 0.5, 0.9, 22};
    private static final double[] METRIC_3 = {2, 1, 5, 3};

    private static CoMoments of(double[] x, double[] y) {
        CoMoments m = CoMoments.EMPTY;
        for (int i = 0; i < x.length; i++) m = m.add(x[i], y[i]);
        return m;
    }

    @Test
    void shouldMatchNumpyCovarianceOfGbstatsFixtureArrays() {
        CoMoments m = of(METRIC_1, METRIC_3);

        // np.cov(METRIC_1, METRIC_3) = [[114.90916667, 2.14166667], [2.14166667, 2.91666667]] (numpy 2.4.6)
        assertThat(m.covariance()).isCloseTo(2.1416666667, within(1e-9));
        assertThat(m.x().variance()).isCloseTo(114.9091666667, within(1e-9));
        assertThat(m.y().variance()).isCloseTo(2.9166666666666665, within(1e-12));
        assertThat(m.meanX()).isCloseTo(5.925, within(1e-12));
        assertThat(m.meanY()).isCloseTo(2.75, within(1e-12));
        // gbstats' raw-sum form gives the same co-moments
        CoMoments fromSums = CoMoments.fromSums(4, 23.7, 485.15, 11, 39, 71.6);
        assertThat(fromSums.covariance()).isCloseTo(2.1416666667, within(1e-9));
    }

    @Test
    void shouldMergeLikeOnePassOverTheUnionInAnyOrder() {
        SplittableRandom random = new SplittableRandom(11);
        double[] x = new double[1_000];
        double[] y = new double[1_000];
        for (int i = 0; i < x.length; i++) {
            x[i] = 1e6 + random.nextGaussian();
            y[i] = 0.5 * x[i] + random.nextGaussian();
        }
        CoMoments whole = of(x, y);
        CoMoments merged = CoMoments.EMPTY;
        for (int from = 0; from < x.length; from += 137) {
            int to = Math.min(x.length, from + 137);
            merged = of(java.util.Arrays.copyOfRange(x, from, to), java.util.Arrays.copyOfRange(y, from, to))
                    .plus(merged);
        }
        // two-pass reference
        double mx = 0, my = 0;
        for (int i = 0; i < x.length; i++) {
            mx += x[i];
            my += y[i];
        }
        mx /= x.length;
        my /= x.length;
        double sxx = 0, syy = 0, sxy = 0;
        for (int i = 0; i < x.length; i++) {
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
            sxy += (x[i] - mx) * (y[i] - my);
        }

        for (CoMoments m : new CoMoments[] {whole, merged}) {
            assertThat(m.n()).isEqualTo(1_000);
            assertThat(m.m2x()).isCloseTo(sxx, within(1e-6 * sxx));
            assertThat(m.m2y()).isCloseTo(syy, within(1e-6 * syy));
            assertThat(m.cxy()).isCloseTo(sxy, within(1e-6 * Math.abs(sxy)));
        }
        // a large mean does not eat the covariance: x has variance 1 around 1e6, Cov(x, y) = 0.5
        assertThat(merged.covariance()).isCloseTo(0.5, within(0.1));
        assertThat(merged.correlation()).isBetween(0.3, 0.5);
    }

    @Test
    void shouldRejectNonFinitePairsAndInconsistentMoments() {
        assertThatThrownBy(() -> CoMoments.EMPTY.add(Double.NaN, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new CoMoments(0, 1, 0, 0, 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new CoMoments(2, 0, 0, -1, 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThat(CoMoments.EMPTY.add(1, 2).correlation()).isNaN();
        assertThat(CoMoments.EMPTY.plus(CoMoments.EMPTY)).isEqualTo(CoMoments.EMPTY);
    }
}
