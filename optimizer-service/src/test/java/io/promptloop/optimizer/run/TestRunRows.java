package io.promptloop.optimizer.run;

import io.promptloop.optimizer.run.persistence.RunStore.RunRow;
import java.util.UUID;

/** A GEPA run row of predictor "answer", as the tests insert or hand over: nothing spent, not finished, manual. */
final class TestRunRows {

    private TestRunRows() {}

    static RunRow run(
            UUID runId,
            String agent,
            String budgetPreset,
            int maxMetricCalls,
            long seed,
            String status,
            int iteration,
            int minibatchSize,
            UUID baselineInstructionId,
            String configJson,
            long lastScoreSeq) {
        return new RunRow(
                runId,
                agent,
                "answer",
                "gepa",
                budgetPreset,
                maxMetricCalls,
                0,
                seed,
                status,
                iteration,
                minibatchSize,
                baselineInstructionId,
                configJson,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                false,
                "manual",
                null,
                null,
                lastScoreSeq);
    }
}
