package io.promptloop.optimizer.run;

import io.promptloop.optimizer.run.domain.GepaEngine;
import io.promptloop.optimizer.run.persistence.RunStore;
import io.promptloop.optimizer.run.persistence.RunStore.RunRow;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runs this replica stepped lately, each with its GEPA engine (the state the engine derived) and the facts it
 * read ({@link RunFacts}), so that a step reads from PostgreSQL only what was recorded since the last one: the
 * candidates from the first index not held, and the scores after the last position held — or nothing, when the
 * run row's {@code last_score_seq} (read by the step anyway) equals it. A step's reads are then proportional to
 * what is new, not to the run's history.
 *
 * <p>Why this is the state a full read would give: both positions grow in commit order within a run (candidates are
 * added by steps under the run's row lock with the next index; a score takes the next {@code last_score_seq} by
 * writing the run row, which a step's {@code FOR UPDATE} excludes), and nothing held is ever rewritten. So facts
 * another replica recorded while it stepped the run are exactly those past the positions held, whoever wrote them.
 * A read that does not continue what is held — the run's position behind the one held, a gap in the indices, a
 * score of a candidate not held or with another value — is answered by a full read, as is a run this replica has
 * not stepped yet (after a start or a crash) or no longer holds.
 *
 * <p>Bounded: at most {@value #MAX_RUNS} runs and {@value #MAX_TEXT_CHARS} characters of candidate texts, the
 * least recently stepped dropped first (a dropped run is read in full once, if stepped again); a run that ends is
 * dropped at once.
 */
final class SteppedRuns {

    private static final Logger log = LoggerFactory.getLogger(SteppedRuns.class);

    static final int MAX_RUNS = 64;
    static final long MAX_TEXT_CHARS = 32L << 20;

    /** One run's engine and facts; its monitor serialises their use within this replica. */
    static final class Entry {
        final GepaEngine engine = new GepaEngine();
        private RunFacts facts;
        private volatile long textChars; // read by trim without the entry's monitor

        RunFacts facts() {
            return facts;
        }
    }

    private final RunStore store;
    private final int maxRuns;
    private final long maxTextChars;
    private final Map<UUID, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
    private final AtomicLong fullReads = new AtomicLong();
    private final AtomicLong incrementalReads = new AtomicLong();

    SteppedRuns(RunStore store) {
        this(store, MAX_RUNS, MAX_TEXT_CHARS);
    }

    SteppedRuns(RunStore store, int maxRuns, long maxTextChars) {
        this.store = store;
        this.maxRuns = maxRuns;
        this.maxTextChars = maxTextChars;
    }

    /**
     * The run's entry with its facts brought up to date. To be called inside the step's transaction, under the run's
     * row lock, with the run row read under that lock.
     */
    Entry refresh(RunRow run) {
        Entry entry;
        synchronized (this) {
            entry = entries.computeIfAbsent(run.runId(), id -> new Entry());
        }
        synchronized (entry) {
            RunFacts held = entry.facts;
            if (held != null && catchUp(held, run)) {
                incrementalReads.incrementAndGet();
            } else {
                if (held != null)
                    log.info("run {}: what this replica held does not continue; read in full", run.runId());
                entry.facts = null; // a refused read may have taken part of what it read in
                entry.facts = readInFull(run);
                fullReads.incrementAndGet();
            }
            entry.textChars = entry.facts.textChars();
        }
        trim(run.runId());
        return entry;
    }

    /** Drops the run (it ended, or failed). */
    synchronized void forget(UUID runId) {
        entries.remove(runId);
    }

    /** Full reads so far: a run's first step on this replica, or a read that did not continue what was held. */
    long fullReads() {
        return fullReads.get();
    }

    /** Steps that read only what was new. */
    long incrementalReads() {
        return incrementalReads.get();
    }

    synchronized boolean holds(UUID runId) {
        return entries.containsKey(runId);
    }

    private boolean catchUp(RunFacts facts, RunRow run) {
        if (run.lastScoreSeq() < facts.scoreSeq()) return false; // not the run that was read: positions never go back
        if (!facts.addCandidates(store.candidatesFrom(run.runId(), facts.size()))) return false;
        if (run.lastScoreSeq() == facts.scoreSeq()) return true; // no score since: no read
        return facts.addScores(store.scoreValuesAfter(run.runId(), facts.scoreSeq()), run.lastScoreSeq());
    }

    private RunFacts readInFull(RunRow run) {
        RunFacts facts = new RunFacts();
        // under the row lock nothing of the run commits between these reads: they must fit together
        if (!facts.addCandidates(store.candidates(run.runId()))
                || !facts.addScores(store.scoreValues(run.runId()), run.lastScoreSeq())) {
            throw new IllegalStateException("run " + run.runId()
                    + ": its candidates and scores do not fit together (read outside the run's row lock?)");
        }
        return facts;
    }

    /** Drops the least recently stepped runs beyond the bounds, never the one just stepped. */
    private synchronized void trim(UUID current) {
        long chars = 0;
        for (Entry e : entries.values()) chars += e.textChars;
        Iterator<Map.Entry<UUID, Entry>> eldest = entries.entrySet().iterator();
        while ((entries.size() > maxRuns || chars > maxTextChars) && eldest.hasNext()) {
            Map.Entry<UUID, Entry> e = eldest.next();
            if (e.getKey().equals(current)) continue;
            chars -= e.getValue().textChars;
            eldest.remove();
        }
    }
}
