package io.promptloop.devstack.agent;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.random.RandomGenerator;

/**
 * When the simulated agent sends what: sessions start as a Poisson process at the configured rate, run
 * side by side, and each event is due at its {@code occurred_at}. No clock inside: the caller says what time
 * it is, so tests step through time.
 */
final class AgentSchedule {

    private record Pending(AgentRecord record, long sequence) {}

    private final AgentTraffic traffic;
    private final RandomGenerator random;
    private final double sessionsPerSecond;
    // ties at the same instant keep the order in which they were queued: a session's events stay in order
    private final PriorityQueue<Pending> queue = new PriorityQueue<>((a, b) -> {
        int byTime = a.record().occurredAt().compareTo(b.record().occurredAt());
        return byTime != 0 ? byTime : Long.compare(a.sequence(), b.sequence());
    });
    private Instant nextArrival;
    private long sequence;
    private long sessionsStarted;

    AgentSchedule(AgentTraffic traffic, RandomGenerator random, double sessionsPerSecond, Instant start) {
        if (!(sessionsPerSecond > 0) || Double.isInfinite(sessionsPerSecond)) {
            throw new IllegalArgumentException("sessions per second must be > 0, was " + sessionsPerSecond);
        }
        this.traffic = traffic;
        this.random = random;
        this.sessionsPerSecond = sessionsPerSecond;
        this.nextArrival = start;
    }

    /** Starts the sessions that have arrived by {@code now} and returns every record due by then, in order. */
    List<AgentRecord> due(Instant now) {
        while (!nextArrival.isAfter(now)) {
            for (AgentRecord record : traffic.nextSession(nextArrival).records()) {
                queue.add(new Pending(record, sequence++));
            }
            sessionsStarted++;
            // exponential gaps between arrivals: a Poisson process with the configured rate
            long gapNanos = Math.max(1, Math.round(random.nextExponential() / sessionsPerSecond * 1e9));
            nextArrival = nextArrival.plus(Duration.ofNanos(gapNanos));
        }
        List<AgentRecord> due = new ArrayList<>();
        while (!queue.isEmpty() && !queue.peek().record().occurredAt().isAfter(now)) {
            due.add(queue.poll().record());
        }
        return due;
    }

    /** When something is next due: the next session's start or the earliest queued event. */
    Instant nextWakeUp() {
        Instant next = nextArrival;
        if (!queue.isEmpty() && queue.peek().record().occurredAt().isBefore(next)) {
            next = queue.peek().record().occurredAt();
        }
        return next;
    }

    /** Everything still queued, in order (the rest of the sessions already started); starts no new session. */
    List<AgentRecord> drain() {
        List<AgentRecord> rest = new ArrayList<>(queue.size());
        while (!queue.isEmpty()) {
            rest.add(queue.poll().record());
        }
        return rest;
    }

    long sessionsStarted() {
        return sessionsStarted;
    }

    int queued() {
        return queue.size();
    }
}
