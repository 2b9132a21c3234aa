package io.promptloop.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Samples the service's heap used every 500 ms and keeps the peak: with {@code jstat -gc} (eden + survivors +
 * old, read from the JVM's hsperfdata: no work for the service) or, as the brief has it, with the actuator's
 * {@code jvm.memory.used{area=heap}} over HTTP Basic, which costs the service one BCrypt check per request.
 */
final class HeapSampler implements AutoCloseable {

    /** How the heap is sampled. */
    enum Kind {
        jstat,
        actuator
    }

    record Peak(long bytes, int samples, String method) {
        String describe() {
            return samples == 0
                    ? "n/a (no sample answered)"
                    : String.format(
                            Locale.ROOT, "%.0f MiB (%s, %d samples every 500 ms)", bytes / 1048576.0, method, samples);
        }
    }

    private final String method;
    private final AtomicLong peak = new AtomicLong();
    private final AtomicLong samples = new AtomicLong();
    private final ScheduledExecutorService executor;
    private final Process jstat;

    private HeapSampler(String method, ScheduledExecutorService executor, Process jstat) {
        this.method = method;
        this.executor = executor;
        this.jstat = jstat;
    }

    static HeapSampler actuator(ServiceProcess service) {
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("bench-heap-sampler").factory());
        HeapSampler sampler = new HeapSampler("actuator jvm.memory.used{area=heap}", executor, null);
        executor.scheduleAtFixedRate(
                () -> service.heapUsedBytes().ifPresent(used -> sampler.record((long) used)),
                500,
                500,
                TimeUnit.MILLISECONDS);
        return sampler;
    }

    static HeapSampler jstat(ServiceProcess service) throws IOException {
        Process process = new ProcessBuilder(Harness.jdkTool("jstat"), "-gc", Long.toString(service.pid()), "500")
                .redirectErrorStream(true)
                .start();
        HeapSampler sampler = new HeapSampler("jstat -gc: S0U+S1U+EU+OU", null, process);
        Thread.ofPlatform().daemon().name("bench-jstat-reader").start(() -> sampler.readJstat(process));
        return sampler;
    }

    private void readJstat(Process process) {
        try (var reader = new java.io.BufferedReader(
                new java.io.InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            List<String> header = List.of();
            String line;
            while ((line = reader.readLine()) != null) {
                String[] cells = line.strip().split("\\s+");
                if (line.contains("EU")) {
                    header = List.of(cells);
                    continue;
                }
                if (header.isEmpty() || cells.length != header.size()) continue;
                double kb = 0;
                for (String column : List.of("S0U", "S1U", "EU", "OU")) {
                    kb += Double.parseDouble(cells[header.indexOf(column)].replace(',', '.'));
                }
                record((long) (kb * 1024));
            }
        } catch (IOException | RuntimeException e) {
            // the service or jstat ended
        }
    }

    private void record(long bytes) {
        peak.accumulateAndGet(bytes, Math::max);
        samples.incrementAndGet();
    }

    /** The peak since the last call. */
    synchronized Peak takePeak() {
        return new Peak(peak.getAndSet(0), (int) samples.getAndSet(0), method);
    }

    @Override
    public void close() {
        if (executor != null) executor.shutdownNow();
        if (jstat != null) jstat.destroy();
    }
}
