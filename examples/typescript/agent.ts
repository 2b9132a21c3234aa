/**
 * A complete small promptloop agent in TypeScript, on @promptloop/agent (clients/typescript).
 *
 * It serves "HR questions" with a stub LLM function (no model needed): every few seconds a tester session
 * (SessionStarted, turns, an improvement note, SessionEnded) and a scored evaluation of each answer; it answers the
 * optimizer's evaluation requests with the same stub; and it serves production traffic by the instruction-routing
 * topic, reporting an A/B observation for each request while a test runs.
 *
 *   examples/typescript/run                  # against ./promptloop run on its default ports
 *   examples/typescript/run --duration 60 --agent my-agent --bootstrap 127.0.0.1:9092 \
 *       --registry http://127.0.0.1:8080/apis/ccompat/v7
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Agent, EvaluationResponder, Routing } from '@promptloop/agent';

const BASELINE = 'You are an HR assistant. Answer questions about leave and conduct briefly.';
const QUESTIONS = ['parental leave', 'unused vacation days', 'gross misconduct', 'harassment reports', 'remote work']
  .flatMap((topic) => ['What is the rule on', 'Who approves', 'How do I apply for', 'Are there exceptions to', 'Where is the policy on']
    .map((ask) => `${ask} ${topic}?`));

const GUIDELINES = ['cite the policy section', 'thank the employee politely', 'name who approves it'];

/** Stands in for a model call: its answer follows each guideline the instruction states. */
function stubLlm(instruction: string, question: string): string {
  let answer = `Short answer to '${question}': it depends on your contract.`;
  if (instruction.includes(GUIDELINES[0])) answer += ' See HR policy section 4.2.';
  if (instruction.includes(GUIDELINES[2])) answer += ' Your manager approves it.';
  if (instruction.includes(GUIDELINES[1])) answer = 'Thank you for asking. ' + answer;
  return answer;
}

/** A heuristic judge of HR answers; its feedback names the first thing missing, as a reviewer would. */
function judge(answer: string): { score: number; feedback: string | null } {
  const checks = [answer.includes('section'), answer.startsWith('Thank you'), answer.includes('approves')];
  const missing = GUIDELINES.filter((_, i) => !checks[i]);
  return { score: Math.round((0.4 + 0.2 * checks.filter(Boolean).length) * 100) / 100,
    feedback: missing.length ? `Missing: ${missing[0]}.` : null };
}

async function registerBaseline(optimizer: string, credentials: string, agent: string) {
  if (!existsSync(credentials)) {
    console.log(`(no ${credentials}: register the baseline yourself with POST ${optimizer}/api/instructions)`);
    return;
  }
  const password = readFileSync(credentials, 'utf8').split('\n').find((l) => l.startsWith('http.admin.password='))!.split('=', 2)[1].trim();
  const res = await fetch(`${optimizer}/api/instructions`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: 'Basic ' + Buffer.from(`admin:${password}`).toString('base64') },
    body: JSON.stringify({ agent, predictor: null, text: BASELINE }),
  });
  if (!res.ok) throw new Error(`registering the baseline: HTTP ${res.status} ${await res.text()}`);
  console.log(`baseline instruction registered: ${(await res.json()).id}`);
}

const { values: args } = parseArgs({
  options: {
    agent: { type: 'string', default: 'ts-example-agent' },
    bootstrap: { type: 'string', default: '127.0.0.1:9092' },
    registry: { type: 'string', default: 'http://127.0.0.1:8080/apis/ccompat/v7' },
    optimizer: { type: 'string', default: 'http://127.0.0.1:8082' },
    credentials: { type: 'string', default: '.promptloop/credentials.properties' },
    duration: { type: 'string', default: '0' },
    'traffic-rate': { type: 'string', default: '5' },
  },
});
const name = args.agent!;
const duration = Number(args.duration) * 1000;
const rate = Number(args['traffic-rate']);
let stopping = false;
process.on('SIGINT', () => { stopping = true; });
process.on('SIGTERM', () => { stopping = true; });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let seed = 7;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);

await registerBaseline(args.optimizer!, args.credentials!, name);
const agent = new Agent({ name, bootstrapServers: args.bootstrap!, registryUrl: args.registry! });
const routing = await Routing.start({ bootstrapServers: args.bootstrap!, registry: agent.publisher.registry });
const responder = await new EvaluationResponder({
  publisher: agent.publisher, bootstrapServers: args.bootstrap!, agent: name, concurrency: 4,
  evaluate: (task) => { // the optimizer asks: how does this candidate instruction do on this example?
    const output = stubLlm(task.instructionText, task.input);
    return { output, ...judge(output) };
  },
}).start();
await Promise.race([routing.ready, sleep(30_000)]);

const started = Date.now();
let sessions = 0;
let served = 0;
let nextSession = 0;
while (!stopping && (!duration || Date.now() - started < duration)) {
  if (Date.now() >= nextSession) { // a tester session: turns, a note, evaluations
    const routed = routing.instructionFor(name, null, 'tester');
    const instruction = routed?.instruction.text ?? BASELINE;
    await agent.withSession({ testerEmail: 'tester@example.com', masterPromptVersion: 'v1' }, async (s) => {
      for (let turn = 1; turn <= 3; turn++) {
        const index = Math.floor(random() * QUESTIONS.length);
        const question = QUESTIONS[index];
        const answer = stubLlm(instruction, question);
        await s.recordTurn({ userMessage: question, agentResponse: answer, processingTimeMs: 200 + Math.floor(random() * 700),
          instructionId: routed?.instruction.id });
        const { score, feedback } = judge(answer);
        await agent.recordEvaluation({ exampleId: `q-${index}`, input: question, output: answer, overallScore: score, feedback,
          evaluator: 'HEURISTIC', sessionId: s.sessionId, turnNumber: turn });
        if (feedback) await s.noteImprovement(turn, feedback, { category: 'content' });
      }
    });
    sessions++;
    nextSession = Date.now() + 2000;
  }
  const unit = `user-${1 + Math.floor(random() * 500)}`; // production traffic, routed per unit
  const routed = routing.instructionFor(name, null, unit);
  if (routed?.testId) {
    const t0 = Date.now();
    const answer = stubLlm(routed.instruction.text, QUESTIONS[Math.floor(random() * QUESTIONS.length)]);
    await agent.report(routed.testId, routed.variant, unit, judge(answer).score, Date.now() - t0 + 50, true,
      { instructionId: routed.instruction.id });
    served++;
  }
  await sleep(1000 / rate);
}
await responder.stop();
await routing.close();
await agent.close();
console.log(`${sessions} sessions published, ${served} A/B observations reported, ` +
  `${responder.answered} evaluation requests answered (${responder.failed} failed)`);
