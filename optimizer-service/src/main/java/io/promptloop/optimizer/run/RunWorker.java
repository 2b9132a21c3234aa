package io.promptloop.optimizer.run;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.promptloop.optimizer.run.persistence.RunStore;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Drives every unfinished run a little further on each tick. Replicas share the runs through PostgreSQL row
 * locks ({@code FOR UPDATE SKIP LOCKED}): a run is stepped by exactly one replica at a time and by any replica
 * after a crash — no coordinator of our own.
 */
@Component
class RunWorker {

    private static final Logger log = LoggerFactory.getLogger(RunWorker.class);
    private static final int MAX_STEPS_PER_TICK = 50;

    private final RunStore store;
    private final RunStepper stepper;
    private final TransactionTemplate transaction;
    private final JdbcClient jdbc;
    private final Counter steps;

    RunWorker(
            RunStore store,
            RunStepper stepper,
            TransactionTemplate transaction,
            JdbcClient jdbc,
            MeterRegistry meters) {
        this.store = store;
        this.stepper = stepper;
        this.transaction = transaction;
        this.jdbc = jdbc;
        this.steps = Counter.builder("promptloop.optimizer.run.steps")
                .description("run steps this replica carried out under the run's row lock")
                .register(meters);
    }

    @Scheduled(fixedDelayString = "${promptloop.optimizer.worker.poll-interval:500ms}")
    void tick() {
        // Every unfinished run, oldest first, not the first 20: a run that waits for answers is not touched, so
        // its updated_at stays old, and 20 such runs would keep a newer run from being stepped until they end. A
        // waiting run costs one lock and a time-out check here.
        List<UUID> runs = jdbc.sql(
                        "SELECT run_id FROM optimizer.prompt_optimization_runs WHERE status IN ('pending', 'running')"
                                + " ORDER BY updated_at")
                .query(UUID.class)
                .list();
        for (UUID runId : runs) {
            try {
                advance(runId);
            } catch (RuntimeException e) {
                log.error("run {}: step failed, will retry on the next tick", runId, e);
            }
        }
    }

    /** Steps one run until it has to wait for answers; false if another replica holds it. */
    boolean advance(UUID runId) {
        Boolean held = transaction.execute(status -> {
            if (!store.lock(runId)) return false;
            var run = store.find(runId).orElseThrow();
            stepper.checkTimeouts(run);
            return true;
        });
        if (!Boolean.TRUE.equals(held)) return false;
        for (int i = 0; i < MAX_STEPS_PER_TICK; i++) {
            RunStepper.Progress progress = transaction.execute(status -> {
                if (!store.lock(runId)) return null; // another replica took it between two steps
                return stepper.step(runId);
            });
            if (progress == null) break;
            steps.increment(); // counted once committed
            if (progress != RunStepper.Progress.CONTINUE) break;
        }
        return true;
    }
}
