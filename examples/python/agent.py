"""A complete small promptloop agent in Python, on promptloop-agent (clients/python).

It serves "HR questions" with a stub LLM function (no model needed): every few seconds a tester session
(SessionStarted, turns, an improvement note, SessionEnded) and a scored evaluation of each answer; it answers the
optimizer's evaluation requests with the same stub; and it serves production traffic by the instruction-routing
topic, reporting an A/B observation for each request while a test runs.

    examples/python/run                      # against ./promptloop run on its default ports
    examples/python/run --duration 60 --agent my-agent --bootstrap 127.0.0.1:9092 \
        --registry http://127.0.0.1:8080/apis/ccompat/v7
"""

from __future__ import annotations

import argparse
import base64
import json
import logging
import pathlib
import random
import signal
import threading
import time
import urllib.request

from promptloop_agent import Agent, Scored

BASELINE = "You are an HR assistant. Answer questions about leave and conduct briefly."
QUESTIONS = [
    f"{ask} {topic}?"
    for topic in ("parental leave", "unused vacation days", "gross misconduct", "harassment reports", "remote work")
    for ask in ("What is the rule on", "Who approves", "How do I apply for", "Are there exceptions to", "Where is the policy on")
]


GUIDELINES = ["cite the policy section", "thank the employee politely", "name who approves it"]


def stub_llm(instruction: str, question: str) -> str:
    """Stands in for a model call: its answer follows each guideline the instruction states."""
    answer = f"Short answer to '{question}': it depends on your contract."
    if GUIDELINES[0] in instruction:
        answer += " See HR policy section 4.2."
    if GUIDELINES[2] in instruction:
        answer += " Your manager approves it."
    if GUIDELINES[1] in instruction:
        answer = "Thank you for asking. " + answer
    return answer


def judge(question: str, answer: str) -> tuple[float, str | None]:
    """A heuristic judge of HR answers; its feedback names the first thing missing, as a reviewer would."""
    checks = ["section" in answer, answer.startswith("Thank you"), "approves" in answer]
    missing = [g for g, ok in zip(GUIDELINES, checks) if not ok]
    return round(0.4 + 0.2 * sum(checks), 2), (f"Missing: {missing[0]}." if missing else None)


def register_baseline(optimizer_url: str, credentials: pathlib.Path, agent: str) -> None:
    """Registers the agent's instruction with the optimizer (needs the dev stack's admin password)."""
    if not credentials.is_file():
        print(f"(no {credentials}: register the baseline yourself with POST {optimizer_url}/api/instructions)")
        return
    password = next(line.split("=", 1)[1].strip() for line in credentials.read_text().splitlines()
                    if line.startswith("http.admin.password="))
    request = urllib.request.Request(
        f"{optimizer_url}/api/instructions",
        data=json.dumps({"agent": agent, "predictor": None, "text": BASELINE}).encode(),
        method="POST",
        headers={"Content-Type": "application/json",
                 "Authorization": "Basic " + base64.b64encode(f"admin:{password}".encode()).decode()},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        print(f"baseline instruction registered: {json.loads(response.read())['id']}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--agent", default="py-example-agent")
    p.add_argument("--bootstrap", default="127.0.0.1:9092")
    p.add_argument("--registry", default="http://127.0.0.1:8080/apis/ccompat/v7")
    p.add_argument("--optimizer", default="http://127.0.0.1:8082")
    p.add_argument("--credentials", default=".promptloop/credentials.properties", type=pathlib.Path)
    p.add_argument("--duration", type=float, default=0, help="seconds to run (0: until Ctrl-C)")
    p.add_argument("--traffic-rate", type=float, default=5, help="production requests per second")
    args = p.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    rng = random.Random(7)
    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())

    register_baseline(args.optimizer, args.credentials, args.agent)
    with Agent(args.agent, bootstrap_servers=args.bootstrap, registry_url=args.registry) as agent:
        routing = agent.routing()

        def evaluate(task):  # the optimizer asks: how does this candidate instruction do on this example?
            answer = stub_llm(task.instruction_text, task.input)
            score, feedback = judge(task.input, answer)
            return Scored(output=answer, score=score, feedback=feedback)

        with agent.evaluation_responder(evaluate, concurrency=4) as responder:
            routing.wait_until_ready(30)
            started, sessions, served = time.monotonic(), 0, 0
            next_session = 0.0
            while not stop.is_set() and (not args.duration or time.monotonic() - started < args.duration):
                now = time.monotonic()
                if now >= next_session:  # a tester session: turns, a note, evaluations
                    routed = routing.instruction_for(args.agent, None, "tester")
                    instruction = routed.instruction.text if routed else BASELINE
                    with agent.session(tester_email="tester@example.com", master_prompt_version="v1") as s:
                        for turn, question in enumerate(rng.sample(QUESTIONS, 3), start=1):
                            answer = stub_llm(instruction, question)
                            s.record_turn(question, answer, processing_time_ms=rng.randint(200, 900),
                                          instruction_id=routed.instruction.id if routed else None)
                            score, feedback = judge(question, answer)
                            agent.record_evaluation(example_id=f"q-{QUESTIONS.index(question)}", input=question,
                                                    output=answer, overall_score=score, feedback=feedback,
                                                    evaluator="HEURISTIC", session_id=s.session_id, turn_number=turn)
                            if feedback:
                                s.note_improvement(turn, feedback, category="content")
                    sessions += 1
                    next_session = now + 2.0
                unit = f"user-{rng.randint(1, 500)}"  # production traffic, routed per unit
                routed = routing.instruction_for(args.agent, None, unit)
                if routed and routed.test_id:
                    t0 = time.monotonic()
                    answer = stub_llm(routed.instruction.text, rng.choice(QUESTIONS))
                    score, _ = judge("", answer)
                    agent.report(routed.test_id, routed.variant, unit, score, int((time.monotonic() - t0) * 1000) + 50,
                                 True, instruction_id=routed.instruction.id)
                    served += 1
                stop.wait(1.0 / args.traffic_rate)
            agent.flush()
        routing.close()
    print(f"{sessions} sessions published, {served} A/B observations reported, "
          f"{responder.answered} evaluation requests answered ({responder.failed} failed)")


if __name__ == "__main__":
    main()
