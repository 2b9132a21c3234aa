package io.promptloop.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OptimizerBaselineTest {

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                // the optimizer's answer                                     | what the banner says
                "{\"version\":1,\"active\":true,\"text\":\"x\"}                  | v1 (active)",
                "{\"version\":3,\"is_active\":false}                            | v3 (a later version is active)",
                "{\"version\":2,\"isActive\":true}                              | v2 (active)",
                "{\"active\":true}                                              | v? (active)",
                "not json                                                       | v? (the optimizer's answer was not JSON)",
            })
    void shouldDescribeTheRegisteredVersion(String answer, String description) {
        assertThat(OptimizerBaseline.describe(answer)).isEqualTo(description);
    }
}
