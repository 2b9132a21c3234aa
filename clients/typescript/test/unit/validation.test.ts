/**
 * The validation table: each row is one rule of ingest-service's EventValidator / AvroEventMapper, with the
 * dead-letter reason ingest gives (README "How an agent publishes", "Dead letters").
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Publisher, type Event } from '../../src/publisher.js';
import { InvalidEventError } from '../../src/validation.js';
import { FakeRegistry, FakeSender } from '../fixtures.js';

const NOW = 1_760_000_000_000;
const SESSION = '9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d';
const TEST = '1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed';
const p = new Publisher({
  bootstrapServers: 'unused', registryUrl: 'unused', sender: new FakeSender(), registryClient: new FakeRegistry(),
  clock: () => NOW, limits: { maxTextLength: 50, maxSearchResults: 2, maxMetadataEntries: 2 },
});

type Fields = Record<string, unknown>;
const turn = (over: Fields = {}): [string, Fields] =>
  ['TurnRecorded', { turn_number: 1, user_message: 'q', agent_response: 'r', processing_time_ms: null, search_results: [],
    avg_similarity: null, total_chunks: null, confidence_score: null, template_used: null, instruction_id: null, metadata: {}, ...over }];
const session = ([kind, fields]: [string, Fields], o: { agent?: string; predictor?: string; sessionId?: string; eventId?: string; at?: number } = {}) =>
  p.sessionEvent(o.agent ?? 'a', o.predictor, o.sessionId ?? SESSION, kind, fields, { eventId: o.eventId, occurredAtMs: o.at });
const evaluation = (over: Fields = {}) =>
  p.evaluationEvent('a', null, { exampleId: 'ex-1', input: 'in', output: 'out', overallScore: 0.5, ...over } as never);
const observation = (over: Fields = {}) =>
  p.observationEvent('a', null, { testId: TEST, variant: 'treatment', unitId: 'u-1', score: 0.5, latencyMs: 10, success: true, ...over } as never);
const CHUNK = { chunk_id: 'c', document_title: null, chunk_text: 't', similarity: 0.5 };
const started = (f: Fields): [string, Fields] => ['SessionStarted', { master_prompt_version: null, branch_name: null, tester: null, metadata: {}, ...f }];
const note = (f: Fields): [string, Fields] => ['ImprovementNoted', { turn_number: 1, improvement_note: 'n', category: null, metadata: {}, ...f }];

const TABLE: [string, () => Promise<Event>, string, string][] = [
  ['event id not a UUID', () => session(turn(), { eventId: '42' }), 'invalid_value', 'event_id is not a UUID'],
  ['shortened UUID form Java accepts in fromString', () => session(turn(), { eventId: '1-2-3-4-5' }), 'invalid_value', 'event_id is not a UUID'],
  ['session id not a UUID', () => session(turn(), { sessionId: 's-1' }), 'invalid_value', 'session_id is not a UUID'],
  ['blank agent name', () => session(turn(), { agent: '  ' }), 'invalid_value', 'agent.agent_name is required'],
  ['agent name of 101 characters', () => session(turn(), { agent: 'a'.repeat(101) }), 'oversized', 'agent.agent_name has 101 characters, limit 100'],
  ['blank predictor', () => session(turn(), { predictor: ' ' }), 'invalid_value', 'agent.predictor_name must be null or non-blank'],
  ['occurred_at before 2000', () => session(turn(), { at: 0 }), 'invalid_value', 'is before 2000-01-01'],
  ['occurred_at beyond the clock skew', () => session(turn(), { at: NOW + 24 * 3600 * 1000 + 1 }), 'invalid_value', 'is in the future'],
  ['turn number 0', () => session(turn({ turn_number: 0 })), 'invalid_value', 'turn_number must be > 0, was 0'],
  ['blank user message', () => session(turn({ user_message: '\t ' })), 'invalid_value', 'user_message is required and must not be blank'],
  ['response over max-text-length', () => session(turn({ agent_response: 'x'.repeat(51) })), 'oversized', 'agent_response has 51 characters, limit 50'],
  ['length in UTF-16 units, as Java counts', () => session(turn({ agent_response: '🙂'.repeat(26) })), 'oversized', 'agent_response has 52 characters'],
  ['NUL in a text', () => session(turn({ user_message: 'a\u0000b' })), 'invalid_value', 'user_message contains a NUL character'],
  ['negative processing time', () => session(turn({ processing_time_ms: -1 })), 'invalid_value', 'processing_time_ms must be >= 0'],
  ['similarity above 1', () => session(turn({ avg_similarity: 1.01 })), 'invalid_value', 'avg_similarity must be within [0, 1]'],
  ['confidence NaN', () => session(turn({ confidence_score: NaN })), 'invalid_value', 'confidence_score must be within [0, 1]'],
  ['too many search results', () => session(turn({ search_results: [CHUNK, CHUNK, CHUNK] })), 'oversized', 'search_results has 3 entries, limit 2'],
  ['chunk similarity below 0', () => session(turn({ search_results: [{ ...CHUNK, similarity: -0.1 }] })), 'invalid_value', 'search_results[0].similarity must be within [0, 1]'],
  ['too many metadata entries', () => session(turn({ metadata: { a: '1', b: '2', c: '3' } })), 'oversized', 'metadata has 3 entries, limit 2'],
  ['blank metadata key', () => session(turn({ metadata: { ' ': '1' } })), 'invalid_value', 'metadata key is required'],
  ['instruction id not a UUID', () => session(turn({ instruction_id: 'v1' })), 'invalid_value', 'instruction_id is not a UUID'],
  ['blank improvement note', () => session(note({ improvement_note: '' })), 'invalid_value', 'improvement_note is required'],
  ['unknown note category', () => session(note({ category: 'MOOD' })), 'invalid_value', 'category must be one of'],
  ['tester email over 200', () => session(started({ tester: { id: null, email: 'e'.repeat(201), name: null } })), 'oversized', 'tester.email has 201 characters, limit 200'],
  ['end reason over max-text-length', () => session(['SessionEnded', { reason: 'r'.repeat(51) }]), 'oversized', 'reason has 51 characters'],
  ['blank example id', () => evaluation({ exampleId: '' }), 'invalid_value', 'example_id is required'],
  ['example id over 200', () => evaluation({ exampleId: 'e'.repeat(201) }), 'oversized', 'example_id has 201 characters, limit 200'],
  ['blank output', () => evaluation({ output: ' ' }), 'invalid_value', 'output is required'],
  ['overall score above 1', () => evaluation({ overallScore: 1.5 }), 'invalid_value', 'overall_score must be within [0, 1], was 1.5'],
  ['RAGAS score below 0', () => evaluation({ scores: { faithfulness: -0.2 } }), 'invalid_value', 'scores.faithfulness must be within [0, 1]'],
  ['rubric score below 1', () => evaluation({ scores: { actionability: 0.5 } }), 'invalid_value', 'scores.actionability must be within [1, 5]'],
  ['rubric score above 5', () => evaluation({ scores: { rubric_aggregate: 5.5 } }), 'invalid_value', 'scores.rubric_aggregate must be within [1, 5]'],
  ['unknown evaluator', () => evaluation({ evaluator: 'robot' }), 'invalid_value', "evaluator 'ROBOT' is not known"],
  ['evaluation turn number 0', () => evaluation({ turnNumber: 0 }), 'invalid_value', 'turn_number must be > 0'],
  ['request id not a UUID', () => evaluation({ requestId: 'r-1' }), 'invalid_value', 'request_id is not a UUID'],
  ['test id not a UUID', () => observation({ testId: 't-1' }), 'invalid_value', 'test_id is not a UUID'],
  ['unknown variant', () => observation({ variant: 'arm-3' }), 'invalid_value', 'variant must be one of'],
  ['unit id over 200', () => observation({ unitId: 'u'.repeat(201) }), 'oversized', 'unit_id has 201 characters, limit 200'],
  ['blank unit id', () => observation({ unitId: '' }), 'invalid_value', 'unit_id is required'],
  ['observation score NaN', () => observation({ score: NaN }), 'invalid_value', 'score must be within [0, 1]'],
  ['negative latency', () => observation({ latencyMs: -5 }), 'invalid_value', 'latency_ms must be >= 0, was -5'],
  ['covariate NaN', () => observation({ covariate: NaN }), 'invalid_value', 'covariate must be finite with |x| <= 1e12'],
  ['ratio numerator without denominator', () => observation({ ratioNumerator: 2 }), 'invalid_value', 'go together'],
  ['ratio denominator too large', () => observation({ ratioNumerator: 1, ratioDenominator: 1e13 }), 'invalid_value', 'ratio_denominator must be finite'],
];

for (const [why, build, reason, message] of TABLE) {
  test(`rejects before sending: ${why}`, async () => {
    await assert.rejects(build(), (e: unknown) => {
      assert.ok(e instanceof InvalidEventError, String(e));
      assert.equal(e.reason, reason);
      assert.ok(e.detail.includes(message), `${e.detail} should contain ${message}`);
      return true;
    });
  });
}

const ACCEPTED: [string, () => Promise<Event>][] = [
  ['a complete turn', () => session(turn({ search_results: [CHUNK, CHUNK], avg_similarity: 1, confidence_score: 0, metadata: { k: 'v' } }))],
  ['texts exactly at the limit', () => session(turn({ agent_response: 'x'.repeat(50) }))],
  ['occurred_at exactly at the clock skew', () => session(turn(), { at: NOW + 24 * 3600 * 1000 })],
  ['a non-breaking space is not blank in Java', () => session(turn({ user_message: '\u00a0' }))],
  ['upper-case UUIDs', () => session(turn(), { eventId: '6EC0BD7F-11C0-43DA-975E-2A8AD9EBAE0B' })],
  ['rubric scores at the bounds', () => evaluation({ scores: { causal_validity: 1, actionability: 5 } })],
  ['an observation without score or latency', () => observation({ score: null, latencyMs: null, variant: 'baseline' })],
  ['an observation with a covariate and ratio parts', () => observation({ covariate: -3.5, ratioNumerator: 2, ratioDenominator: 7 })],
];

for (const [why, build] of ACCEPTED) {
  test(`accepts what ingest accepts: ${why}`, async () => {
    assert.equal((await build()).payload[0], 0);
  });
}
