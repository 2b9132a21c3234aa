package io.promptloop.benchmarks;

import io.promptloop.avro.common.AgentRef;
import io.promptloop.avro.session.SearchResult;
import io.promptloop.avro.session.SessionEvent;
import io.promptloop.avro.session.TurnRecorded;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * A deterministic stream of seed-003-shaped {@code TurnRecorded} session events: event {@code i} depends only on
 * the seed and {@code i}, so the baselines regenerate exactly the rows the service was sent without keeping a
 * million events in memory.
 *
 * <p>Layout: sessions run in waves of {@code concurrentSessions} interleaved sessions (as many agents talking at
 * once), each getting up to {@value #TURNS_PER_SESSION} turns, turn numbers 1, 2, ... in publish order. Sizes
 * follow seed 003: a user message of about 100 characters, an agent response of about 500 (sometimes in
 * paragraphs), three RAG search results with about 200 characters of chunk text and a similarity, processing
 * time, confidence, average similarity, an instruction id and a small metadata map.
 */
final class TurnEvents {

    static final int TURNS_PER_SESSION = 20;
    static final Instant BASE = Instant.parse("2025-06-02T08:00:00Z");
    static final AgentRef AGENT = new AgentRef("hr-assistant", "answer");

    private static final String[] WORDS = Corpus.lines("corpus/words.txt");

    private static final String[] TITLES = Corpus.lines("corpus/titles.txt");

    private static final String[] INSTRUCTIONS = {
        "6f1c2d9e-3b1a-4c55-9d2e-0a7b8c9d0e11",
        "0b8e7a3c-5d24-4f61-8a90-1c2d3e4f5a62",
        "c4d5e6f7-0819-4a2b-9c3d-4e5f6a7b8c93"
    };

    private static final String[] CHANNELS = {"teams", "web", "slack", "mobile"};

    private final long seed;
    private final long count;
    private final int concurrentSessions;

    /**
     * @param seed what makes the stream what it is; same seed, same events
     * @param count events in the stream
     * @param concurrentSessions sessions interleaved at a time
     */
    TurnEvents(long seed, long count, int concurrentSessions) {
        if (count < 1 || concurrentSessions < 1) {
            throw new IllegalArgumentException("count and concurrentSessions must be positive");
        }
        this.seed = seed;
        this.count = count;
        this.concurrentSessions = concurrentSessions;
    }

    long count() {
        return count;
    }

    int concurrentSessions() {
        return concurrentSessions;
    }

    /** Session (0-based) and turn number (1-based) of event {@code i}. */
    record Slot(long session, int turn) {}

    Slot slot(long i) {
        if (i < 0 || i >= count) throw new IndexOutOfBoundsException(i);
        long waveSize = (long) concurrentSessions * TURNS_PER_SESSION;
        long wave = i / waveSize;
        long start = wave * waveSize;
        long inWave = Math.min(waveSize, count - start);
        long sessionsInWave = (inWave + TURNS_PER_SESSION - 1) / TURNS_PER_SESSION;
        long j = i - start;
        return new Slot(wave * concurrentSessions + j % sessionsInWave, (int) (j / sessionsInWave) + 1);
    }

    /** Number of sessions the stream touches. */
    long sessions() {
        long waveSize = (long) concurrentSessions * TURNS_PER_SESSION;
        long lastWave = (count - 1) / waveSize;
        long inLastWave = count - lastWave * waveSize;
        return lastWave * concurrentSessions + (inLastWave + TURNS_PER_SESSION - 1) / TURNS_PER_SESSION;
    }

    UUID sessionId(long session) {
        SplittableRandom rng = new SplittableRandom(mix(mix(seed ^ 0x5E55_1011_D000L) + session));
        return uuid(rng.nextLong(), rng.nextLong());
    }

    /** The event as a benchmark agent publishes it before the service is started. */
    SessionEvent event(long i) {
        Slot slot = slot(i);
        Instant at = BASE.plusSeconds(slot.session() * 9 + slot.turn() * 45L);
        return event(i, at, Map.of());
    }

    /** The event with another occurred_at and extra metadata entries (the latency phase's publish time). */
    SessionEvent event(long i, Instant occurredAt, Map<String, String> extraMetadata) {
        Slot slot = slot(i);
        SplittableRandom rng = new SplittableRandom(mix(mix(seed) + i));
        UUID eventId = uuid(rng.nextLong(), rng.nextLong());
        List<SearchResult> results = new ArrayList<>(3);
        double similarity = 0.98 - rng.nextDouble() * 0.1;
        double sum = 0;
        for (int r = 0; r < 3; r++) {
            double s = round4(similarity);
            sum += s;
            results.add(new SearchResult(
                    "chunk-" + rng.nextInt(100_000),
                    TITLES[rng.nextInt(TITLES.length)],
                    text(rng, around(rng, 200), '.', true),
                    s));
            similarity -= 0.02 + rng.nextDouble() * 0.12;
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("channel", CHANNELS[rng.nextInt(CHANNELS.length)]);
        metadata.put("locale", "en-US");
        metadata.putAll(extraMetadata);
        TurnRecorded turn = TurnRecorded.newBuilder()
                .setTurnNumber(slot.turn())
                .setUserMessage(text(rng, around(rng, 100), '?', false))
                .setAgentResponse(response(rng, around(rng, 500)))
                .setProcessingTimeMs(300 + rng.nextInt(3_700))
                .setSearchResults(results)
                .setAvgSimilarity(round4(sum / 3))
                .setTotalChunks(results.size())
                .setConfidenceScore(round4(0.4 + rng.nextDouble() * 0.59))
                .setTemplateUsed(rng.nextInt(4) == 0 ? "policy_answer_v2" : null)
                .setInstructionId(INSTRUCTIONS[rng.nextInt(INSTRUCTIONS.length)])
                .setMetadata(metadata)
                .build();
        return new SessionEvent(
                eventId.toString(), occurredAt, AGENT, sessionId(slot.session()).toString(), turn);
    }

    /** {@code target} ± 20 %. */
    private static int around(SplittableRandom rng, int target) {
        return target * 4 / 5 + rng.nextInt(target * 2 / 5 + 1);
    }

    private static String response(SplittableRandom rng, int length) {
        // two or three paragraphs, as chat responses come: exercises newline escaping in COPY and JSON
        int first = length / 3 + rng.nextInt(length / 4);
        String a = text(rng, first, '.', true);
        String b = text(rng, length - first - 2, '.', false);
        return a + "\n\n" + b;
    }

    /** Words of the vocabulary up to exactly {@code length} characters, ending with {@code end}. */
    static String text(SplittableRandom rng, int length, char end, boolean quoted) {
        StringBuilder out = new StringBuilder(length + 24);
        boolean capital = true;
        while (out.length() < length) {
            if (!out.isEmpty()) out.append(' ');
            String word = WORDS[rng.nextInt(WORDS.length)];
            if (capital) {
                out.append(Character.toUpperCase(word.charAt(0))).append(word, 1, word.length());
                capital = false;
            } else if (quoted && rng.nextInt(40) == 0) {
                out.append('"').append(word).append('"');
            } else {
                out.append(word);
            }
            if (rng.nextInt(14) == 0) {
                out.append(rng.nextInt(3) == 0 ? ',' : '.');
                capital = out.charAt(out.length() - 1) == '.';
            }
        }
        out.setLength(Math.max(0, length - 1));
        int last = out.length() - 1;
        if (last >= 0 && !Character.isLetter(out.charAt(last))) out.setCharAt(last, 's');
        return out.append(end).toString();
    }

    private static double round4(double value) {
        return Math.round(value * 10_000) / 10_000.0;
    }

    /** A version-4-shaped UUID from two random longs. */
    static UUID uuid(long high, long low) {
        return new UUID((high & ~0xF000L) | 0x4000L, (low & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L);
    }

    /** SplitMix64's finalizer: spreads neighbouring inputs over the whole range. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D0_49BB_1331_11EBL;
        return z ^ (z >>> 31);
    }
}
