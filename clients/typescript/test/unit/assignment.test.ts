import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bucket, isTreatment, threshold } from '../../src/assignment.js';
import { assignmentRows, contract } from '../fixtures.js';

test('buckets units like the shell reference (the fixture the Java AssignmentTest reads)', () => {
  const rows = assignmentRows();
  assert.ok(rows.length >= 14);
  for (const [salt, unit, expected, hex] of rows) {
    assert.equal(Number(BigInt('0x' + hex) % 10000n), expected, 'the fixture row agrees with itself');
    assert.equal(bucket(salt, unit), expected, `${salt}:${unit}`);
  }
});

test("rounds the threshold half up like Java's Math.round (thresholds.json, computed by Java)", () => {
  const rows = contract<{ split: number; threshold: number }[]>('thresholds.json');
  assert.ok(rows.some((r) => r.split === 0.00005 && r.threshold === 1));
  for (const r of rows) assert.equal(threshold(r.split), r.threshold, `split ${r.split}`);
});

test('puts buckets below the threshold in treatment, none at 0 and all at 1', () => {
  assert.equal(isTreatment('salt', 'user-1', 0.9252), true);
  assert.equal(isTreatment('salt', 'user-1', 0.9251), false);
  for (let i = 0; i < 200; i++) {
    assert.equal(isTreatment('edge', `u${i}`, 0), false);
    assert.equal(isTreatment('edge', `u${i}`, 1), true);
  }
});

test('rejects a split outside [0, 1]', () => {
  for (const split of [-0.1, 1.5, NaN]) assert.throws(() => threshold(split), /traffic split/);
});
