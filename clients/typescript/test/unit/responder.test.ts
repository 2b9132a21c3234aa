import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Publisher } from '../../src/publisher.js';
import { EvaluationResponder, type Evaluate } from '../../src/responder.js';
import { decode, encode, frame, schemaText, unframe } from '../../src/wire.js';
import { FakeRegistry, FakeSender } from '../fixtures.js';

const NOW = 1_760_000_000_000;
const RUN = '3f2b6c1e-8a4d-4f7b-9c2e-1d5a7b9e0f13';
const CANDIDATE = '9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d';
const REQUEST = '1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed';
const TOPIC = 'optimizer-evaluation-requests';

async function request(registry: FakeRegistry, o: { agent?: string; examples?: number; deadline?: number | null } = {}) {
  const value = {
    event_id: '6ec0bd7f-11c0-43da-975e-2a8ad9ebae0b', occurred_at: NOW, agent: { agent_name: o.agent ?? 'hr', predictor_name: null },
    request_id: REQUEST, run_id: RUN, candidate_id: CANDIDATE, instruction_text: 'Cite the policy section.',
    tool_descriptions: { search: 'finds policies' },
    examples: Array.from({ length: o.examples ?? 3 }, (_, i) => ({ example_id: `ex-${i}`, input: `question ${i}` })),
    deadline: o.deadline ?? null,
  };
  return frame(await registry.valueSchemaId(TOPIC), encode(TOPIC, value));
}

function make(evaluate: Evaluate, options: { concurrency?: number; onError?: (t: any, e: unknown) => void } = {}) {
  const sender = new FakeSender();
  const registry = new FakeRegistry();
  const publisher = new Publisher({ bootstrapServers: 'unused', registryUrl: 'unused', sender, registryClient: registry, clock: () => NOW });
  const responder = new EvaluationResponder({ publisher, bootstrapServers: '127.0.0.1:1', agent: 'hr', evaluate, clock: () => NOW, ...options });
  const answers = () => sender.sent.filter((m) => m.topic === 'agent-evaluations')
    .map((m) => decode(unframe(m.value).body, schemaText('agent-evaluations'), 'agent-evaluations'));
  return { responder, registry, answers };
}

test('answers each example with the run, candidate and request ids', async () => {
  const seen: string[] = [];
  const { responder, registry, answers } = make((t) => {
    seen.push(t.exampleId);
    assert.deepEqual(t.toolDescriptions, { search: 'finds policies' });
    return { output: `out ${t.exampleId}`, score: 0.75, feedback: 'ok' };
  });
  await responder.handle(await request(registry));
  await responder.idle();
  assert.deepEqual(seen, ['ex-0', 'ex-1', 'ex-2']);
  const out = answers();
  assert.deepEqual(out.map((a) => a.example_id).sort(), ['ex-0', 'ex-1', 'ex-2']);
  for (const a of out) {
    assert.deepEqual([a.run_id, a.candidate_id, a.request_id, a.evaluator, a.overall_score, a.feedback], [RUN, CANDIDATE, REQUEST, 'AGENT', 0.75, 'ok']);
  }
  assert.equal(responder.answered, 3);
});

test('a failing user function is reported and the loop goes on', async () => {
  const reported: [string, string][] = [];
  const { responder, registry, answers } = make(async (t) => {
    if (t.exampleId === 'ex-1') throw new Error('model timed out');
    if (t.exampleId === 'ex-2') return { output: 'o', score: 1.5 };
    return { output: 'o', score: 0.5 };
  }, { onError: (t, e) => reported.push([t.exampleId, (e as Error).message]) });
  await responder.handle(await request(registry));
  await responder.handle(await request(registry, { examples: 1 }));
  await responder.idle();
  assert.deepEqual(reported.sort(), [['ex-1', 'model timed out'], ['ex-2', 'invalid_value: overall_score must be within [0, 1], was 1.5']]);
  assert.equal(responder.failed, 2);
  assert.equal(responder.answered, 2);
  assert.deepEqual(answers().map((a) => a.example_id), ['ex-0', 'ex-0']);
});

test('skips other agents and expired requests', async () => {
  const { responder, registry, answers } = make(() => ({ output: 'o', score: 0.5 }));
  await responder.handle(await request(registry, { agent: 'someone-else' }));
  await responder.handle(await request(registry, { deadline: NOW - 1 }));
  const error = console.error;
  console.error = () => {};
  try {
    await responder.handle(Buffer.from([1, 2, 3]));
  } finally {
    console.error = error;
  }
  await responder.idle();
  assert.equal(answers().length, 0);
  assert.equal(responder.skipped, 2);
});

test('calls the user function at most `concurrency` at a time', { timeout: 10_000 }, async () => {
  let active = 0;
  let peak = 0;
  // calls are released in pairs: two must be inside at once (one at a time would never finish),
  // and a third one inside would raise the peak above 2
  let waiting: (() => void) | null = null;
  const pair = () => new Promise<void>((release) => {
    if (waiting) { const other = waiting; waiting = null; other(); release(); } else { waiting = release; }
  });
  const { responder, registry } = make(async () => {
    active++;
    peak = Math.max(peak, active);
    await pair();
    active--;
    return { output: 'o', score: 0.5 };
  }, { concurrency: 2 });
  await responder.handle(await request(registry, { examples: 8 }));
  await responder.idle();
  assert.equal(responder.answered, 8);
  assert.equal(peak, 2);
});
