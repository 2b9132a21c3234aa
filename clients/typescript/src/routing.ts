/**
 * Following the compacted instruction-routing topic: the latest routing per agent/predictor, and which instruction
 * a unit is served by the SHA-256 rule.
 */
import { randomUUID } from 'node:crypto';
import { KafkaJS } from '@confluentinc/kafka-javascript';
import { bucket, threshold } from './assignment.js';
import { INSTRUCTION_ROUTING, kafkaClient, predictorKey } from './publisher.js';
import type { Registry } from './registry.js';
import { decode, unframe } from './wire.js';

export interface Instruction {
  id: string;
  version: number;
  text: string;
}

/** What a unit is served: the arm's name (`baseline`, `treatment`), its instruction, the live test if any. */
export interface Routed {
  variant: string;
  instruction: Instruction;
  testId: string | null;
  bucket: number | null;
}

type Rec = Record<string, any>;

/**
 * The non-baseline arms of a running test as [variant, share of traffic, instruction], read by field name so that
 * a record with more fields (a later, BACKWARD-compatible schema) reads the same: the `arms` list of a multi-arm
 * routing (each arm's label, weight and instruction, in the order of the K-arm rule), else the single treatment of
 * the two-arm fields.
 */
export function arms(test: Rec): [string, number, Instruction][] {
  const listed = test.arms as Rec[] | null | undefined;
  if (listed && listed.length > 0) {
    return listed.map((a): [string, number, Instruction] =>
      [a.variant, Number(a.weight), { id: a.instruction_id, version: Number(a.version), text: a.text }]);
  }
  return [['treatment', Number(test.traffic_split),
    { id: test.treatment_instruction_id, version: Number(test.treatment_version), text: test.treatment_text }]];
}

/**
 * The routing rule for one record: the active instruction unless a test is running and the unit's bucket falls in
 * an arm. Arms take consecutive bucket ranges from 0 in the order given; for the single treatment that is exactly
 * `bucket < round(split × 10,000)`.
 */
export function route(record: Rec, unitId: string): Routed {
  const baseline: Instruction = {
    id: record.active_instruction_id, version: Number(record.active_version), text: record.instruction_text,
  };
  const test = record.test;
  if (!test) return { variant: 'baseline', instruction: baseline, testId: null, bucket: null };
  const b = bucket(test.salt, unitId);
  let share = 0;
  for (const [variant, split, instruction] of arms(test)) {
    share += split;
    if (b < threshold(Math.min(share, 1))) return { variant, instruction, testId: test.test_id, bucket: b };
  }
  return { variant: 'baseline', instruction: baseline, testId: test.test_id, bucket: b };
}

export interface RoutingOptions {
  bootstrapServers: string;
  registry: Pick<Registry, 'writerSchema'>;
  consumerConfig?: Record<string, unknown>;
  /** Called for a record that cannot be read (it is skipped; the previous routing stays). */
  onError?: (error: unknown) => void;
}

/**
 * Reads instruction-routing from the beginning on every start (a fresh consumer group each time, no offsets
 * committed) and keeps the latest record per key. `ready` resolves once every partition has been read to the end
 * it had at start.
 */
export class Routing {
  private readonly latest = new Map<string, Rec>();
  private readonly waiters = new Set<() => void>();
  private readonly consumer: KafkaJS.Consumer;
  private readonly admin: KafkaJS.Admin;
  errors = 0;
  readonly ready: Promise<void>;

  private constructor(private readonly options: RoutingOptions) {
    const kafka = kafkaClient();
    this.consumer = kafka.consumer({
      'bootstrap.servers': options.bootstrapServers,
      'group.id': `promptloop-routing-${randomUUID()}`,
      'enable.auto.commit': false,
      'auto.offset.reset': 'earliest',
      ...options.consumerConfig,
    } as KafkaJS.ConsumerConstructorConfig);
    this.admin = kafka.admin({ 'bootstrap.servers': options.bootstrapServers } as KafkaJS.AdminConstructorConfig);
    let resolveReady!: () => void;
    this.ready = new Promise((r) => (resolveReady = r));
    this.resolveReady = resolveReady;
  }

  private resolveReady: () => void;
  private pending = new Map<number, bigint>();

  /** Connects and starts reading in the background. */
  static async start(options: RoutingOptions): Promise<Routing> {
    const routing = new Routing(options);
    await routing.begin();
    return routing;
  }

  private async begin(): Promise<void> {
    await this.admin.connect();
    const ends = await this.admin.fetchTopicOffsets(INSTRUCTION_ROUTING);
    await this.admin.disconnect();
    for (const p of ends) if (BigInt(p.high) > BigInt(p.low)) this.pending.set(p.partition, BigInt(p.high) - 1n);
    if (this.pending.size === 0) this.resolveReady();
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [INSTRUCTION_ROUTING] });
    void this.consumer.run({
      eachMessage: async ({ partition, message }) => {
        await this.apply(message.key, message.value);
        const last = this.pending.get(partition);
        if (last !== undefined && BigInt(message.offset) >= last) {
          this.pending.delete(partition);
          if (this.pending.size === 0) this.resolveReady();
        }
      },
    });
  }

  private async apply(key: Buffer | null, value: Buffer | null): Promise<void> {
    const k = key ? key.toString('utf8') : null;
    try {
      if (value === null) { // tombstone: the predictor has no routing any more
        if (k !== null) this.latest.delete(k);
      } else {
        const { schemaId, body } = unframe(value);
        const record = decode(body, await this.options.registry.writerSchema(INSTRUCTION_ROUTING, schemaId), INSTRUCTION_ROUTING);
        this.latest.set(predictorKey(record.agent.agent_name, record.agent.predictor_name), record);
      }
    } catch (e) {
      this.errors++;
      (this.options.onError ?? ((err) => console.error(`instruction-routing: skipped a record with key ${k}:`, err)))(e);
      return;
    }
    for (const w of [...this.waiters]) w();
  }

  /** The latest routing record of an agent/predictor, by field name, or undefined. */
  record(agent: string, predictor?: string | null): Rec | undefined {
    return this.latest.get(predictorKey(agent, predictor));
  }

  /** Resolves with the agent's routing record once `condition(record)` holds; rejects after `timeoutMs`. */
  waitFor(agent: string, predictor: string | null | undefined, condition: (r: Rec) => boolean, timeoutMs = 30_000): Promise<Rec> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const r = this.record(agent, predictor);
        if (r && condition(r)) {
          this.waiters.delete(check);
          clearTimeout(timer);
          resolve(r);
        }
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`no routing for ${predictorKey(agent, predictor)} met the condition within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  /** The variant and instruction (id, version, text) the unit is served, or undefined while there is no routing. */
  instructionFor(agent: string, predictor: string | null | undefined, unitId: string): Routed | undefined {
    const record = this.record(agent, predictor);
    return record ? route(record, unitId) : undefined;
  }

  async close(): Promise<void> {
    await this.consumer.disconnect();
  }
}
