package io.promptloop.devstack.agent;

import io.promptloop.avro.routing.InstructionRouting;
import io.promptloop.avro.routing.RunningTest;
import io.promptloop.schemas.Topics;
import java.util.Locale;

/** One line a person watching the dev stack understands, for a record of the {@code instruction-routing} topic. */
final class RoutingNews {

    private RoutingNews() {}

    /** The routing as found at start (no change is implied). */
    static String current(InstructionRouting routing) {
        RunningTest test = routing.getTest();
        String line = predictor(routing) + " serves v" + routing.getActiveVersion();
        if (test != null) {
            line += ", test " + testId(test.getTestId()) + " routes " + percent(test.getTrafficSplit())
                    + " of users to v" + test.getTreatmentVersion();
        }
        return line + " (last change: " + routing.getReason() + ")";
    }

    /**
     * What changed from {@code previous} (null when the predictor had no routing) to {@code now}: a test started,
     * a rollout step, the winner rolled out, the test done, concluded without a winner, stopped or rolled back.
     */
    static String change(InstructionRouting previous, InstructionRouting now) {
        RunningTest test = now.getTest();
        RunningTest previousTest = previous == null ? null : previous.getTest();
        String testId = test != null ? test.getTestId() : previousTest != null ? previousTest.getTestId() : null;
        String who = predictor(now);
        String reason = now.getReason();
        int active = now.getActiveVersion();
        return switch (reason) {
            case "test_started" ->
                test == null
                        ? who + ": test started, serving v" + active
                        : "A/B test " + testId(testId) + " started for " + who + ": v" + active + " (baseline) vs v"
                                + test.getTreatmentVersion() + " (treatment), " + percent(test.getTrafficSplit())
                                + " of users to the treatment";
            case "rollout_step" ->
                "test " + testId(testId) + " rolls v" + (test == null ? "?" : test.getTreatmentVersion()) + " out to "
                        + (test == null ? "?" : percent(test.getTrafficSplit())) + " of users of " + who;
            case "rolled_out" ->
                "test " + testId(testId) + ": the treatment won; v" + active + " is rolled out to every user of " + who
                        + " (watched by its guardrails before the test ends)";
            case "monitoring_complete" ->
                "test " + testId(testId) + " done: v" + active + " is the active instruction of " + who;
            case "test_stopped" -> "test " + testId(testId) + " stopped by an operator; " + who + " serves v" + active;
            default -> {
                if (reason.startsWith("test_concluded_")) {
                    yield "test " + testId(testId) + " concluded without a treatment win ("
                            + reason.substring("test_concluded_".length()) + "); " + who + " keeps v" + active;
                }
                if (reason.startsWith("rolled_back") || reason.equals("manual")) {
                    yield "test " + testId(testId) + " ROLLED BACK (" + reason + "); " + who + " serves v" + active
                            + " again";
                }
                yield who + ": routing changed (" + reason + "), serving v" + active
                        + (test == null ? "" : ", test " + testId(testId) + " at " + percent(test.getTrafficSplit()));
            }
        };
    }

    private static String predictor(InstructionRouting routing) {
        return Topics.predictorKey(
                routing.getAgent().getAgentName(), routing.getAgent().getPredictorName());
    }

    private static String testId(String testId) {
        return testId == null ? "?" : testId;
    }

    private static String percent(double share) {
        return String.format(Locale.ROOT, "%.0f %%", share * 100);
    }
}
