package io.promptloop.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * CPU time of the processes this benchmark started, by group, from {@code /proc} (Linux only; elsewhere every
 * figure is 0): a group's figure is user + system time of its root process, of the children it has reaped and
 * of its live descendants (PostgreSQL's backends are the postmaster's children). Also the whole machine's busy
 * time from {@code /proc/stat}, so that load from processes this benchmark did not start shows up as "other".
 */
final class CpuMeter {

    /** USER_HZ: the unit of /proc's CPU times on Linux, 100 on every mainstream architecture. */
    static final double TICKS_PER_SECOND = 100.0;

    private final Map<String, Root> groups = new LinkedHashMap<>();

    private record Root(long pid, boolean withDescendants) {}

    /** What was measured at one instant. */
    record Snapshot(long nanos, Map<String, Long> ticks, long machineBusy, long machineTotal, long[] machine) {}

    void add(String group, long pid, boolean withDescendants) {
        groups.put(group, new Root(pid, withDescendants));
    }

    Snapshot snapshot() {
        Map<String, Long> ticks = new LinkedHashMap<>();
        groups.forEach((name, root) -> {
            long sum = ticks(root.pid());
            if (root.withDescendants()) {
                sum += ProcessHandle.of(root.pid())
                        .map(h -> h.descendants().mapToLong(d -> ticks(d.pid())).sum())
                        .orElse(0L);
            }
            ticks.put(name, sum);
        });
        long[] machine = machineTicks();
        return new Snapshot(System.nanoTime(), ticks, machine[0], machine[1], machineFields());
    }

    /** CPU seconds per group between two snapshots, plus "other" (rest of the machine) and the machine's busy share. */
    static String report(Snapshot from, Snapshot to, int cpus) {
        double wall = (to.nanos() - from.nanos()) / 1e9;
        StringBuilder out = new StringBuilder();
        long ours = 0;
        List<String> parts = new ArrayList<>();
        for (var entry : to.ticks().entrySet()) {
            long delta = entry.getValue() - from.ticks().getOrDefault(entry.getKey(), 0L);
            ours += delta;
            parts.add(part(entry.getKey(), delta, wall));
        }
        long machineBusy = to.machineBusy() - from.machineBusy();
        long machineTotal = to.machineTotal() - from.machineTotal();
        parts.add(part("other processes", Math.max(0, machineBusy - ours), wall));
        out.append(String.join(", ", parts));
        out.append(String.format(
                Locale.ROOT,
                "; machine busy %.0f%% of %d CPUs over %.1f s",
                machineTotal == 0 ? 0.0 : 100.0 * machineBusy / machineTotal,
                cpus,
                wall));
        if (machineTotal > 0 && from.machine().length >= 8 && to.machine().length >= 8) {
            String[] names = {"user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal"};
            List<String> split = new ArrayList<>();
            for (int i = 0; i < names.length; i++) {
                if (i == 3) continue; // idle
                double share = 100.0 * (to.machine()[i] - from.machine()[i]) / machineTotal;
                if (share >= 0.5) split.add(String.format(Locale.ROOT, "%s %.0f%%", names[i], share));
            }
            out.append(" (").append(String.join(", ", split)).append(')');
        }
        return out.toString();
    }

    /** CPU seconds of {@code group} between two snapshots. */
    static double seconds(Snapshot from, Snapshot to, String group) {
        return (to.ticks().getOrDefault(group, 0L) - from.ticks().getOrDefault(group, 0L)) / TICKS_PER_SECOND;
    }

    /** The machine's busy share (0..1) between two snapshots. */
    static double machineBusy(Snapshot from, Snapshot to) {
        long total = to.machineTotal() - from.machineTotal();
        return total == 0 ? 0 : (double) (to.machineBusy() - from.machineBusy()) / total;
    }

    private static String part(String name, long ticks, double wall) {
        double seconds = ticks / TICKS_PER_SECOND;
        return String.format(Locale.ROOT, "%s %.1f cpu-s (%.2f cores)", name, seconds, wall > 0 ? seconds / wall : 0);
    }

    /** utime + stime + cutime + cstime of one process, 0 when it is gone or this is not Linux. */
    static long ticks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // the command name (field 2) may contain spaces: fields are counted after its closing parenthesis
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** {busy, total} ticks of all CPUs from /proc/stat; busy excludes idle and iowait. */
    static long[] machineTicks() {
        try {
            String line = Files.readAllLines(Path.of("/proc/stat")).getFirst();
            String[] f = line.trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < Math.min(f.length, 9); i++) total += Long.parseLong(f[i]); // up to steal
            long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
            return new long[] {total - idle, total};
        } catch (IOException | RuntimeException e) {
            return new long[] {0, 0};
        }
    }

    /**
     * CPU ticks (user + system) of each thread of {@code pid}, summed by thread name with digits replaced by "N"
     * (names are cut to 15 characters by Linux). Threads that ended are not in it.
     */
    static Map<String, Long> threadTicks(long pid) {
        Map<String, Long> byName = new LinkedHashMap<>();
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
                            .replaceAll("\\d+", "N");
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    byName.merge(name, Long.parseLong(f[11]) + Long.parseLong(f[12]), Long::sum);
                } catch (IOException | RuntimeException e) {
                    // the thread ended meanwhile
                }
            }
        } catch (IOException | RuntimeException e) {
            return Map.of();
        }
        return byName;
    }

    /** The thread groups that used most CPU between two {@link #threadTicks} snapshots, with their share. */
    static String topThreads(Map<String, Long> from, Map<String, Long> to, int limit) {
        Map<String, Long> delta = new LinkedHashMap<>();
        long total = 0;
        for (var e : to.entrySet()) {
            long d = e.getValue() - from.getOrDefault(e.getKey(), 0L);
            if (d > 0) {
                delta.put(e.getKey(), d);
                total += d;
            }
        }
        if (total == 0) return "n/a";
        long sum = total;
        List<String> parts = new ArrayList<>();
        delta.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(limit)
                .forEach(e -> parts.add(String.format(
                        Locale.ROOT,
                        "'%s' %.1f cpu-s (%.0f%%)",
                        e.getKey(),
                        e.getValue() / TICKS_PER_SECOND,
                        100.0 * e.getValue() / sum)));
        return String.join(", ", parts);
    }

    /** user, nice, system, idle, iowait, irq, softirq, steal ticks of all CPUs from /proc/stat. */
    static long[] machineFields() {
        try {
            String[] f =
                    Files.readAllLines(Path.of("/proc/stat")).getFirst().trim().split("\\s+");
            long[] values = new long[8];
            for (int i = 0; i < 8 && i + 1 < f.length; i++) values[i] = Long.parseLong(f[i + 1]);
            return values;
        } catch (IOException | RuntimeException e) {
            return new long[0];
        }
    }

    /** The command line of a process, or "" (Linux /proc). */
    static String commandLine(long pid) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "cmdline"))
                    .replace('\0', ' ');
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }
}
