package io.promptloop.ingest.session.domain;

import java.time.Instant;

/**
 * Which sessions to list or export.
 *
 * @param tester matches the tester's id or e-mail, exactly; null for all
 * @param agent agent name; null for all
 * @param status active (not ended) or ended; null for both
 * @param from sessions that started at or after this instant; null for no bound
 * @param to sessions that started before this instant; null for no bound
 */
public record SessionFilter(String tester, String agent, Status status, Instant from, Instant to) {

    public SessionFilter {
        if (from != null && to != null && !from.isBefore(to)) {
            throw new IllegalArgumentException("'from' (" + from + ") must be before 'to' (" + to + ")");
        }
    }

    public enum Status {
        ACTIVE,
        ENDED
    }
}
