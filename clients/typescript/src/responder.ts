/**
 * Answering the optimizer: each EvaluationRequested for this agent is run through a user function per example, and
 * each result is published as an EvaluationRecorded carrying the run, candidate and request ids.
 */
import { KafkaJS } from '@confluentinc/kafka-javascript';
import { EVALUATION_REQUESTS, kafkaClient, type Publisher } from './publisher.js';
import { decode, unframe } from './wire.js';

/** One example of a candidate to run: the candidate instruction, its tool descriptions, the example input. */
export interface EvaluationTask {
  instructionText: string;
  toolDescriptions: Record<string, string>;
  exampleId: string;
  input: string;
  runId: string;
  candidateId: string;
  requestId: string;
  agent: string;
  predictor: string | null;
}

/** The user function's answer: the output it produced, a score in [0, 1] and feedback for the reflector. */
export interface Scored {
  output: string;
  score: number;
  feedback?: string | null;
  scores?: Record<string, number | null>;
}

export type Evaluate = (task: EvaluationTask) => Scored | Promise<Scored>;

export interface ResponderOptions {
  publisher: Publisher;
  bootstrapServers: string;
  agent: string;
  /** Only this predictor's requests; all of the agent's when absent. */
  predictor?: string | null;
  evaluate: Evaluate;
  /** User calls at a time (default 4). */
  concurrency?: number;
  groupId?: string;
  /** Told of every example whose evaluation failed (default: logged); the loop goes on. */
  onError?: (task: EvaluationTask, error: unknown) => void;
  consumerConfig?: Record<string, unknown>;
  clock?: () => number;
}

/**
 * Consumes optimizer-evaluation-requests (consumer group `groupId`), keeps the requests for `agent`, and answers
 * them with at most `concurrency` user calls at a time. A user function that throws, or whose answer ingest would
 * refuse (a score outside [0, 1]), is reported to `onError` and counted in `failed`; requests past their deadline
 * are skipped.
 */
export class EvaluationResponder {
  answered = 0;
  failed = 0;
  skipped = 0;
  private readonly consumer: KafkaJS.Consumer;
  private readonly limit: number;
  private inFlight = 0;
  private readonly slotFreed: (() => void)[] = [];
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly options: ResponderOptions) {
    this.limit = options.concurrency ?? 4;
    if (!(this.limit >= 1)) throw new RangeError(`concurrency must be >= 1, was ${this.limit}`);
    const kafka = kafkaClient();
    this.consumer = kafka.consumer({
      'bootstrap.servers': options.bootstrapServers,
      'group.id': options.groupId ?? `promptloop-evaluator-${options.agent}`,
      'auto.offset.reset': 'earliest',
      ...options.consumerConfig,
    } as KafkaJS.ConsumerConstructorConfig);
  }

  async start(): Promise<this> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [EVALUATION_REQUESTS] });
    void this.consumer.run({ eachMessage: async ({ message }) => this.handle(message.value) });
    return this;
  }

  /** Handles one record of optimizer-evaluation-requests (public for tests). */
  async handle(value: Buffer | null): Promise<void> {
    let request: Record<string, any>;
    try {
      const { schemaId, body } = unframe(value);
      const writer = await this.options.publisher.registry.writerSchema(EVALUATION_REQUESTS, schemaId);
      request = decode(body, writer, EVALUATION_REQUESTS);
    } catch (e) {
      this.skipped++;
      console.error(`${EVALUATION_REQUESTS}: skipped an unreadable request:`, e);
      return;
    }
    const agent = request.agent;
    if (agent.agent_name !== this.options.agent) return;
    if (this.options.predictor != null && agent.predictor_name !== this.options.predictor) return;
    const deadline = request.deadline;
    if (deadline != null && Number(deadline) < (this.options.clock ?? Date.now)()) {
      this.skipped++;
      return;
    }
    for (const example of request.examples) {
      const task: EvaluationTask = {
        instructionText: request.instruction_text,
        toolDescriptions: { ...(request.tool_descriptions ?? {}) },
        exampleId: example.example_id,
        input: example.input,
        runId: request.run_id,
        candidateId: request.candidate_id,
        requestId: request.request_id,
        agent: agent.agent_name,
        predictor: agent.predictor_name ?? null,
      };
      await this.acquire(); // bounded: the consumer waits while all slots are busy
      const work = this.answer(task).finally(() => {
        this.running.delete(work);
        this.release();
      });
      this.running.add(work);
    }
  }

  private async answer(task: EvaluationTask): Promise<void> {
    try {
      const result = await this.options.evaluate(task);
      const p = this.options.publisher;
      const event = await p.evaluationEvent(task.agent, task.predictor, {
        exampleId: task.exampleId,
        input: task.input,
        output: result.output,
        overallScore: result.score,
        feedback: result.feedback ?? null,
        scores: result.scores,
        evaluator: 'AGENT',
        runId: task.runId,
        candidateId: task.candidateId,
        requestId: task.requestId,
      });
      await p.send(event);
      this.answered++;
    } catch (e) {
      this.failed++;
      const report = this.options.onError ?? ((t: EvaluationTask, err: unknown) => console.error(
        `evaluation of example ${t.exampleId} for run ${t.runId} (request ${t.requestId}) failed; the optimizer asks again at its deadline:`, err));
      try {
        report(task, e);
      } catch (reportError) {
        console.error('onError threw:', reportError);
      }
    }
  }

  private acquire(): Promise<void> {
    if (this.inFlight < this.limit) {
      this.inFlight++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.slotFreed.push(() => { this.inFlight++; resolve(); }));
  }

  private release(): void {
    this.inFlight--;
    this.slotFreed.shift()?.();
  }

  /** Waits for the calls in flight to finish. */
  async idle(): Promise<void> {
    while (this.running.size) await Promise.allSettled([...this.running]);
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
    await this.idle();
  }
}
