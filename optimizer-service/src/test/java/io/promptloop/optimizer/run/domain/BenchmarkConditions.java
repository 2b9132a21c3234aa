package io.promptloop.optimizer.run.domain;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the optimizer's benchmarks print about the conditions they ran under. */
public final class BenchmarkConditions {

    private BenchmarkConditions() {}

    /** The load averages of /proc/loadavg, or the JVM's one-minute figure where that file does not exist. */
    public static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (Exception e) {
            return String.format(
                    "%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
    }

    /** CPU time of this process, or -1 where the JVM does not tell. */
    public static long processCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime()
                : -1;
    }
}
