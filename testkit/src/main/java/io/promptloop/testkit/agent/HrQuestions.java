package io.promptloop.testkit.agent;

import java.util.List;
import java.util.Locale;

/**
 * Questions that managers ask an HR assistant, one per example index: twelve situations told about eight kinds
 * of employee, so the first 96 indexes are all different questions.
 */
final class HrQuestions {

    private HrQuestions() {}

    /** A kind of question and its test-case category. */
    private record Situation(String category, String template) {}

    private static final List<Situation> SITUATIONS = List.of(
            new Situation(
                    "attendance",
                    "%s on my team didn't show up for the morning shift and isn't answering the phone. What do I do?"),
            new Situation("attendance", "%s has been late four times this month. Can I write them up?"),
            new Situation(
                    "performance",
                    "%s keeps missing deadlines even after we talked about it. How do I start a performance plan?"),
            new Situation(
                    "conduct", "%s raised their voice at a customer yesterday. Is that grounds for a final warning?"),
            new Situation("leave", "%s asked for three weeks off to care for a sick parent. Do I have to approve it?"),
            new Situation(
                    "leave",
                    "%s says they need surgery next month and wants to know how sick leave works. What can I tell them?"),
            new Situation(
                    "conduct",
                    "Two people on my team complained that %s makes inappropriate jokes. How should I handle it?"),
            new Situation(
                    "scheduling",
                    "%s refuses to work the weekend shifts that everyone rotates through. What are my options?"),
            new Situation(
                    "termination",
                    "I want to let %s go after a third written warning. What do I need before I do that?"),
            new Situation(
                    "attendance",
                    "%s called in sick every Monday for the last six weeks. Can I ask for a doctor's note?"),
            new Situation(
                    "conduct",
                    "%s posted about our team on social media and it was not flattering. Can I discipline them?"),
            new Situation(
                    "performance",
                    "%s seems burnt out and their work has slipped a lot. How do I bring it up without making it worse?"));

    private static final List<String> EMPLOYEES = List.of(
            "a cashier",
            "a warehouse associate",
            "one of my nurses",
            "a new hire",
            "a senior engineer",
            "a part-time barista",
            "a delivery driver",
            "a call-center agent");

    /** The id of the example at {@code index} (0-based): {@code hr-001}, {@code hr-002}, ... */
    static String exampleId(int index) {
        return String.format(Locale.ROOT, "hr-%03d", index + 1);
    }

    /**
     * The question of the example at {@code index}. The employee index {@code 5(k + a) mod 8}, with {@code a} the
     * situation and {@code k} the round of twelve, differs for every round of the same situation, since 5 is
     * invertible modulo 8.
     */
    static String question(int index) {
        Situation situation = SITUATIONS.get(index % SITUATIONS.size());
        int round = index / SITUATIONS.size();
        String employee = EMPLOYEES.get(5 * (round + index % SITUATIONS.size()) % EMPLOYEES.size());
        String question = situation.template().formatted(employee);
        return Character.toUpperCase(question.charAt(0)) + question.substring(1);
    }

    /** The test-case category of the example at {@code index}. */
    static String category(int index) {
        return SITUATIONS.get(index % SITUATIONS.size()).category();
    }
}
