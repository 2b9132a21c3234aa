/**
 * The A/B assignment rule, the same as io.promptloop.schemas.Assignment: the first 8 bytes of SHA-256(UTF-8 of
 * `salt + ":" + unitId`), read as an unsigned big-endian number, modulo 10,000, are the unit's bucket; the unit is
 * in treatment when its bucket is below round-half-up(split × 10,000) (Java's Math.round).
 */
import { createHash } from 'node:crypto';

export const BUCKETS = 10_000;

/** The unit's bucket in [0, 10,000). */
export function bucket(salt: string, unitId: string): number {
  if (salt == null || unitId == null) throw new RangeError('salt and unitId are required');
  const digest = createHash('sha256').update(`${salt}:${unitId}`, 'utf8').digest();
  return Number(digest.readBigUInt64BE(0) % BigInt(BUCKETS));
}

/** Buckets in treatment for a split: Math.round(split × 10,000), ties up; `x - floor(x)` is exact. */
export function threshold(split: number): number {
  if (!(split >= 0 && split <= 1)) throw new RangeError(`traffic split must be in [0, 1], got ${split}`);
  const x = split * BUCKETS;
  const whole = Math.floor(x);
  return x - whole >= 0.5 ? whole + 1 : whole;
}

export function isTreatment(salt: string, unitId: string, split: number): boolean {
  return bucket(salt, unitId) < threshold(split);
}
