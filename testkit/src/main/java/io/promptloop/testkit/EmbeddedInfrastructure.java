package io.promptloop.testkit;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** The three servers as child processes of this JVM, started in parallel, data in temporary directories. */
final class EmbeddedInfrastructure implements Infrastructure {

    static final String DATABASE = "promptloop";

    private final KafkaBroker kafka;
    private final Postgres postgres;
    private final ApicurioRegistry registry;

    private EmbeddedInfrastructure(KafkaBroker kafka, Postgres postgres, ApicurioRegistry registry) {
        this.kafka = kafka;
        this.postgres = postgres;
        this.registry = registry;
    }

    /** Starts all three, each logging to a file in {@code logDirectory}; stops any that started if one fails. */
    static EmbeddedInfrastructure start(Path logDirectory) {
        Directories.deleteLeftovers();
        KafkaBroker kafka =
                new KafkaBroker(KafkaBroker.Settings.defaults().withLogFile(logDirectory.resolve("kafka.log")));
        Postgres postgres = new Postgres(
                Postgres.Settings.defaults().withDatabase(DATABASE).withLogFile(logDirectory.resolve("postgres.log")));
        ApicurioRegistry registry = new ApicurioRegistry(
                ApicurioRegistry.Settings.defaults().withLogFile(logDirectory.resolve("apicurio-registry.log")));
        EmbeddedInfrastructure infrastructure = new EmbeddedInfrastructure(kafka, postgres, registry);
        ExecutorService executor = Executors.newFixedThreadPool(
                3,
                Thread.ofPlatform()
                        .daemon()
                        .name("promptloop-infrastructure-start-", 0)
                        .factory());
        try {
            List<CompletableFuture<Void>> starts = List.of(
                    CompletableFuture.runAsync(kafka::start, executor),
                    CompletableFuture.runAsync(postgres::start, executor),
                    CompletableFuture.runAsync(registry::start, executor));
            List<Throwable> failures = new ArrayList<>();
            for (CompletableFuture<Void> start : starts) {
                try {
                    start.join();
                } catch (CompletionException e) {
                    failures.add(e.getCause());
                }
            }
            if (!failures.isEmpty()) {
                infrastructure.close();
                IllegalStateException failure = new IllegalStateException(
                        "embedded infrastructure did not start: "
                                + failures.getFirst().getMessage(),
                        failures.getFirst());
                failures.stream().skip(1).forEach(failure::addSuppressed);
                throw failure;
            }
            return infrastructure;
        } finally {
            executor.shutdown();
        }
    }

    @Override
    public KafkaBroker kafka() {
        return kafka;
    }

    @Override
    public Postgres postgres() {
        return postgres;
    }

    @Override
    public ApicurioRegistry registry() {
        return registry;
    }

    /** Stops all three (registry first: it is the one nothing depends on) and removes their data. */
    @Override
    public void close() {
        RuntimeException failure = null;
        for (AutoCloseable server : List.<AutoCloseable>of(registry, kafka, postgres)) {
            try {
                server.close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = new IllegalStateException("stopping the embedded infrastructure failed", e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
