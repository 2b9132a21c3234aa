import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decode, encode, frame, parse, schemaText, topics, unframe, WireFormatError } from '../../src/wire.js';

test('frames with magic byte 0 and a 4-byte big-endian schema id', () => {
  const framed = frame(0x01020304, Buffer.from([0xaa, 0xbb]));
  assert.deepEqual([...framed], [0, 1, 2, 3, 4, 0xaa, 0xbb]);
  const { schemaId, body } = unframe(framed);
  assert.equal(schemaId, 0x01020304);
  assert.deepEqual([...body], [0xaa, 0xbb]);
});

test('refuses bytes that are not framed', () => {
  assert.throws(() => unframe(Buffer.from([1, 0, 0, 0, 1, 2])), (e: Error) => e instanceof WireFormatError && /magic byte 1/.test(e.message));
  assert.throws(() => unframe(Buffer.from([0, 0])), /shorter than the 5-byte header/);
  assert.throws(() => unframe(null), /0 bytes/);
});

test('ships a self-contained schema for every topic of the catalogue', () => {
  assert.deepEqual([...topics().keys()].sort(), ['ab-decisions', 'ab-observations', 'agent-evaluations', 'agent-sessions',
    'instruction-routing', 'optimizer-evaluation-requests', 'optimizer-events']);
  for (const name of topics().keys()) {
    const schema = JSON.parse(schemaText(name));
    const agent = schema.fields.find((f: { name: string }) => f.name === 'agent').type;
    assert.equal(`${agent.namespace}.${agent.name}`, 'io.promptloop.avro.common.AgentRef');
  }
});

const envelope = (payload: Record<string, unknown>) => ({
  event_id: '6ec0bd7f-11c0-43da-975e-2a8ad9ebae0b',
  occurred_at: 1_700_000_000_000,
  agent: { agent_name: 'a', predictor_name: null },
  session_id: '9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d',
  payload,
});
const S = 'io.promptloop.avro.session.';

test('writes the payload branch it is told, by full record name', () => {
  const ended = encode('agent-sessions', envelope({ [S + 'SessionEnded']: { reason: null } }));
  // SessionEnded{reason=null} would also fit SessionStarted (all defaults): branch 3, then reason's null branch
  assert.deepEqual([...ended.subarray(ended.length - 2)], [6, 0]);
  const header = ended.length - 2;
  const cases: [string, Record<string, unknown>, number][] = [
    ['SessionStarted', { master_prompt_version: null, branch_name: null, tester: null, metadata: {} }, 0],
    ['TurnRecorded', { turn_number: 1, user_message: 'q', agent_response: 'r', processing_time_ms: null, search_results: [],
      avg_similarity: null, total_chunks: null, confidence_score: null, template_used: null, instruction_id: null, metadata: {} }, 1],
    ['ImprovementNoted', { turn_number: 1, improvement_note: 'n', category: null, metadata: {} }, 2],
    ['SessionEnded', { reason: 'done' }, 3],
  ];
  for (const [name, fields, index] of cases) {
    const body = encode('agent-sessions', envelope({ [S + name]: fields }));
    assert.equal(body[header], index * 2, name);
    const decoded = decode(body, schemaText('agent-sessions'), 'agent-sessions');
    assert.deepEqual(Object.keys(decoded.payload), [S + name]);
  }
});

test('reads a record written with an older writer schema by field name', () => {
  const writer = JSON.parse(schemaText('ab-observations'));
  writer.fields = writer.fields.filter((f: { name: string }) => f.name !== 'instruction_id');
  const older = JSON.stringify(writer);
  const body = parse(older).toBuffer({ event_id: 'e', occurred_at: 1, agent: { agent_name: 'a', predictor_name: null },
    test_id: 't', variant: 'baseline', unit_id: 'u', score: 0.5, latency_ms: 3, success: true });
  const record = decode(body, older, 'ab-observations');
  assert.equal(record.instruction_id, null);
  assert.equal(record.unit_id, 'u');
});
