package io.promptloop.abtest.experiment;

import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Looks at every live test with new observations on a fixed cadence. Replicas share the work through row locks (SKIP LOCKED): a test
 * is analysed by one replica at a time, and a failed look is simply taken again on the next tick.
 */
@Component
class AnalysisScheduler {

    private static final Logger log = LoggerFactory.getLogger(AnalysisScheduler.class);

    private final ExperimentAnalyst analyst;
    private final io.promptloop.abtest.experiment.persistence.ExperimentRepository tests;

    AnalysisScheduler(
            ExperimentAnalyst analyst, io.promptloop.abtest.experiment.persistence.ExperimentRepository tests) {
        this.analyst = analyst;
        this.tests = tests;
    }

    @Scheduled(fixedDelayString = "${promptloop.abtest.analysis.interval:2s}")
    void tick() {
        java.util.List<UUID> live;
        try {
            live = tests.liveTestsWithNewObservations();
        } catch (RuntimeException e) {
            log.warn("cannot list live tests, retrying on the next tick: {}", e.toString());
            return;
        }
        for (UUID id : live) {
            try {
                analyst.look(id);
            } catch (RuntimeException e) {
                log.warn("look at test {} failed, retrying on the next tick: {}", id, e.toString(), e);
            }
        }
    }
}
