import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Agent, DeliveryError, partitionFor, producerConfig, Publisher } from '../../src/publisher.js';
import { decode, schemaText, topics, unframe } from '../../src/wire.js';
import { InvalidEventError } from '../../src/validation.js';
import { contract, FakeRegistry, FakeSender } from '../fixtures.js';

const NOW = 1_760_000_000_000;
const TEST = '1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed';

function make(clock = () => NOW, limits = {}) {
  const sender = new FakeSender();
  const registry = new FakeRegistry();
  const publisher = new Publisher({ bootstrapServers: 'unused', registryUrl: 'unused', sender, registryClient: registry, clock, limits });
  const agent = new Agent({ name: 'hr-assistant', predictor: 'answer', bootstrapServers: 'unused', registryUrl: 'unused', publisher });
  return { agent, sender, registry, publisher };
}

test("partitions keys as Java's default partitioner (partitions.json, computed by Kafka's BuiltInPartitioner)", () => {
  const rows = contract<{ key: string; partitions: number; partition: number }[]>('partitions.json');
  assert.ok(rows.length >= 100);
  for (const r of rows) assert.equal(partitionFor(r.key, r.partitions), r.partition, `${r.key} over ${r.partitions}`);
});

test("the producer is idempotent and uses Java's partitioner", () => {
  const config = producerConfig('broker:9092', { 'client.id': 'x' });
  assert.equal(config['enable.idempotence'], true);
  assert.equal(config.partitioner, 'murmur2_random');
  assert.equal(config.acks, 'all');
  assert.equal(config['client.id'], 'x');
});

test('keys each topic as the catalogue prescribes', async () => {
  const { agent, sender } = make();
  const s = await agent.session();
  await agent.recordEvaluation({ exampleId: 'e', input: 'i', output: 'o', overallScore: 1 });
  await agent.report(TEST, 'baseline', 'u-1', 0.9, 12, true);
  const keys = Object.fromEntries(sender.sent.map((m) => [m.topic, m.key]));
  assert.equal(topics().get('agent-sessions')!.key, 'session id (UUID)');
  assert.equal(keys['agent-sessions'], s.sessionId);
  assert.equal(topics().get('agent-evaluations')!.key, 'agent/predictor');
  assert.equal(keys['agent-evaluations'], 'hr-assistant/answer');
  assert.equal(topics().get('ab-observations')!.key, 'test id (UUID)');
  assert.equal(keys['ab-observations'], TEST);
});

test('stamps a new event id and occurred_at on each event, framed with the registry id', async () => {
  const { agent, registry } = make(() => NOW + 7);
  const s = await agent.session();
  const turn = await s.recordTurn({ userMessage: 'q', agentResponse: 'r' });
  const second = await s.recordTurn({ userMessage: 'q2', agentResponse: 'r2' });
  assert.equal(turn.value.occurred_at, NOW + 7);
  assert.notEqual(turn.value.event_id, second.value.event_id);
  const { schemaId, body } = unframe(turn.payload);
  assert.equal(schemaId, registry.ids.get('agent-sessions'));
  const decoded = decode(body, await registry.writerSchema('agent-sessions', schemaId), 'agent-sessions');
  assert.equal(decoded.event_id, turn.value.event_id);
  assert.equal(decoded.payload['io.promptloop.avro.session.TurnRecorded'].turn_number, 1);
  assert.equal(second.value.payload['io.promptloop.avro.session.TurnRecorded'].turn_number, 2);
});

test('a retry sends the same id and bytes', async () => {
  const { agent, sender } = make();
  sender.fail = true;
  const failed = await agent.report(TEST, 'treatment', 'u-1', 0.5, 3, true).then(() => undefined, (e) => e);
  assert.ok(failed instanceof DeliveryError);
  assert.match(failed.message, /broker down/);
  sender.fail = false;
  await agent.send(failed.event);
  const [first, again] = sender.sent;
  assert.deepEqual(first.value, again.value);
  assert.equal(first.key, again.key);
});

test('withSession ends the session, also when the work fails', async () => {
  const { agent, sender } = make();
  await agent.withSession({}, async (s) => { await s.recordTurn({ userMessage: 'q', agentResponse: 'r' }); });
  await assert.rejects(agent.withSession({}, async () => { throw new Error('boom'); }), /boom/);
  const kinds = sender.sent.map((m) =>
    Object.keys(decode(unframe(m.value).body, schemaText('agent-sessions'), 'agent-sessions').payload)[0].split('.').pop());
  assert.deepEqual(kinds, ['SessionStarted', 'TurnRecorded', 'SessionEnded', 'SessionStarted', 'SessionEnded']);
});

test('a session refuses a duplicate turn number and a note on an unknown turn', async () => {
  const { agent, sender } = make();
  const s = await agent.session();
  await s.recordTurn({ userMessage: 'q', agentResponse: 'r' });
  await assert.rejects(s.recordTurn({ userMessage: 'q', agentResponse: 'r', turnNumber: 1 }),
    (e: InvalidEventError) => e.reason === 'duplicate_turn_number');
  await assert.rejects(s.noteImprovement(2, 'shorter'), (e: InvalidEventError) => e.reason === 'unknown_reference');
  await s.noteImprovement(1, 'shorter', { category: 'clarity' });
  assert.equal(sender.sent.length, 3);
});

