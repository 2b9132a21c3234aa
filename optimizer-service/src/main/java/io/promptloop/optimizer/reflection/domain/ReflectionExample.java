package io.promptloop.optimizer.reflection.domain;

import java.util.Objects;

/**
 * One evaluated example as the reflector sees it: what the predictor was given, what it answered, and how that
 * was judged.
 *
 * @param exampleId stable id of the example
 * @param input the task input (null is read as empty)
 * @param output the predictor's answer (null is read as empty)
 * @param score the metric's score of the answer, typically in [0, 1]
 * @param feedback the evaluator's textual feedback (null is read as empty)
 */
public record ReflectionExample(String exampleId, String input, String output, double score, String feedback) {

    public ReflectionExample {
        Objects.requireNonNull(exampleId, "exampleId");
        if (!Double.isFinite(score)) throw new IllegalArgumentException("score of " + exampleId + " is " + score);
        input = input == null ? "" : input;
        output = output == null ? "" : output;
        feedback = feedback == null ? "" : feedback;
    }
}
