package io.promptloop.testkit;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Records no consumer can read, for poison-burst tests, and what a burst left in a service's log. */
public final class PoisonRecords {

    private PoisonRecords() {}

    /**
     * The i-th record of a burst: plain garbage, and every tenth Confluent framing with a schema id nobody has (each
     * a registry look-up that answers 404).
     */
    public static byte[] poison(int i) {
        if (i % 10 != 1) return ("garbage " + i).getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(9)
                .put((byte) 0)
                .putInt(900_000 + i)
                .putInt(i)
                .array();
    }

    /**
     * What a burst wrote to the log.
     *
     * @param lines every line written while the burst was consumed
     * @param markedLines lines that contain the marker (e.g. {@code "dead-lettered ab-observations"})
     * @param stackTraceLines lines of stack traces ({@code \tat ...}, {@code Caused by: ...})
     */
    public record LogVerdict(long lines, long markedLines, long stackTraceLines) {

        public static LogVerdict of(List<String> lines, String marker) {
            return new LogVerdict(
                    lines.size(),
                    lines.stream().filter(l -> l.contains(marker)).count(),
                    lines.stream()
                            .filter(l -> l.startsWith("\tat ") || l.startsWith("Caused by:"))
                            .count());
        }

        @Override
        public String toString() {
            return lines + " log lines in all, " + markedLines + " marked, " + stackTraceLines + " stack-trace lines";
        }
    }
}
