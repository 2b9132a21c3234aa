package io.promptloop.optimizer.config;

import io.promptloop.optimizer.run.domain.BudgetPreset;
import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.net.URI;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/** Everything an operator can set on optimizer-service, validated at start-up. */
@Validated
@ConfigurationProperties("promptloop.optimizer")
public record OptimizerProperties(
        @Valid @NotNull @DefaultValue Evaluation evaluation,
        @Valid @NotNull @DefaultValue Reflection reflection,
        @Valid @NotNull @DefaultValue Run run,
        @Valid @NotNull @DefaultValue Examples examples,
        @Valid @NotNull @DefaultValue Policy policy) {

    /**
     * @param timeout how long to wait for the answers to an evaluation request before sending it again
     * @param maxAttempts sends of one request before the run fails
     */
    public record Evaluation(
            @DefaultValue("60s") @NotNull Duration timeout,
            @DefaultValue("5") @Min(1) @Max(100) int maxAttempts) {}

    /**
     * @param type deterministic (built in, no model) or openai (any OpenAI-compatible chat endpoint)
     * @param maxFailuresInARow reflections that may fail in a row before the run fails
     */
    public record Reflection(
            @DefaultValue("deterministic") @Pattern(regexp = "deterministic|openai")
            String type,

            @DefaultValue("3") @Min(1) @Max(100) int maxFailuresInARow,
            @DefaultValue("3") @Min(1) @Max(20) int maxNewGuidelines,
            @Valid @NotNull @DefaultValue OpenAi openai) {}

    /** OpenAI-compatible chat completions; the key comes from the environment, never from code or images. */
    public record OpenAi(
            @DefaultValue("http://127.0.0.1:11434/v1") @NotNull
            URI baseUrl,

            @DefaultValue("gpt-4o-mini") String model,
            String apiKey,
            @DefaultValue("60s") @NotNull Duration timeout,
            @DefaultValue("2") @Min(0) @Max(10) int maxRetries,
            @DefaultValue("2000") @Min(1) @Max(32000) int maxTokens) {

        @Override
        public String toString() {
            return "OpenAi[baseUrl=" + baseUrl + ", model=" + model + ", apiKey=" + (apiKey == null ? "none" : "***")
                    + "]";
        }
    }

    /**
     * @param maxIterationsWithoutImprovement stopper; 0 = off
     * @param maxWallTime stopper; unset = off
     * @param bootstrapCandidates demonstration sets a bootstrap few-shot run tries
     * @param maxMerges GEPA merges of two Pareto-front candidates with a common ancestor per run; 0 = off
     */
    public record Run(
            @DefaultValue("0") @Min(0) int maxIterationsWithoutImprovement,
            Duration maxWallTime,
            @DefaultValue("6") @Min(1) @Max(50) int bootstrapCandidates,
            @DefaultValue("0") @Min(0) @Max(50) int maxMerges) {}

    /**
     * @param validationFraction share of examples (by id hash) kept for validation
     * @param noteScore the score given to a turn that received an improvement note
     */
    public record Examples(
            @DefaultValue("0.3") @DecimalMin("0.05") @DecimalMax("0.95")
            double validationFraction,

            @DefaultValue("0.3") @DecimalMin("0") @DecimalMax("1")
            double noteScore) {}

    /**
     * Automatic runs: per agent/predictor, when at least {@code minLowScoreExamples} examples of its active instruction
     * scored below {@code lowScore} since its last run, no run or A/B test is in flight, its runs spent less than
     * {@code dailyMetricCalls} minus one run's budget in the last 24 hours, and — after futile runs (below
     * {@code minUsefulImprovementPercent}) — the back-off ({@code backoff}, doubling per futile run in a row up to
     * {@code maxBackoff}) is over or the evaluations' mean score dropped by {@code scoreDrop} since the last one.
     */
    public record Policy(
            @DefaultValue("false") boolean enabled,
            @DefaultValue("20") @Min(1) int minLowScoreExamples,

            @DefaultValue("0.7") @DecimalMin("0") @DecimalMax("1")
            double lowScore,

            @DefaultValue("light") @Pattern(regexp = "light|medium|heavy")
            String budget,

            @DefaultValue("5m") @NotNull Duration interval,

            @DefaultValue("5.0") @DecimalMin("0") @DecimalMax("10000")
            double minUsefulImprovementPercent,

            @DefaultValue("10m") @NotNull Duration backoff,
            @DefaultValue("24h") @NotNull Duration maxBackoff,

            @DefaultValue("0.1") @DecimalMin(value = "0", inclusive = false) @DecimalMax("1")
            double scoreDrop,

            @DefaultValue("2000") @Min(1) @Max(10_000_000) int dailyMetricCalls) {

        /** Metric calls of one automatic run. */
        public int runMetricCalls() {
            return BudgetPreset.parse(budget == null ? "light" : budget).metricCalls(null);
        }

        @AssertTrue(message = "promptloop.optimizer.policy.backoff must not be negative")
        public boolean isBackoffValid() {
            return backoff == null || !backoff.isNegative();
        }

        @AssertTrue(
                message =
                        "promptloop.optimizer.policy.max-backoff must be at least promptloop.optimizer.policy.backoff")
        public boolean isMaxBackoffValid() {
            return backoff == null || maxBackoff == null || maxBackoff.compareTo(backoff) >= 0;
        }

        @AssertTrue(
                message = "promptloop.optimizer.policy.daily-metric-calls must be at least the metric calls of one run"
                        + " of promptloop.optimizer.policy.budget (light 500, medium 2000, heavy 4000)")
        public boolean isDailyMetricCallsValid() {
            try {
                return dailyMetricCalls >= runMetricCalls();
            } catch (IllegalArgumentException e) {
                return true; // the budget's own constraint reports it
            }
        }
    }
}
