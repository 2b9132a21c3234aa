package io.promptloop.optimizer.run;

import io.promptloop.optimizer.run.domain.Candidate;
import io.promptloop.optimizer.run.persistence.RunStore.CandidateRow;
import io.promptloop.optimizer.run.persistence.RunStore.ScoreValue;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What a replica has read of one run's recorded facts — its candidates and their scores, as the engine's snapshot
 * holds them — so that the next step reads only what was recorded since. Both are append-only in PostgreSQL (a
 * candidate or a score is never rewritten while its run is unfinished), so what was read stays true; reads that do
 * not continue what is held (a gap in the candidate indices, a score of an unknown candidate or with another value)
 * are refused, and the caller reads the run in full instead.
 *
 * <p>Not thread-safe: a run's steps are serialised by its row lock, {@link SteppedRuns} by a monitor.
 */
final class RunFacts {

    private final List<CandidateRow> rows = new ArrayList<>();
    private final List<Candidate> candidates = new ArrayList<>();
    private final Map<UUID, Integer> indexOf = new HashMap<>();
    private final Map<Integer, Map<String, Double>> scores = new HashMap<>();
    private final Map<Integer, Integer> reflections = new HashMap<>();
    private long scoreSeq = -1;
    private long textChars;

    private final List<CandidateRow> rowsView = Collections.unmodifiableList(rows);
    private final List<Candidate> candidatesView = Collections.unmodifiableList(candidates);
    private final Map<Integer, Map<String, Double>> scoresView = Collections.unmodifiableMap(scores);
    private final Map<Integer, Integer> reflectionsView = Collections.unmodifiableMap(reflections);

    /** How many candidates are held: the index of the first one not read yet. */
    int size() {
        return rows.size();
    }

    /** Every score of the run up to this position ({@code run_seq}) is held; -1 before the first read. */
    long scoreSeq() {
        return scoreSeq;
    }

    /** Characters of the candidates' texts and tool descriptions held: what the replica's memory bound weighs. */
    long textChars() {
        return textChars;
    }

    /**
     * Takes in candidates read from index {@link #size()} on, in index order. False, with part of them taken in,
     * when they do not continue the ones held; the facts are then of no further use.
     */
    boolean addCandidates(List<CandidateRow> read) {
        for (CandidateRow c : read) {
            if (c.index() != rows.size() || indexOf.containsKey(c.id())) return false;
            rows.add(c);
            candidates.add(c.toDomain());
            indexOf.put(c.id(), c.index());
            if (c.origin().equals("reflection") || c.origin().equals("merge"))
                reflections.put(c.iteration(), c.index());
            textChars += c.text().length();
            for (var tool : c.tools().entrySet())
                textChars += tool.getKey().length() + tool.getValue().length();
        }
        return true;
    }

    /**
     * Takes in scores read after {@link #scoreSeq()}, which the read saw up to position {@code readUpTo} (the run's
     * {@code last_score_seq} at the read, or later). A score held already with the same value is ignored (reads may
     * overlap). False, with part of them taken in, when a score names a candidate not held or changes a held value.
     */
    boolean addScores(List<ScoreValue> read, long readUpTo) {
        long seen = Math.max(scoreSeq, readUpTo);
        for (ScoreValue s : read) {
            Integer index = indexOf.get(s.candidateId());
            if (index == null) return false;
            Double held = scores.computeIfAbsent(index, k -> new HashMap<>()).putIfAbsent(s.exampleId(), s.score());
            if (held != null && Double.compare(held, s.score()) != 0) return false;
            seen = Math.max(seen, s.seq());
        }
        scoreSeq = seen;
        return true;
    }

    /** The candidates' rows by index (a view: grows with later reads). */
    List<CandidateRow> rows() {
        return rowsView;
    }

    /** The candidates as the engine sees them, by index (a view). */
    List<Candidate> candidates() {
        return candidatesView;
    }

    /** Known score per candidate index and example id (a view). */
    Map<Integer, Map<String, Double>> scores() {
        return scoresView;
    }

    /** The candidate each iteration's reflection (or merge) produced (a view). */
    Map<Integer, Integer> reflections() {
        return reflectionsView;
    }
}
