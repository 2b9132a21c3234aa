package io.promptloop.abtest.analysis.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.promptloop.abtest.analysis.domain.SrmResult.Severity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SampleRatioMismatchTest {

    @ParameterizedTest
    @CsvSource({
        // control, treatment, share, χ², p, severity. χ² by hand; p = P(χ²₁ > x) = erfc(√(x/2)):
        // python3 -c "import math; x=2*100**2/5100; print(repr(x), repr(math.erfc(math.sqrt(x/2))))"
        "5000, 5200, 0.5, 3.9215686274509802, 0.04767038065616144, MINOR", // the DESIGN example
        "5000, 5000, 0.5, 0.0, 1.0, NONE", // perfect split
        "4950, 5050, 0.5, 1.0, 0.31731050786291404, NONE", // normal noise
        "10000, 10420, 0.5, 8.638589618021548, 0.0032911611848190896, MODERATE",
        "900, 1100, 0.5, 20.0, 7.744216431044074e-06, SEVERE",
        "7000, 3000, 0.3, 0.0, 1.0, NONE", // uneven split that fits
        "7200, 2800, 0.3, 19.047619047619047, 1.2749674921097067e-05, SEVERE", // too few in treatment
        "7500, 2500, 0.3, 119.04761904761904, 1.0224526971943171e-27, SEVERE", // tail keeps its digits
    })
    void shouldRunPearsonsChiSquaredTest(
            long control, long treatment, double share, double chiSquared, double p, Severity severity) {
        SrmResult srm = SampleRatioMismatch.check(control, treatment, share);

        assertThat(srm.chiSquared()).isCloseTo(chiSquared, within(1e-9));
        assertThat(srm.pValue()).isCloseTo(p, within(p * 1e-9 + 1e-15));
        assertThat(srm.severity()).isEqualTo(severity);
    }

    @Test
    void shouldBlockDecisionsOnlyBelowTheThreshold() {
        assertThat(SampleRatioMismatch.check(900, 1100, 0.5).blocksDecision(0.001))
                .isTrue();
        assertThat(SampleRatioMismatch.check(10000, 10420, 0.5).blocksDecision(0.001))
                .isFalse();
        assertThat(SampleRatioMismatch.check(10000, 10420, 0.5).blocksDecision(0.01))
                .isTrue();
    }

    @Test
    void shouldSeeNoMismatchWithoutData() {
        SrmResult srm = SampleRatioMismatch.check(0, 0, 0.5);

        assertThat(srm.pValue()).isEqualTo(1.0);
        assertThat(srm.severity()).isEqualTo(Severity.NONE);
    }

    @Test
    void shouldGradeSeverityByPValue() {
        assertThat(Severity.of(0.2)).isEqualTo(Severity.NONE);
        assertThat(Severity.of(0.05)).isEqualTo(Severity.NONE);
        assertThat(Severity.of(0.049)).isEqualTo(Severity.MINOR);
        assertThat(Severity.of(0.0099)).isEqualTo(Severity.MODERATE);
        assertThat(Severity.of(0.00099)).isEqualTo(Severity.SEVERE);
        assertThat(Severity.SEVERE.code()).isEqualTo("severe");
        assertThat(Severity.NONE.code()).isEqualTo("none");
    }

    @Test
    void shouldRejectAShareOutsideTheOpenUnitInterval() {
        assertThatThrownBy(() -> SampleRatioMismatch.check(10, 10, 1.0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("treatment share");
        assertThatThrownBy(() -> SampleRatioMismatch.check(-1, 10, 0.5)).isInstanceOf(IllegalArgumentException.class);
    }
}
