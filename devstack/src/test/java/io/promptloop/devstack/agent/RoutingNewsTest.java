package io.promptloop.devstack.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.promptloop.avro.common.AgentRef;
import io.promptloop.avro.routing.InstructionRouting;
import io.promptloop.avro.routing.RunningTest;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RoutingNewsTest {

    private static final String TEST_ID = "33333333-3333-4333-8333-333333333333";

    @Test
    void shouldTellEachStepOfTheLoopInOneLine() {
        InstructionRouting started = routing(1, test(0.5), "test_started");
        InstructionRouting rolledOut = routing(2, test(1.0), "rolled_out");
        InstructionRouting done = routing(2, null, "monitoring_complete");

        assertThat(RoutingNews.change(null, started))
                .isEqualTo("A/B test " + TEST_ID + " started for hr-assistant: v1 (baseline) vs v2 (treatment),"
                        + " 50 % of users to the treatment");
        assertThat(RoutingNews.change(started, rolledOut))
                .startsWith("test " + TEST_ID + ": the treatment won; v2 is rolled out to every user of hr-assistant");
        assertThat(RoutingNews.change(rolledOut, done))
                .isEqualTo("test " + TEST_ID + " done: v2 is the active instruction of hr-assistant");
        assertThat(RoutingNews.change(rolledOut, routing(1, null, "rolled_back_guardrail")))
                .isEqualTo("test " + TEST_ID + " ROLLED BACK (rolled_back_guardrail); hr-assistant serves v1 again");
        assertThat(RoutingNews.change(started, routing(1, null, "test_concluded_futility")))
                .contains("concluded without a treatment win (futility)")
                .endsWith("keeps v1");
        assertThat(RoutingNews.current(started)).contains("routes 50 % of users to v2");
    }

    private static RunningTest test(double split) {
        return RunningTest.newBuilder()
                .setTestId(TEST_ID)
                .setSalt("s")
                .setTrafficSplit(split)
                .setTreatmentInstructionId("t")
                .setTreatmentVersion(2)
                .setTreatmentText("text")
                .build();
    }

    private static InstructionRouting routing(int activeVersion, RunningTest test, String reason) {
        return InstructionRouting.newBuilder()
                .setEventId("e")
                .setOccurredAt(Instant.EPOCH)
                .setAgent(new AgentRef("hr-assistant", null))
                .setActiveInstructionId("a")
                .setActiveVersion(activeVersion)
                .setInstructionText("text")
                .setInstructionHash("00")
                .setTest(test)
                .setReason(reason)
                .build();
    }
}
