/** @promptloop/agent against the real stack (devstack: Kafka, PostgreSQL, Apicurio, ingest, optimizer, abtest). */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, test } from 'node:test';
import { Agent, EvaluationResponder, isTreatment, Registry, Routing, SchemaRegistryError, type Event } from '../../src/index.js';
import { contract } from '../fixtures.js';

const env = (name: string) => {
  const v = process.env[`PROMPTLOOP_IT_${name}`];
  if (!v) throw new Error(`PROMPTLOOP_IT_${name} is not set: run through module clients (ClientsIT)`);
  return v;
};
const stack = {
  bootstrap: env('BOOTSTRAP'), registry: env('REGISTRY'), ingest: env('INGEST_URL'), optimizer: env('OPTIMIZER_URL'),
  abtest: env('ABTEST_URL'), auth: 'Basic ' + Buffer.from(`${process.env.PROMPTLOOP_IT_USER ?? 'admin'}:${env('PASSWORD')}`).toString('base64'),
};

async function call(method: string, url: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(url, {
    method, headers: { Authorization: stack.auth, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try { parsed = text ? JSON.parse(text) : null; } catch { /* not JSON: keep the text */ }
  return { status: res.status, body: parsed };
}

async function eventually<T>(what: string, probe: () => Promise<T | null | undefined>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    last = await probe();
    if (last) return last as T;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${what} did not happen within ${timeoutMs / 1000} s (last: ${JSON.stringify(last)})`);
}

const agents: Agent[] = [];
const newAgent = (name: string) => {
  const a = new Agent({ name, bootstrapServers: stack.bootstrap, registryUrl: stack.registry });
  agents.push(a);
  return a;
};
after(async () => { for (const a of agents) await a.close(); });

test('a session lands in conversation once although sent twice', async () => {
  const sessionId = process.env.PROMPTLOOP_IT_SESSION_ID ?? randomUUID();
  const agent = newAgent('ts-it-agent');
  const s = await agent.session({ sessionId, testerEmail: 'tester@example.com', masterPromptVersion: 'v1' });
  const sent: Event[] = [];
  for (const i of [1, 2, 3]) sent.push(await s.recordTurn({ userMessage: `question ${i}`, agentResponse: `answer ${i}`, processingTimeMs: 10 * i }));
  sent.push(await s.noteImprovement(2, 'cite the policy section', { category: 'citation' }));
  sent.push(await s.end('done'));
  const stored = async (turn: number) => {
    const r = await call('GET', `${stack.ingest}/api/sessions/${sessionId}`);
    const ok = r.status === 200 && r.body.session.sessionEnd && r.body.session.totalImprovements === 1;
    return ok && r.body.turns.some((t: any) => t.turnNumber === turn) ? r.body : null;
  };
  await eventually('the session stored by ingest', () => stored(3));
  for (const e of sent) await agent.send(e); // an application-level retry: same ids, same bytes
  await s.recordTurn({ userMessage: 'question 4', agentResponse: 'answer 4' }); // read after the re-sent ones
  const body = await eventually('turn 4 stored', () => stored(4));
  assert.deepEqual(body.turns.map((t: any) => t.turnNumber), [1, 2, 3, 4]);
  assert.deepEqual([body.session.totalTurns, body.session.totalImprovements], [4, 1]);
  assert.deepEqual(body.turns.flatMap((t: any) => t.improvements.map((n: any) => n.note)), ['cite the policy section']);
});

test("the producer writes each key to the partition Java's producer picks", async () => {
  const rows = contract<{ key: string; partitions: number; partition: number }[]>('partitions.json').filter((r) => r.partitions === 6);
  const agent = newAgent('ts-it-partitions');
  for (const row of rows) {
    const slash = row.key.indexOf('/');
    const [name, predictor] = slash < 0 ? [row.key, null] : [row.key.slice(0, slash), row.key.slice(slash + 1)];
    const event = await agent.publisher.evaluationEvent(name, predictor,
      { exampleId: 'partition-check', input: 'i', output: 'o', overallScore: 0.9 });
    assert.equal(event.key, row.key);
    const delivery = await agent.send(event);
    assert.equal(delivery.partition, row.partition, row.key);
  }
});

test('schemas are looked up, not registered', async () => {
  const registry = new Registry(stack.registry);
  const ids = await Promise.all(['agent-sessions', 'agent-evaluations', 'ab-observations'].map((t) => registry.valueSchemaId(t)));
  assert.equal(new Set(ids).size, 3);
  // the shipped schema of ab-observations under a subject that does not hold it: an error, nothing registered
  const fresh = new Registry(stack.registry);
  const client = fresh.client as any;
  const rename = (s: string) => s.replace('ab-observations-value', 'ts-it-unknown-value');
  const latest = client.getLatestSchemaMetadata.bind(client);
  const getId = client.getId.bind(client);
  client.getLatestSchemaMetadata = (s: string) => latest(rename(s));
  client.getId = (s: string, ...rest: unknown[]) => getId(rename(s), ...rest);
  await assert.rejects(fresh.valueSchemaId('ab-observations'),
    (e: Error) => e instanceof SchemaRegistryError && /does not hold the schema/.test(e.message));
  assert.equal((await call('GET', `${stack.registry}/subjects/ts-it-unknown-value/versions`)).status, 404);
});

async function register(agent: string, text: string, activate: boolean) {
  const r = await call('POST', `${stack.optimizer}/api/instructions`, { agent, predictor: null, text, activate });
  assert.ok(r.status === 200 || r.status === 201, JSON.stringify(r.body));
  return r.body;
}

test('an SDK agent routes units by the rule and its observations are counted', async () => {
  const name = `ts-ab-${randomUUID().slice(0, 8)}`;
  const baseline = await register(name, 'Answer briefly.', true);
  const treatment = await register(name, 'Answer briefly and cite the policy section.', false);
  const created = await call('POST', `${stack.abtest}/api/tests`, {
    agent: name, treatmentInstructionId: treatment.id, trafficSplit: 0.5, start: true,
    minSamplePerVariant: 100000, maxSamplePerVariant: 200000, autoRollout: false,
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const testId = created.body.testId;
  const agent = newAgent(name);
  const routing = await Routing.start({ bootstrapServers: stack.bootstrap, registry: agent.publisher.registry });
  const sent: Record<string, number> = { baseline: 0, treatment: 0 };
  try {
    await routing.ready;
    const record = await routing.waitFor(name, null, (r) => r.test?.test_id === testId, 60_000);
    for (let i = 0; i < 40; i++) {
      const unit = `user-${i}`;
      const routed = routing.instructionFor(name, null, unit)!;
      const answer = await call('GET', `${stack.abtest}/api/assignment?agent=${name}&unit=${unit}`);
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      assert.deepEqual([routed.variant, routed.bucket], [answer.body.variant, answer.body.bucket], unit);
      assert.equal(routed.instruction.id, answer.body.instructionId);
      assert.equal(routed.instruction.text, answer.body.instructionText);
      assert.equal(routed.instruction.id, (routed.variant === 'baseline' ? baseline : treatment).id);
      assert.equal(routed.variant, isTreatment(record.test.salt, unit, 0.5) ? 'treatment' : 'baseline');
      await agent.report(testId, routed.variant, unit, routed.variant === 'treatment' ? 0.8 : 0.6, 20 + i, true,
        { instructionId: routed.instruction.id });
      sent[routed.variant]++;
    }
  } finally {
    await routing.close();
  }
  assert.ok(sent.baseline > 0 && sent.treatment > 0);
  await eventually(`abtest counting ${JSON.stringify(sent)}`, async () => {
    const r = await call('GET', `${stack.abtest}/api/tests/${testId}`);
    if (r.status !== 200) return null;
    const arms = Object.fromEntries(Object.entries(r.body.arms).map(([k, v]: [string, any]) => [k, v.n]));
    return arms.baseline === sent.baseline && arms.treatment === sent.treatment ? arms : null;
  });
  await call('POST', `${stack.abtest}/api/tests/${testId}/stop`);
});

const GUIDELINES = ['cite the policy section', 'thank the employee politely', 'name the approver', 'give the deadline',
  'offer a next step'];

/** Stands in for a model: the answer follows each guideline the instruction states. */
function stubLlm(instruction: string, question: string): string {
  return `Answer to '${question}'.` + GUIDELINES.filter((g) => instruction.includes(g)).map((g) => ` (follows: ${g})`).join('');
}

/** Scores by the guidelines followed; the feedback names the first one missing, as a reviewer would. */
function judge(answer: string): { score: number; feedback: string | null } {
  const missing = GUIDELINES.filter((g) => !answer.includes(`(follows: ${g})`));
  return { score: Math.round((0.3 + 0.14 * (GUIDELINES.length - missing.length)) * 100) / 100, feedback: missing.length ? `Missing: ${missing[0]}.` : null };
}

test('a GEPA run completes on the answers of a TypeScript responder', async () => {
  const name = `ts-gepa-${randomUUID().slice(0, 8)}`;
  await register(name, 'Answer the question.', true);
  const agent = newAgent(name);
  for (let i = 0; i < 12; i++) { // fewer than the auto-run policy's 20: only the run started below runs
    const q = `What does the leave policy say about case ${i}?`;
    const output = stubLlm('Answer the question.', q);
    const { score, feedback } = judge(output);
    await agent.recordEvaluation({ exampleId: `ex-${i}`, input: q, output, overallScore: score, feedback, evaluator: 'HUMAN' });
  }
  let calls = 0;
  const responder = await new EvaluationResponder({
    publisher: agent.publisher, bootstrapServers: stack.bootstrap, agent: name, concurrency: 3,
    evaluate: async (task) => {
      calls++;
      const output = stubLlm(task.instructionText, task.input);
      return { output, ...judge(output) };
    },
  }).start();
  try {
    const run = await eventually('the optimizer accepted a run (it needs the examples stored first)', async () => {
      const r = await call('POST', `${stack.optimizer}/api/runs`,
        { agent: name, optimizer: 'gepa', budget: 'custom', maxMetricCalls: 30, seed: 7, minibatchSize: 3 });
      return r.status === 201 ? r.body : null;
    });
    const result = await eventually(`run ${run.runId} finished`, async () => {
      const r = await call('GET', `${stack.optimizer}/api/runs/${run.runId}`);
      return r.status === 200 && ['completed', 'failed', 'cancelled'].includes(r.body.run.status) ? r.body : null;
    }, 300_000);
    assert.equal(result.run.status, 'completed', JSON.stringify(result.run));
    assert.ok(responder.answered > 0);
    assert.equal(responder.failed, 0);
    assert.equal(calls, responder.answered);
    assert.ok(result.budget.metricCallsSpent > 0);
    assert.ok(result.run.optimizedScore > result.run.baselineScore, JSON.stringify(result.run));
  } finally {
    await responder.stop();
  }
});
