package io.promptloop.optimizer.reflection.domain;

/**
 * Proposes a better instruction for a predictor from its results on a minibatch: the reflection step of GEPA
 * (Agrawal et al., "GEPA: Reflective Prompt Evolution Can Outperform Reinforcement Learning", 2025).
 */
public interface Reflector {

    /**
     * @throws ReflectionException when no proposal can be made; {@link ReflectionException#retryable()} tells
     *     whether asking again later may succeed
     */
    Proposal propose(ReflectionRequest request) throws ReflectionException;

    /** A short, stable name recorded on the run, e.g. {@code "openai"}. */
    String name();
}
