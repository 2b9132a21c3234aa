package io.promptloop.abtest.config;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/** Everything an operator can set on abtest-service, validated at start-up. */
@Validated
@ConfigurationProperties("promptloop.abtest")
public record AbtestProperties(
        @Valid @NotNull @DefaultValue Analysis analysis,
        @Valid @NotNull @DefaultValue Defaults defaults,
        @Valid @NotNull @DefaultValue AutoCreate autoCreate,
        @Valid @NotNull @DefaultValue Relay relay,
        @Valid @NotNull @DefaultValue Intake intake) {

    /**
     * How observations are counted once.
     *
     * @param dedupWindow the de-duplication window of agent re-sends
     */
    public record Intake(@Valid @NotNull @DefaultValue DedupWindow dedupWindow) {}

    /**
     * Agent re-sends (same event id, same key, so the same partition, a new offset) are counted once when the first
     * copy is among the newest {@code events} event ids counted on its partition; an older re-send is counted again,
     * and a re-send under another key (another partition) is not caught. The window holds at least {@code events}
     * ids per partition and fewer than {@code events} plus one batch (max-poll-records), as batches are kept whole.
     * Cost per partition a replica owns: 24 to 48 bytes of heap per id (100,000 ≈ 3.1 MB; {@code
     * RecentEventIdsBenchmark}); in the database
     * ({@code abtest.observation_event_ids}) 16 bytes per id plus a row per batch, written in the batch's
     * transaction and pruned with it. Redelivery by Kafka does not depend on it (offsets are stored with the sums).
     *
     * @param events event ids kept per partition, 1,000 to 10,000,000
     */
    public record DedupWindow(
            @DefaultValue("100000") @Min(1000) @Max(10_000_000)
            int events) {}

    /**
     * @param interval how often running tests with new observations are analysed (one look each)
     * @param srmThreshold SRM p-value below which decisions are blocked and an alert is raised (DESIGN: 0.001)
     */
    public record Analysis(
            @DefaultValue("2s") @NotNull Duration interval,

            @DefaultValue("0.001") @DecimalMin("0.0000001") @DecimalMax("0.1")
            double srmThreshold) {}

    /** Values a created test gets when its request leaves them out (also used by tests created from runs). */
    public record Defaults(
            @DefaultValue("0.5") @DecimalMin("0.01") @DecimalMax("0.99")
            double trafficSplit,

            @DefaultValue("score") @Pattern(regexp = "score|success|latency_ms")
            String primaryMetric,

            @DefaultValue("sequential") @Pattern(regexp = "sequential|fixed")
            String method,

            @DefaultValue("0.05") @DecimalMin("0.001") @DecimalMax("0.2")
            double alpha,

            @DefaultValue("5000") @DecimalMin("1") double sequentialTuning,
            @DefaultValue("200") @Min(2) int minSamplePerVariant,
            @DefaultValue("20000") @Min(2) int maxSamplePerVariant,

            @DefaultValue("0.95") @DecimalMin("0.01") @DecimalMax("1")
            Double minSuccessRateRatio,

            @DefaultValue("1.5") @DecimalMin("1") Double maxLatencyRatio,
            Double maxLatencyP95Ratio,
            @DefaultValue("true") boolean autoRollout,
            @DefaultValue("1.0") @NotEmpty List<@DecimalMin("0.01") @DecimalMax("1") Double> rolloutSteps,
            @DefaultValue("200") @Min(1) int rolloutStepObservations) {}

    /**
     * A test is created and started from {@code RunCompleted} when the run improved its baseline by at least
     * {@code minImprovementPercent}, no test is live for the predictor, and the run completed less than
     * {@code maxRunAge} ago (a service deployed after months of runs does not test the oldest of them). A run that
     * names two or more front instructions is tested with up to {@code maxTreatments} of them at once (a multi-arm
     * test, best first); 1 (the default) tests only the optimized instruction — a multi-arm test needs agents whose
     * client reads the routing's arms, so an operator opts in.
     */
    public record AutoCreate(
            @DefaultValue("true") boolean enabled,
            @DefaultValue("5.0") @DecimalMin("0") double minImprovementPercent,
            @DefaultValue("24h") @NotNull Duration maxRunAge,
            @DefaultValue("1") @Min(1) @Max(8) int maxTreatments) {}

    /**
     * The outbox relay that publishes routing and decisions.
     *
     * @param backlogInterval how often the outbox backlog gauges ({@code promptloop_outbox_backlog}, {@code
     *     promptloop_outbox_oldest_age_seconds}) are read from the database; a scrape never waits for it
     */
    public record Relay(
            @DefaultValue("200ms") @NotNull Duration interval,
            @DefaultValue("200") @Min(1) @Max(10000) int batchSize,
            @DefaultValue("10s") @NotNull Duration backlogInterval) {}
}
