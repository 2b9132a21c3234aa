package io.promptloop.abtest.analysis.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/**
 * Against GrowthBook's own power tests (growthbook/growthbook, packages/shared/test/power.test.ts: "calculates power
 * correctly", "calculates two-tailed mde correctly", "calculates sequential power correctly", "calculates sequential
 * mde correctly"): mean 10, variance 3909.9997749994377, 400,000 users over 3 variations, α = 0.05, effect 5 %;
 * GrowthBook rounds to 5 decimals.
 */
class PowerPlanTest {

    private static final double VARIANCE = 3909.9997749994377;
    private static final long PER_ARM = 400_000 / 3; // GrowthBook divides n by the variations (133,333.3…)

    @Test
    void shouldMatchGrowthBooksFixedHorizonPowerAndMde() {
        PowerPlan plan = new PowerPlan(10, VARIANCE, 0.05, true, 0);

        // GrowthBook uses n/3 = 133,333.33 units; 133,333 moves the 5th decimal by < 1e-5
        assertThat(plan.power(0.05, PER_ARM)).isCloseTo(0.52144, within(2e-5));
        assertThat(plan.minimumDetectableEffect(0.8, PER_ARM)).isCloseTo(0.07027, within(2e-5));
    }

    @Test
    void shouldMatchGrowthBooksSequentialPowerAndMde() {
        PowerPlan plan = new PowerPlan(10, VARIANCE, 0.05, true, 5000);

        assertThat(plan.power(0.05, PER_ARM)).isCloseTo(0.20596, within(2e-5));
        assertThat(plan.minimumDetectableEffect(0.8, PER_ARM)).isCloseTo(0.12821, within(2e-5));
    }

    @Test
    void shouldFindTheSmallestSampleThatReachesThePower() {
        PowerPlan plan = new PowerPlan(0.7, 0.04, 0.05, true, 0);

        long n = plan.unitsPerArm(0.05, 0.8, 10_000_000);

        assertThat(plan.power(0.05, n)).isGreaterThanOrEqualTo(0.8);
        assertThat(plan.power(0.05, n - 1)).isLessThan(0.8);
        // by hand: n ≈ (1.96 + 0.8416)²·σ²(1 + 1.05²)/(m²δ²) = 7.849·0.04·2.1025/(0.49·0.0025) ≈ 539
        assertThat(n).isBetween(530L, 545L);
        assertThat(plan.unitsPerArm(0.05, 0.8, 100)).isEqualTo(-1);
    }

    @Test
    void shouldRejectImpossiblePlans() {
        assertThatThrownBy(() -> new PowerPlan(0, 1, 0.05, true, 0)).hasMessageContaining("non-zero");
        assertThatThrownBy(() -> new PowerPlan(1, 0, 0.05, true, 0)).hasMessageContaining("variance");
        assertThatThrownBy(() -> new PowerPlan(10, VARIANCE, 0.05, true, 0).minimumDetectableEffect(0.8, 10))
                .hasMessageContaining("increase the number of units");
        assertThatThrownBy(() -> new PowerPlan(10, VARIANCE, 0.05, true, 0).minimumDetectableEffect(0.01, 1000))
                .hasMessageContaining("power");
    }
}
