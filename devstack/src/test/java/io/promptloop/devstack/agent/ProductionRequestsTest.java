package io.promptloop.devstack.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.promptloop.avro.common.AgentRef;
import io.promptloop.avro.observation.ObservationRecorded;
import io.promptloop.avro.routing.InstructionRouting;
import io.promptloop.avro.routing.RunningTest;
import io.promptloop.avro.routing.TreatmentArm;
import io.promptloop.schemas.Assignment;
import io.promptloop.testkit.agent.Rubric;
import io.promptloop.testkit.agent.SimulatedAnswers;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ProductionRequestsTest {

    private static final Instant NOW = Instant.parse("2026-01-05T09:00:00Z");
    private static final Rubric RUBRIC = Rubric.forExamples(List.of(), 3L);
    private static final List<String> QUESTIONS = SimulatedAnswers.baselineExampleIds(40);
    private static final String BASELINE_ID = "11111111-1111-4111-8111-111111111111";
    private static final String TREATMENT_ID = "22222222-2222-4222-8222-222222222222";
    private static final String TEST_ID = "33333333-3333-4333-8333-333333333333";
    private static final String BASELINE_TEXT = "Answer briefly and cite the policy section.";
    private static final String TREATMENT_TEXT = String.join("; ", Rubric.PHRASES);

    @Test
    void shouldReportNothingWhileNoTestRuns() {
        ProductionRequests requests = requests(1);

        for (int i = 0; i < 100; i++) {
            assertThat(requests.serve(routing(null), NOW)).isEmpty();
        }
    }

    @Test
    void shouldAssignEachUserByTheRuleAndScoreTheInstructionItServed() {
        ProductionRequests requests = requests(2);
        RunningTest test = test(0.5);

        List<ObservationRecorded> observations = serve(requests, routing(test), 4_000);

        int treated = 0;
        double baselineSum = 0;
        double treatmentSum = 0;
        for (ObservationRecorded o : observations) {
            boolean treatment = Assignment.isTreatment(test.getSalt(), o.getUnitId(), 0.5);
            assertThat(o.getVariant()).isEqualTo(treatment ? "treatment" : "baseline");
            assertThat(o.getInstructionId()).isEqualTo(treatment ? TREATMENT_ID : BASELINE_ID);
            assertThat(o.getTestId()).isEqualTo(TEST_ID);
            assertThat(o.getAgent().getAgentName()).isEqualTo("hr-assistant");
            assertThat(o.getScore()).isBetween(0.0, 1.0);
            assertThat(o.getLatencyMs()).isNotNegative();
            assertThat(o.getOccurredAt()).isEqualTo(NOW);
            if (treatment) {
                treated++;
                treatmentSum += o.getScore();
            } else {
                baselineSum += o.getScore();
            }
        }
        assertThat(treated / 4_000.0).isCloseTo(0.5, within(0.03));
        double baselineMean = baselineSum / (4_000 - treated);
        double treatmentMean = treatmentSum / treated;
        // the treatment covers every rubric phrase, the baseline at most one of an example's two to four
        assertThat(treatmentMean).isGreaterThan(0.85);
        assertThat(baselineMean).isLessThan(0.35);
    }

    @Test
    void shouldServeEveryUserTheWinnerWhileItIsRolledOutAtFullShare() {
        List<ObservationRecorded> observations = serve(requests(3), routing(test(1.0)), 500);

        assertThat(observations).hasSize(500).allMatch(o -> o.getVariant().equals("treatment"));
    }

    @Test
    void shouldRouteThreeArmsByTheKArmRuleUnderTheirOwnLabels() {
        // a multi-arm test's routing lists its arms; a user lands in the arm the K-arm rule gives
        List<TreatmentArm> arms =
                List.of(arm("treatment", "a1", 0.25), arm("treatment_2", "a2", 0.25), arm("treatment_3", "a3", 0.25));
        RunningTest test = RunningTest.newBuilder(test(0.25)).setArms(arms).build();

        List<ObservationRecorded> observations = serve(requests(4), routing(test), 2_000);

        int[] counts = new int[4];
        for (ObservationRecorded o : observations) {
            int arm = Assignment.arm(test.getSalt(), o.getUnitId(), new double[] {0.25, 0.25, 0.25});
            counts[arm]++;
            assertThat(o.getVariant())
                    .isEqualTo(arm == 0 ? "baseline" : arms.get(arm - 1).getVariant());
            assertThat(o.getInstructionId())
                    .isEqualTo(arm == 0 ? BASELINE_ID : arms.get(arm - 1).getInstructionId());
        }
        for (int count : counts) assertThat(count / 2_000.0).isCloseTo(0.25, within(0.05));
    }

    private static TreatmentArm arm(String variant, String id, double weight) {
        return TreatmentArm.newBuilder()
                .setVariant(variant)
                .setInstructionId(id)
                .setVersion(2)
                .setText(TREATMENT_TEXT)
                .setWeight(weight)
                .build();
    }

    @Test
    void shouldDrawTheSameRequestsFromTheSameSeed() {
        List<ObservationRecorded> first = serve(requests(42), routing(test(0.5)), 50);
        List<ObservationRecorded> second = serve(requests(42), routing(test(0.5)), 50);

        assertThat(first).isEqualTo(second);
        assertThat(serve(requests(43), routing(test(0.5)), 50)).isNotEqualTo(first);
    }

    private static List<ObservationRecorded> serve(ProductionRequests requests, InstructionRouting routing, int n) {
        List<ObservationRecorded> observations = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Optional<ObservationRecorded> o = requests.serve(routing, NOW);
            assertThat(o).isPresent();
            observations.add(o.get());
        }
        return observations;
    }

    private static ProductionRequests requests(long seed) {
        SplittableRandom ids = new SplittableRandom(~seed);
        return new ProductionRequests(
                new SplittableRandom(seed), RUBRIC, QUESTIONS, () -> new UUID(ids.nextLong(), ids.nextLong()));
    }

    private static RunningTest test(double split) {
        return RunningTest.newBuilder()
                .setTestId(TEST_ID)
                .setSalt("0f1e2d3c4b5a")
                .setTrafficSplit(split)
                .setTreatmentInstructionId(TREATMENT_ID)
                .setTreatmentVersion(2)
                .setTreatmentText(TREATMENT_TEXT)
                .build();
    }

    static InstructionRouting routing(RunningTest test) {
        return InstructionRouting.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setOccurredAt(NOW)
                .setAgent(new AgentRef("hr-assistant", null))
                .setActiveInstructionId(BASELINE_ID)
                .setActiveVersion(1)
                .setInstructionText(BASELINE_TEXT)
                .setInstructionHash("00")
                .setTest(test)
                .setReason(test == null ? "monitoring_complete" : "test_started")
                .build();
    }
}
