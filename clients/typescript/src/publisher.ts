/**
 * Publishing agent events: built from plain values, validated by ingest's rules, framed with the registry's id of
 * the shipped schema, keyed and partitioned as the topic catalogue prescribes, sent by an idempotent producer.
 */
import { randomUUID } from 'node:crypto';
import { KafkaJS } from '@confluentinc/kafka-javascript';
import { Registry, type RegistryOptions } from './registry.js';
import {
  CATEGORIES,
  DEFAULT_LIMITS,
  DUPLICATE_TURN_NUMBER,
  InvalidEventError,
  UNKNOWN_REFERENCE,
  Validator,
  type Limits,
} from './validation.js';
import { encode, frame } from './wire.js';

export const AGENT_SESSIONS = 'agent-sessions';
export const AGENT_EVALUATIONS = 'agent-evaluations';
export const AB_OBSERVATIONS = 'ab-observations';
export const EVALUATION_REQUESTS = 'optimizer-evaluation-requests';
export const INSTRUCTION_ROUTING = 'instruction-routing';
const SESSION = 'io.promptloop.avro.session.';

/** Key of the agent/predictor-keyed topics (Topics.predictorKey): `agent` or `agent/predictor`. */
export function predictorKey(agent: string, predictor?: string | null): string {
  return predictor ? `${agent}/${predictor}` : agent;
}

/** Kafka's murmur2 (org.apache.kafka.common.utils.Utils.murmur2) as a signed 32-bit int. */
export function murmur2(data: Buffer): number {
  const length = data.length;
  const m = 0x5bd1e995;
  let h = (0x9747b28c ^ length) | 0;
  const whole = length - (length % 4);
  for (let i = 0; i < whole; i += 4) {
    let k = data.readInt32LE(i);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m);
    h ^= k;
  }
  const tail = length % 4;
  if (tail === 3) h ^= data[whole + 2] << 16;
  if (tail >= 2) h ^= data[whole + 1] << 8;
  if (tail >= 1) {
    h ^= data[whole];
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

/**
 * The partition Kafka's Java producer picks for a key (`toPositive(murmur2(key)) % partitions`); this package's
 * producer picks the same (librdkafka's `murmur2_random` partitioner).
 */
export function partitionFor(key: string, partitions: number): number {
  return (murmur2(Buffer.from(key, 'utf8')) & 0x7fffffff) % partitions;
}

/**
 * The Kafka entry point of this package's clients: librdkafka settings go in each client's config; the KafkaJS
 * layer logs warnings and errors only (its INFO lines say every connect and rebalance).
 */
export function kafkaClient(): KafkaJS.Kafka {
  return new KafkaJS.Kafka({ kafkaJS: { logLevel: KafkaJS.logLevel.WARN } as KafkaJS.KafkaConfig });
}

/** The producer settings every promptloop agent needs; `extra` (security, client id, ...) is added on top. */
export function producerConfig(bootstrapServers: string, extra: Record<string, unknown> = {}): Record<string, any> {
  return {
    'bootstrap.servers': bootstrapServers,
    // retries never duplicate or reorder a record
    'enable.idempotence': true,
    acks: 'all',
    // Java's default partitioner (murmur2 of the key bytes); librdkafka's default, consistent_random (CRC32),
    // would put a session's events on another partition than a Java agent does
    partitioner: 'murmur2_random',
    'linger.ms': 5,
    ...extra,
  };
}

/** One event, validated and encoded once: sending it again sends the same bytes, so its id survives retries. */
export interface Event {
  topic: string;
  key: string;
  value: Record<string, any>;
  payload: Buffer;
}

export interface Delivery {
  partition: number;
  offset: string;
}

/** What the publisher needs of a producer (the Kafka one, or a stand-in in unit tests). */
export interface Sender {
  send(topic: string, key: string, value: Buffer): Promise<Delivery>;
  close(): Promise<void>;
}

/** An event the broker did not acknowledge; `event` can be sent again as it is (same id, same bytes). */
export class DeliveryError extends Error {
  constructor(
    readonly event: Event,
    cause: unknown,
  ) {
    super(`${event.topic} ${event.value.event_id} not delivered: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = 'DeliveryError';
  }
}

/** The Kafka producer (Confluent's @confluentinc/kafka-javascript, KafkaJS API). */
export class KafkaSender implements Sender {
  private readonly producer: KafkaJS.Producer;
  private connected?: Promise<void>;

  constructor(bootstrapServers: string, extra: Record<string, unknown> = {}) {
    const kafka = kafkaClient();
    this.producer = kafka.producer(producerConfig(bootstrapServers, extra) as KafkaJS.ProducerConstructorConfig);
  }

  async send(topic: string, key: string, value: Buffer): Promise<Delivery> {
    this.connected ??= this.producer.connect();
    await this.connected;
    const [meta] = await this.producer.send({ topic, messages: [{ key, value }] });
    return { partition: meta.partition, offset: String(meta.baseOffset ?? meta.offset ?? '') };
  }

  async close(): Promise<void> {
    if (this.connected) {
      await this.connected.catch(() => undefined);
      await this.producer.disconnect();
    }
  }
}

export interface PublisherOptions {
  bootstrapServers: string;
  registryUrl: string;
  registry?: RegistryOptions;
  limits?: Partial<Limits>;
  producerConfig?: Record<string, unknown>;
  /** Milliseconds since the epoch; the clock of `occurred_at` and of the clock-skew rule. */
  clock?: () => number;
  /** Stand-ins for unit tests. */
  sender?: Sender;
  registryClient?: Pick<Registry, 'valueSchemaId' | 'writerSchema'>;
}

/** Builds, validates and sends events. */
export class Publisher {
  readonly validator: Validator;
  readonly registry: Pick<Registry, 'valueSchemaId' | 'writerSchema'>;
  readonly sender: Sender;
  private readonly clock: () => number;

  constructor(options: PublisherOptions) {
    this.clock = options.clock ?? Date.now;
    this.validator = new Validator({ ...DEFAULT_LIMITS, ...options.limits }, this.clock);
    this.registry = options.registryClient ?? new Registry(options.registryUrl, options.registry);
    this.sender = options.sender ?? new KafkaSender(options.bootstrapServers, options.producerConfig);
  }

  private envelope(agent: string, predictor: string | null | undefined, ids: Ids) {
    return {
      event_id: ids.eventId ?? randomUUID(),
      occurred_at: ids.occurredAtMs ?? this.clock(),
      agent: { agent_name: agent, predictor_name: predictor ?? null },
    };
  }

  private async encode(topic: string, key: string, value: Record<string, any>): Promise<Event> {
    const id = await this.registry.valueSchemaId(topic);
    let body: Buffer;
    try {
      body = encode(topic, value);
    } catch (e) {
      throw new InvalidEventError('invalid_value', `${topic}: ${(e as Error).message}`);
    }
    return { topic, key, value, payload: frame(id, body) };
  }

  /** A SessionEvent whose payload is `kind` (SessionStarted, TurnRecorded, ImprovementNoted, SessionEnded). */
  async sessionEvent(agent: string, predictor: string | null | undefined, sessionId: string, kind: string,
    fields: Record<string, unknown>, ids: Ids = {}): Promise<Event> {
    const value = { ...this.envelope(agent, predictor, ids), session_id: sessionId, payload: { [SESSION + kind]: fields } };
    this.validator.sessionEvent(value);
    return this.encode(AGENT_SESSIONS, sessionId, value);
  }

  async evaluationEvent(agent: string, predictor: string | null | undefined, e: EvaluationFields, ids: Ids = {}): Promise<Event> {
    const value = {
      ...this.envelope(agent, predictor, ids),
      example_id: e.exampleId,
      input: e.input,
      output: e.output,
      expected_behavior: e.expectedBehavior ?? null,
      category: e.category ?? null,
      scores: nullScores(e.scores),
      overall_score: e.overallScore,
      reasoning: e.reasoning ?? null,
      feedback: e.feedback ?? null,
      evaluator: (e.evaluator ?? 'AGENT').toUpperCase(),
      session_id: e.sessionId ?? null,
      turn_number: e.turnNumber ?? null,
      run_id: e.runId ?? null,
      candidate_id: e.candidateId ?? null,
      request_id: e.requestId ?? null,
    };
    this.validator.evaluation(value);
    return this.encode(AGENT_EVALUATIONS, predictorKey(agent, predictor), value);
  }

  async observationEvent(agent: string, predictor: string | null | undefined, o: ObservationFields, ids: Ids = {}): Promise<Event> {
    const value = {
      ...this.envelope(agent, predictor, ids),
      test_id: o.testId,
      variant: o.variant,
      unit_id: o.unitId,
      score: o.score ?? null,
      latency_ms: o.latencyMs ?? null,
      success: o.success,
      instruction_id: o.instructionId ?? null,
      covariate: o.covariate ?? null,
      ratio_numerator: o.ratioNumerator ?? null,
      ratio_denominator: o.ratioDenominator ?? null,
    };
    this.validator.observation(value);
    return this.encode(AB_OBSERVATIONS, o.testId, value);
  }

  /** Sends an event (again): same key, same bytes, same event id. Rejects with a {@link DeliveryError}. */
  async send(event: Event): Promise<Delivery> {
    try {
      return await this.sender.send(event.topic, event.key, event.payload);
    } catch (e) {
      throw new DeliveryError(event, e);
    }
  }

  async close(): Promise<void> {
    await this.sender.close();
  }
}

const SCORE_FIELDS = ['functionality', 'safety', 'consistency', 'edge_case_handling', 'faithfulness', 'answer_relevancy',
  'context_precision', 'context_recall', 'ragas_aggregate', 'causal_validity', 'actionability', 'rubric_aggregate'];

function nullScores(scores: Record<string, number | null | undefined> = {}): Record<string, number | null> {
  const unknown = Object.keys(scores).filter((k) => !SCORE_FIELDS.includes(k));
  if (unknown.length) throw new InvalidEventError('invalid_value', `unknown score dimension(s): ${unknown.join(', ')}`);
  return Object.fromEntries(SCORE_FIELDS.map((f) => [f, scores[f] ?? null]));
}

export interface Ids {
  /** Give an id to make a re-built event the same event; new events get a random UUID. */
  eventId?: string;
  occurredAtMs?: number;
}

export interface EvaluationFields {
  exampleId: string;
  input: string;
  output: string;
  overallScore: number;
  feedback?: string | null;
  reasoning?: string | null;
  expectedBehavior?: string | null;
  category?: string | null;
  /** Seed-004 and RAGAS dimensions in [0, 1], rubric ones (causal_validity, actionability, rubric_aggregate) in [1, 5]. */
  scores?: Record<string, number | null | undefined>;
  evaluator?: 'HUMAN' | 'LLM_JUDGE' | 'HEURISTIC' | 'AGENT' | 'OTHER' | string;
  sessionId?: string | null;
  turnNumber?: number | null;
  runId?: string | null;
  candidateId?: string | null;
  requestId?: string | null;
}

export interface ObservationFields {
  testId: string;
  variant: string;
  unitId: string;
  score?: number | null;
  latencyMs?: number | null;
  success: boolean;
  instructionId?: string | null;
  /** CUPED: the unit's value of the test's metric measured before it was first exposed; null when it has none. */
  covariate?: number | null;
  /** Ratio metric: this observation's numerator; sent with ratioDenominator or not at all. */
  ratioNumerator?: number | null;
  /** Ratio metric: this observation's denominator. */
  ratioDenominator?: number | null;
}

export interface SessionStart {
  testerId?: string;
  testerEmail?: string;
  testerName?: string;
  masterPromptVersion?: string;
  branchName?: string;
  metadata?: Record<string, string>;
  eventId?: string;
}

export interface Turn {
  userMessage: string;
  agentResponse: string;
  turnNumber?: number;
  processingTimeMs?: number;
  searchResults?: { chunkId: string; documentTitle?: string | null; chunkText: string; similarity: number }[];
  avgSimilarity?: number;
  totalChunks?: number;
  confidenceScore?: number;
  templateUsed?: string;
  instructionId?: string;
  metadata?: Record<string, string>;
  eventId?: string;
}

/**
 * One prompt-tuning session: its events share the session id as key, so they stay in order. Keeps the turn
 * numbers it sent, so a duplicate turn number or a note on a turn never sent fails here with ingest's reason.
 */
export class Session {
  private readonly turns = new Set<number>();
  private next = 1;
  ended = false;

  constructor(
    private readonly agent: Agent,
    readonly sessionId: string,
    sentTurns: number[] = [],
  ) {
    for (const t of sentTurns) this.remember(t);
  }

  private remember(turn: number) {
    this.turns.add(turn);
    this.next = Math.max(this.next, turn + 1);
  }

  private async emit(kind: string, fields: Record<string, unknown>, eventId?: string): Promise<Event> {
    const a = this.agent;
    const event = await a.publisher.sessionEvent(a.name, a.predictor, this.sessionId, kind, fields, { eventId });
    await a.publisher.send(event);
    return event;
  }

  start(s: SessionStart = {}): Promise<Event> {
    const tester = s.testerId || s.testerEmail || s.testerName
      ? { id: s.testerId ?? null, email: s.testerEmail ?? null, name: s.testerName ?? null } : null;
    return this.emit('SessionStarted', {
      master_prompt_version: s.masterPromptVersion ?? null,
      branch_name: s.branchName ?? null,
      tester,
      metadata: s.metadata ?? {},
    }, s.eventId);
  }

  /** Records a turn; `turnNumber` defaults to one more than the highest sent. */
  async recordTurn(t: Turn): Promise<Event> {
    const number = t.turnNumber ?? this.next;
    if (this.turns.has(number)) {
      throw new InvalidEventError(DUPLICATE_TURN_NUMBER, `turn ${number} of session ${this.sessionId} was already sent`);
    }
    this.remember(number); // claimed now, so that concurrent calls cannot take the same number
    try {
      return await this.emit('TurnRecorded', {
        turn_number: number,
        user_message: t.userMessage,
        agent_response: t.agentResponse,
        processing_time_ms: t.processingTimeMs ?? null,
        search_results: (t.searchResults ?? []).map((r) => ({
          chunk_id: r.chunkId, document_title: r.documentTitle ?? null, chunk_text: r.chunkText, similarity: r.similarity,
        })),
        avg_similarity: t.avgSimilarity ?? null,
        total_chunks: t.totalChunks ?? null,
        confidence_score: t.confidenceScore ?? null,
        template_used: t.templateUsed ?? null,
        instruction_id: t.instructionId ?? null,
        metadata: t.metadata ?? {},
      }, t.eventId);
    } catch (e) {
      if (e instanceof InvalidEventError) this.turns.delete(number); // never sent: the number is free again
      throw e;
    }
  }

  /** A tester's note on a turn this session sent; category: tone, content, citation, clarity, structure, action, other. */
  noteImprovement(turnNumber: number, note: string, options: { category?: string; metadata?: Record<string, string>; eventId?: string } = {}): Promise<Event> {
    if (!this.turns.has(turnNumber)) {
      return Promise.reject(new InvalidEventError(UNKNOWN_REFERENCE, `turn ${turnNumber} of session ${this.sessionId} was never sent`));
    }
    const upper = options.category?.toUpperCase();
    const category = upper && (CATEGORIES as readonly string[]).includes(upper) ? upper : options.category ?? null;
    return this.emit('ImprovementNoted', {
      turn_number: turnNumber, improvement_note: note, category, metadata: options.metadata ?? {},
    }, options.eventId);
  }

  async end(reason?: string, eventId?: string): Promise<Event> {
    const event = await this.emit('SessionEnded', { reason: reason ?? null }, eventId);
    this.ended = true;
    return event;
  }
}

export interface AgentOptions extends Omit<PublisherOptions, 'bootstrapServers' | 'registryUrl'> {
  name: string;
  predictor?: string | null;
  bootstrapServers: string;
  registryUrl: string;
  publisher?: Publisher;
}

/** What one agent (or one predictor of it) publishes. `await agent.close()` waits for the producer to drain. */
export class Agent {
  readonly name: string;
  readonly predictor: string | null;
  readonly publisher: Publisher;
  readonly bootstrapServers: string;

  constructor(options: AgentOptions) {
    this.name = options.name;
    this.predictor = options.predictor ?? null;
    this.bootstrapServers = options.bootstrapServers;
    this.publisher = options.publisher ?? new Publisher(options);
  }

  /** Opens a session (SessionStarted with the tester, prompt version, branch and metadata given). */
  async session(start: SessionStart & { sessionId?: string } = {}): Promise<Session> {
    const s = new Session(this, start.sessionId ?? randomUUID());
    await s.start(start);
    return s;
  }

  /** A handle on a session started earlier (no event is sent); `sentTurns` are the turns it already has. */
  resumeSession(sessionId: string, sentTurns: number[] = []): Session {
    return new Session(this, sessionId, sentTurns);
  }

  /** Runs `work` in a new session and ends it afterwards (reason `error` if `work` throws). */
  async withSession<T>(start: SessionStart & { sessionId?: string }, work: (s: Session) => Promise<T>): Promise<T> {
    const s = await this.session(start);
    try {
      const result = await work(s);
      if (!s.ended) await s.end();
      return result;
    } catch (e) {
      if (!s.ended) await s.end('error');
      throw e;
    }
  }

  async recordEvaluation(e: EvaluationFields, ids: Ids = {}): Promise<Event> {
    const event = await this.publisher.evaluationEvent(this.name, this.predictor, e, ids);
    await this.publisher.send(event);
    return event;
  }

  /** One request served under the A/B test `testId` (ObservationRecorded on ab-observations). */
  async report(testId: string, variant: string, unitId: string, score: number | null, latencyMs: number | null,
    success: boolean,
    options: { instructionId?: string; covariate?: number; ratioNumerator?: number; ratioDenominator?: number } & Ids = {},
  ): Promise<Event> {
    const event = await this.publisher.observationEvent(this.name, this.predictor,
      {
        testId, variant, unitId, score, latencyMs, success, instructionId: options.instructionId,
        covariate: options.covariate, ratioNumerator: options.ratioNumerator, ratioDenominator: options.ratioDenominator,
      }, options);
    await this.publisher.send(event);
    return event;
  }

  /** Sends an event again (after a DeliveryError): same id, same bytes. */
  send(event: Event): Promise<Delivery> {
    return this.publisher.send(event);
  }

  close(): Promise<void> {
    return this.publisher.close();
  }
}
