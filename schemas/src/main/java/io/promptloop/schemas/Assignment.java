package io.promptloop.schemas;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The A/B assignment rule, part of the contract with agents (DESIGN.md, "A/B service"): agents compute it themselves
 * from the {@code instruction-routing} topic's salt and split, abtest-service answers the same over HTTP, and a unit
 * always sees the same arm. Java agents can use this class; agents in other languages implement the rule: the first 8 bytes of SHA-256(UTF-8 of {@code salt + ":" + unitId}), read as an
 * unsigned big-endian 64-bit number, modulo 10,000, is the unit's bucket; the unit is in treatment when its bucket
 * is below round(trafficSplit × 10,000). A test of K treatments lays its arms over the same buckets by cumulative
 * weights ({@link #arm}), so that the two-arm assignment is the one-arm case of the K-arm rule.
 */
public final class Assignment {

    /** Number of buckets: traffic splits have a resolution of 0.01%. */
    public static final int BUCKETS = 10_000;

    private Assignment() {}

    /** The unit's bucket in [0, 10,000). */
    public static int bucket(String salt, String unitId) {
        if (salt == null || unitId == null) {
            throw new IllegalArgumentException("salt and unitId are required");
        }
        byte[] hash = sha256().digest((salt + ":" + unitId).getBytes(StandardCharsets.UTF_8));
        long first8 = 0;
        for (int i = 0; i < 8; i++) {
            first8 = (first8 << 8) | (hash[i] & 0xFF);
        }
        // A signed remainder would be negative for hashes starting with a byte >= 0x80.
        return (int) Long.remainderUnsigned(first8, BUCKETS);
    }

    /**
     * True when the unit is in the treatment arm. The threshold is {@code Math.round(trafficSplit × 10,000)}
     * (rounded, not truncated, so that 0.57 × 10,000 = 5699.999999999999 in binary floating point means 5,700 buckets); split 0 never, 1
     * always.
     *
     * @throws IllegalArgumentException if trafficSplit is outside [0, 1]
     */
    public static boolean isTreatment(String salt, String unitId, double trafficSplit) {
        if (!(trafficSplit >= 0 && trafficSplit <= 1)) {
            throw new IllegalArgumentException("trafficSplit must be in [0, 1], got " + trafficSplit);
        }
        return bucket(salt, unitId) < Math.round(trafficSplit * BUCKETS);
    }

    /**
     * The unit's arm in a test of K treatments: 0 for the baseline, k (1-based) for treatment arm k. Arm k takes the
     * buckets [round(10,000 × (w_1 + … + w_(k−1))), round(10,000 × (w_1 + … + w_k))), the cumulative sums taken in
     * the given order; the baseline the buckets above the last arm's. For one arm it is {@link #isTreatment}: the
     * same unit lands in the same arm.
     *
     * @param treatmentWeights the treatment arms' shares in the routing's order, each in [0, 1], summing to ≤ 1
     * @throws IllegalArgumentException for weights outside [0, 1] or summing to more than 1
     */
    public static int arm(String salt, String unitId, double[] treatmentWeights) {
        if (treatmentWeights == null) {
            throw new IllegalArgumentException("treatmentWeights are required");
        }
        double cumulative = 0;
        for (double w : treatmentWeights) {
            if (!(w >= 0 && w <= 1)) {
                throw new IllegalArgumentException("a treatment weight must be in [0, 1], got " + w);
            }
            cumulative += w;
        }
        if (Math.round(cumulative * BUCKETS) > BUCKETS) {
            throw new IllegalArgumentException("treatment weights sum to more than 1: " + cumulative);
        }
        int bucket = bucket(salt, unitId);
        cumulative = 0;
        for (int k = 0; k < treatmentWeights.length; k++) {
            cumulative += treatmentWeights[k];
            if (bucket < Math.round(cumulative * BUCKETS)) {
                return k + 1;
            }
        }
        return 0;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must provide SHA-256", e);
        }
    }
}
