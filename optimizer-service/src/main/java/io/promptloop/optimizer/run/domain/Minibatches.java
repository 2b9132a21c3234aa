package io.promptloop.optimizer.run.domain;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Epoch-shuffled minibatches: the train ids are shuffled once per epoch and cut into consecutive batches,
 * so every example is used once per epoch before any is used again. Iteration {@code t} takes positions
 * {@code t·b … t·b+b-1} of the endless sequence of shuffled epochs, so a batch depends only on the seed and
 * the iteration. Source: GEPA's {@code EpochShuffledBatchSampler} (gepa-ai/gepa, strategies/batch_sampler.py).
 */
public final class Minibatches {

    private Minibatches() {}

    public static List<String> forIteration(List<String> trainIds, int iteration, int size, long seed) {
        int n = trainIds.size();
        if (n == 0) throw new IllegalArgumentException("no train examples");
        int b = Math.min(size, n);
        List<String> batch = new ArrayList<>(b);
        long start = (long) iteration * b;
        for (long position = start; position < start + b; position++) {
            int epoch = (int) (position / n);
            List<String> shuffled = epoch(trainIds, epoch, seed);
            batch.add(shuffled.get((int) (position % n)));
        }
        return batch;
    }

    static List<String> epoch(List<String> ids, int epoch, long seed) {
        List<String> shuffled = new ArrayList<>(ids);
        SplittableRandom random = new SplittableRandom(GepaEngine.mix(seed, 0x5EEDL + epoch));
        for (int i = shuffled.size() - 1; i > 0; i--) { // Fisher–Yates
            int j = random.nextInt(i + 1);
            String tmp = shuffled.get(i);
            shuffled.set(i, shuffled.get(j));
            shuffled.set(j, tmp);
        }
        return shuffled;
    }
}
