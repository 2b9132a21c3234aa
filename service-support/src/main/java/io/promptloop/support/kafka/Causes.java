package io.promptloop.support.kafka;

import java.util.Optional;
import org.springframework.core.NestedExceptionUtils;

/**
 * Walks a failure's cause chain, once for every place that asks what a failure is made of (the error handler, the
 * dead letters, the listeners' decoding). A chain that loops back on itself ends where it would repeat.
 */
public final class Causes {

    private Causes() {}

    /** The first throwable in the chain, the failure itself included, that is a {@code type}. */
    public static <T extends Throwable> Optional<T> find(Throwable failure, Class<T> type) {
        for (Throwable t = failure; t != null; t = next(t)) {
            if (type.isInstance(t)) return Optional.of(type.cast(t));
        }
        return Optional.empty();
    }

    /** True when the failure or one of its causes is a {@code type}. */
    public static boolean has(Throwable failure, Class<? extends Throwable> type) {
        return find(failure, type).isPresent();
    }

    /** The innermost cause (the failure itself when it has none): Spring's walk, which stops where a chain repeats. */
    public static Throwable root(Throwable failure) {
        return NestedExceptionUtils.getMostSpecificCause(failure);
    }

    private static Throwable next(Throwable t) {
        Throwable cause = t.getCause();
        return cause == t ? null : cause;
    }
}
