package io.promptloop.devstack.agent;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The A/B assignment rule as an agent computes it from the {@code instruction-routing} topic (DESIGN.md, "A/B
 * service"): the first 8 bytes of SHA-256(UTF-8 of {@code salt + ":" + unitId}), read as an unsigned big-endian
 * 64-bit number, modulo 10,000, is the unit's bucket; the unit sees the treatment when its bucket is below
 * {@code Math.round(trafficSplit × 10,000)}. Written here from the rule, not borrowed from abtest-service: an agent
 * has only the topic and the rule, and this is what it would write.
 */
public final class TrafficAssignment {

    /** Buckets: a split has a resolution of 0.01 %. */
    public static final int BUCKETS = 10_000;

    private TrafficAssignment() {}

    /** The unit's bucket in [0, 10,000). */
    public static int bucket(String salt, String unitId) {
        if (salt == null || unitId == null) {
            throw new IllegalArgumentException("salt and unit id are required");
        }
        byte[] hash;
        try {
            hash = MessageDigest.getInstance("SHA-256").digest((salt + ":" + unitId).getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
        long first8 = 0;
        for (int i = 0; i < 8; i++) {
            first8 = (first8 << 8) | (hash[i] & 0xFF);
        }
        return (int) Long.remainderUnsigned(first8, BUCKETS);
    }

    /** Whether the unit is served the treatment at this split (0 never, 1 always). */
    public static boolean isTreatment(String salt, String unitId, double trafficSplit) {
        if (!(trafficSplit >= 0 && trafficSplit <= 1)) {
            throw new IllegalArgumentException("traffic split must be within [0, 1], was " + trafficSplit);
        }
        return bucket(salt, unitId) < Math.round(trafficSplit * BUCKETS);
    }
}
