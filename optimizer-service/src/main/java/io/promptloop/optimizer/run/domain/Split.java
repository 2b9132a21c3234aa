package io.promptloop.optimizer.run.domain;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Deterministic train/validation split by example id: an example is in validation when the first two bytes
 * of SHA-256(example id), as an unsigned number, fall below {@code validationFraction × 65536}. The same id is
 * always on the same side, whichever replica or run looks at it.
 */
public final class Split {

    private Split() {}

    public static boolean isValidation(String exampleId, double validationFraction) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(exampleId.getBytes(StandardCharsets.UTF_8));
            int bucket = ((digest[0] & 0xff) << 8) | (digest[1] & 0xff);
            return bucket < validationFraction * 65536;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String of(String exampleId, double validationFraction) {
        return isValidation(exampleId, validationFraction) ? "validation" : "train";
    }
}
