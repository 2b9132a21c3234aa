/**
 * The rules ingest-service applies to every agent event (its EventValidator and AvroEventMapper), checked before
 * anything is sent. A violation throws {@link InvalidEventError} whose `reason` is the dead-letter reason ingest
 * would have given (`promptloop-dlt-reason`). Lengths are UTF-16 code units, as Java's String.length() counts
 * (JavaScript's too); "blank" is Java's String.isBlank.
 */

export const INVALID_VALUE = 'invalid_value';
export const OVERSIZED = 'oversized';
export const UNKNOWN_REFERENCE = 'unknown_reference';
export const DUPLICATE_TURN_NUMBER = 'duplicate_turn_number';

export type RejectionReason =
  | typeof INVALID_VALUE
  | typeof OVERSIZED
  | typeof UNKNOWN_REFERENCE
  | typeof DUPLICATE_TURN_NUMBER;

const EARLIEST_MS = Date.UTC(2000, 0, 1);
export const VARIANTS = ['baseline', 'control', 'gepa', 'gepa_v2', 'treatment'] as const;
export const EVALUATORS = ['HUMAN', 'LLM_JUDGE', 'HEURISTIC', 'AGENT', 'OTHER'] as const;
export const CATEGORIES = ['TONE', 'CONTENT', 'CITATION', 'CLARITY', 'STRUCTURE', 'ACTION', 'OTHER'] as const;
const MAX_NAME = 100;
const MAX_ID = 200;
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
// Character.isWhitespace: Unicode space separators except the no-break ones, and these controls.
const JAVA_WHITESPACE = new Set(
  '\t\n\u000b\f\r\u001c\u001d\u001e\u001f \u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2008\u2009\u200a\u2028\u2029\u205f\u3000',
);

/** An event that ingest-service would dead-letter; nothing was sent. */
export class InvalidEventError extends Error {
  constructor(
    readonly reason: RejectionReason,
    readonly detail: string,
  ) {
    super(`${reason}: ${detail}`);
    this.name = 'InvalidEventError';
  }
}

/** ingest-service's `promptloop.ingest.limits.*` (defaults as shipped). */
export interface Limits {
  maxTextLength: number;
  maxSearchResults: number;
  maxMetadataEntries: number;
  maxClockSkewMs: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxTextLength: 100_000,
  maxSearchResults: 200,
  maxMetadataEntries: 100,
  maxClockSkewMs: 24 * 3600 * 1000,
};

const invalid = (message: string) => new InvalidEventError(INVALID_VALUE, message);

function blank(value: string): boolean {
  for (const c of value) if (!JAVA_WHITESPACE.has(c)) return false;
  return true;
}

export function uuid(field: string, value: unknown): void {
  if (value === null || value === undefined) throw invalid(`${field} is required`);
  if (typeof value !== 'string' || !UUID.test(value)) {
    const text = String(value);
    throw invalid(`${field} is not a UUID: '${text.length <= 60 ? text : text.slice(0, 60) + '...'}'`);
  }
}

function optionalUuid(field: string, value: unknown): void {
  if (value !== null && value !== undefined) uuid(field, value);
}

function requiredText(field: string, value: unknown, limit: number): void {
  if (typeof value !== 'string' || blank(value)) throw invalid(`${field} is required and must not be blank`);
  length(field, value, limit);
}

function optionalText(field: string, value: unknown, limit: number): void {
  if (value === null || value === undefined) return;
  if (typeof value !== 'string') throw invalid(`${field} must be a string`);
  length(field, value, limit);
}

function length(field: string, value: string, limit: number): void {
  if (value.length > limit) throw new InvalidEventError(OVERSIZED, `${field} has ${value.length} characters, limit ${limit}`);
  if (value.includes('\u0000')) throw invalid(`${field} contains a NUL character`);
}

function integer(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw invalid(`${field} must be an integer, was ${String(value)}`);
  return value;
}

function positive(field: string, value: unknown): void {
  if (integer(field, value) <= 0) throw invalid(`${field} must be > 0, was ${String(value)}`);
}

function nonNegative(field: string, value: unknown): void {
  if (integer(field, value) < 0) throw invalid(`${field} must be >= 0, was ${String(value)}`);
}

function unitInterval(field: string, value: unknown): void {
  if (value === null || value === undefined) return;
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) throw invalid(`${field} must be within [0, 1], was ${String(value)}`);
}

/** A finite number with |x| <= 1e12 (covariates, ratio parts), as the A/B service accepts them. */
function bounded(field: string, value: unknown): void {
  if (value === null || value === undefined) return;
  if (typeof value !== 'number' || !(Math.abs(value) <= 1e12)) {
    throw invalid(`${field} must be finite with |x| <= 1e12, was ${String(value)}`);
  }
}

function rubric(field: string, value: unknown): void {
  if (value === null || value === undefined) return;
  if (typeof value !== 'number' || !(value >= 1 && value <= 5)) throw invalid(`${field} must be within [1, 5], was ${String(value)}`);
}

function metadata(limits: Limits, entries: Record<string, string> | undefined): void {
  const keys = Object.keys(entries ?? {});
  if (keys.length > limits.maxMetadataEntries) {
    throw new InvalidEventError(OVERSIZED, `metadata has ${keys.length} entries, limit ${limits.maxMetadataEntries}`);
  }
  for (const k of keys) {
    requiredText('metadata key', k, MAX_ID);
    optionalText(`metadata['${k}']`, entries![k], limits.maxTextLength);
  }
}

type Rec = Record<string, any>;

/** Checks the Avro-shaped object of an event (field names as in the schemas) before it is encoded. */
export class Validator {
  constructor(
    readonly limits: Limits = DEFAULT_LIMITS,
    private readonly nowMs: () => number = Date.now,
  ) {}

  common(event: Rec): void {
    uuid('event_id', event.event_id);
    const agent = event.agent;
    if (!agent) throw invalid('agent is required');
    requiredText('agent.agent_name', agent.agent_name, MAX_NAME);
    optionalText('agent.predictor_name', agent.predictor_name, MAX_NAME);
    if (typeof agent.predictor_name === 'string' && blank(agent.predictor_name)) {
      throw invalid('agent.predictor_name must be null or non-blank');
    }
    const at = event.occurred_at;
    if (typeof at !== 'number' || !Number.isInteger(at) || at < EARLIEST_MS) {
      throw invalid(`occurred_at ${String(at)} is before 2000-01-01T00:00:00Z`);
    }
    const latest = this.nowMs() + this.limits.maxClockSkewMs;
    if (at > latest) throw invalid(`occurred_at ${at} is in the future (after ${latest})`);
  }

  /** A SessionEvent whose payload is `{ "<full record name>": fields }` (avsc's wrapped union). */
  sessionEvent(event: Rec): void {
    uuid('event_id', event.event_id);
    uuid('session_id', event.session_id);
    this.common(event);
    const [name] = Object.keys(event.payload);
    const p: Rec = event.payload[name];
    const kind = name.slice(name.lastIndexOf('.') + 1);
    const lim = this.limits;
    switch (kind) {
      case 'SessionStarted': {
        optionalText('master_prompt_version', p.master_prompt_version, MAX_ID);
        optionalText('branch_name', p.branch_name, MAX_ID);
        const tester = p.tester ?? {};
        optionalText('tester.id', tester.id, MAX_ID);
        optionalText('tester.email', tester.email, MAX_ID);
        optionalText('tester.name', tester.name, MAX_ID);
        metadata(lim, p.metadata);
        break;
      }
      case 'TurnRecorded': {
        positive('turn_number', p.turn_number);
        requiredText('user_message', p.user_message, lim.maxTextLength);
        requiredText('agent_response', p.agent_response, lim.maxTextLength);
        if (p.processing_time_ms != null) nonNegative('processing_time_ms', p.processing_time_ms);
        if (p.total_chunks != null) nonNegative('total_chunks', p.total_chunks);
        unitInterval('avg_similarity', p.avg_similarity);
        unitInterval('confidence_score', p.confidence_score);
        optionalText('template_used', p.template_used, MAX_ID);
        const results: Rec[] = p.search_results ?? [];
        if (results.length > lim.maxSearchResults) {
          throw new InvalidEventError(OVERSIZED, `search_results has ${results.length} entries, limit ${lim.maxSearchResults}`);
        }
        results.forEach((r, i) => {
          requiredText(`search_results[${i}].chunk_id`, r.chunk_id, MAX_ID);
          optionalText(`search_results[${i}].document_title`, r.document_title, MAX_ID * 5);
          requiredText(`search_results[${i}].chunk_text`, r.chunk_text, lim.maxTextLength);
          unitInterval(`search_results[${i}].similarity`, r.similarity);
        });
        optionalUuid('instruction_id', p.instruction_id);
        metadata(lim, p.metadata);
        break;
      }
      case 'ImprovementNoted': {
        positive('turn_number', p.turn_number);
        requiredText('improvement_note', p.improvement_note, lim.maxTextLength);
        if (p.category != null && !(CATEGORIES as readonly string[]).includes(p.category)) {
          throw invalid(`category must be one of [${CATEGORIES.map((c) => c.toLowerCase()).join(', ')}], was '${p.category}'`);
        }
        metadata(lim, p.metadata);
        break;
      }
      case 'SessionEnded':
        optionalText('reason', p.reason, lim.maxTextLength);
        break;
      default:
        throw invalid(`unknown session payload ${name}`);
    }
  }

  evaluation(e: Rec): void {
    uuid('event_id', e.event_id);
    this.common(e);
    const lim = this.limits;
    requiredText('example_id', e.example_id, MAX_ID);
    requiredText('input', e.input, lim.maxTextLength);
    requiredText('output', e.output, lim.maxTextLength);
    optionalText('expected_behavior', e.expected_behavior, lim.maxTextLength);
    optionalText('category', e.category, MAX_ID);
    optionalText('reasoning', e.reasoning, lim.maxTextLength);
    optionalText('feedback', e.feedback, lim.maxTextLength);
    if (!(EVALUATORS as readonly string[]).includes(e.evaluator)) throw invalid(`evaluator '${e.evaluator}' is not known`);
    const s: Rec = e.scores ?? {};
    for (const f of ['functionality', 'safety', 'consistency', 'edge_case_handling', 'faithfulness', 'answer_relevancy',
      'context_precision', 'context_recall', 'ragas_aggregate']) {
      unitInterval(`scores.${f}`, s[f]);
    }
    for (const f of ['causal_validity', 'actionability', 'rubric_aggregate']) rubric(`scores.${f}`, s[f]);
    if (e.overall_score === null || e.overall_score === undefined) throw invalid('overall_score is required');
    unitInterval('overall_score', e.overall_score);
    if (e.turn_number != null) positive('turn_number', e.turn_number);
    for (const f of ['session_id', 'run_id', 'candidate_id', 'request_id']) optionalUuid(f, e[f]);
  }

  observation(o: Rec): void {
    uuid('event_id', o.event_id);
    uuid('test_id', o.test_id);
    optionalUuid('instruction_id', o.instruction_id);
    this.common(o);
    if (!(VARIANTS as readonly string[]).includes(o.variant)) {
      throw invalid(`variant must be one of [${VARIANTS.join(', ')}], was '${o.variant}'`);
    }
    requiredText('unit_id', o.unit_id, MAX_ID);
    unitInterval('score', o.score);
    if (o.latency_ms != null) {
      if (integer('latency_ms', o.latency_ms) < 0) throw invalid(`latency_ms must be >= 0, was ${o.latency_ms}`);
    }
    if (typeof o.success !== 'boolean') throw invalid('success is required (true or false)');
    for (const f of ['covariate', 'ratio_numerator', 'ratio_denominator']) bounded(f, o[f]);
    if ((o.ratio_numerator == null) !== (o.ratio_denominator == null)) {
      throw invalid('ratio_numerator and ratio_denominator go together: one of them is missing');
    }
  }
}
