import assert from 'node:assert/strict';
import { test } from 'node:test';
import { threshold } from '../../src/assignment.js';
import { route } from '../../src/routing.js';
import { assignmentArmRows, assignmentRows } from '../fixtures.js';

const BASE = {
  event_id: 'e', occurred_at: 1, agent: { agent_name: 'hr-assistant', predictor_name: null },
  active_instruction_id: 'base-id', active_version: 1, instruction_text: 'be brief', instruction_hash: 'h', test: null,
  reason: 'rolled_out',
};
const withTest = (split: number, salt = 'test-salt', extra: Record<string, unknown> = {}) => ({
  ...BASE,
  test: { test_id: 't-1', salt, traffic_split: split, treatment_instruction_id: 'treat-id', treatment_version: 2,
    treatment_text: 'be brief and cite', ...extra },
});

test('without a test every unit gets the active instruction', () => {
  assert.deepEqual(route(BASE, 'anyone'), {
    variant: 'baseline', instruction: { id: 'base-id', version: 1, text: 'be brief' }, testId: null, bucket: null,
  });
});

test('routes the fixture units by their buckets', () => {
  for (const [salt, unit, b] of assignmentRows()) {
    for (const split of [0, b / 10_000, (b + 1) / 10_000, 1]) {
      const routed = route(withTest(split, salt), unit);
      const inTreatment = b < threshold(split);
      assert.equal(routed.variant, inTreatment ? 'treatment' : 'baseline', `${salt}:${unit} at ${split}`);
      assert.equal(routed.bucket, b);
      assert.equal(routed.instruction.id, inTreatment ? 'treat-id' : 'base-id');
    }
  }
  assert.deepEqual(route(withTest(0.5864), 'carol').instruction, { id: 'treat-id', version: 2, text: 'be brief and cite' });
  assert.equal(route(withTest(0.5863), 'carol').variant, 'baseline');
});

test('reads records with fields it does not know', () => {
  const record = { ...withTest(1, 'x', { arms: null, other: [{ name: 'x' }] }), new_field: 'ignored' };
  assert.equal(route(record, 'u').variant, 'treatment');
});

const arm = (variant: string, weight: number, n: number) =>
  ({ variant, instruction_id: `arm-${n}`, version: n, text: `text ${n}`, weight });

test('routes the K-arm fixture by cumulative weights', () => {
  for (const [salt, unit, weights, b, expected] of assignmentArmRows()) {
    const listed = weights.map((w, i) => arm(i === 0 ? 'treatment' : `treatment_${i + 1}`, w, i + 1));
    const routed = route(withTest(weights[0], salt, { arms: listed }), unit);
    assert.equal(routed.bucket, b, `${salt}:${unit}`);
    assert.equal(routed.variant, expected === 0 ? 'baseline' : listed[expected - 1].variant, `${salt}:${unit} ${weights}`);
    assert.equal(routed.instruction.id, expected === 0 ? 'base-id' : `arm-${expected}`);
  }
});

test('one listed arm routes as the two-arm fields', () => {
  for (const [salt, unit, b] of assignmentRows()) {
    for (const split of [0, b / 10_000, (b + 1) / 10_000, 1]) {
      const two = route(withTest(split, salt), unit);
      const listed = route(withTest(split, salt, { arms: [arm('treatment', split, 1)] }), unit);
      assert.equal(listed.variant, two.variant, `${salt}:${unit} at ${split}`);
    }
  }
});
