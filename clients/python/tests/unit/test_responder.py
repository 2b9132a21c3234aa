import threading
import time

import pytest

from promptloop_agent import EvaluationResponder, Publisher, Scored, wire
from unit.fakes import FakeProducer, FakeRegistry

NOW = 1_760_000_000_000
RUN, CANDIDATE, REQUEST = (
    "3f2b6c1e-8a4d-4f7b-9c2e-1d5a7b9e0f13",
    "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d",
    "1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed",
)


class IdleConsumer:
    def subscribe(self, topics):
        self.topics = topics

    def poll(self, timeout):
        time.sleep(min(timeout, 0.01))

    def close(self):
        pass


def request(registry, agent="hr", examples=3, deadline=None):
    value = {
        "event_id": "6ec0bd7f-11c0-43da-975e-2a8ad9ebae0b",
        "occurred_at": NOW,
        "agent": {"agent_name": agent, "predictor_name": None},
        "request_id": REQUEST,
        "run_id": RUN,
        "candidate_id": CANDIDATE,
        "instruction_text": "Cite the policy section.",
        "tool_descriptions": {"search": "finds policies"},
        "examples": [{"example_id": f"ex-{i}", "input": f"question {i}"} for i in range(examples)],
        "deadline": deadline,
    }
    topic = "optimizer-evaluation-requests"
    return wire.frame(registry.value_schema_id(topic), wire.encode(topic, value))


def responder(evaluate, **options):
    producer, registry = FakeProducer(), FakeRegistry()
    publisher = Publisher("unused", "unused", producer=producer, registry=registry, clock_ms=lambda: NOW)
    r = EvaluationResponder(publisher, "unused", "hr", evaluate, consumer=IdleConsumer(), clock_ms=lambda: NOW, **options)
    return r, producer, registry


def answers(producer, registry):
    topic = "agent-evaluations"
    return [wire.decode(v[5:], registry.writer_schema(registry.ids[topic]), topic) for t, _, v in producer.sent if t == topic]


def test_should_answer_each_example_with_the_request_ids():
    seen = []
    r, producer, registry = responder(lambda task: seen.append(task) or Scored(output=f"out {task.example_id}", score=0.75, feedback="ok"))
    r._handle(request(registry))
    r.stop()
    assert [t.example_id for t in seen] == ["ex-0", "ex-1", "ex-2"]
    assert seen[0].instruction_text == "Cite the policy section." and seen[0].tool_descriptions == {"search": "finds policies"}
    out = answers(producer, registry)
    assert {a["example_id"] for a in out} == {"ex-0", "ex-1", "ex-2"}
    assert {(a["run_id"], a["candidate_id"], a["request_id"], a["evaluator"]) for a in out} == {(RUN, CANDIDATE, REQUEST, "AGENT")}
    assert all(a["overall_score"] == 0.75 and a["feedback"] == "ok" for a in out)
    assert r.answered == 3 and r.failed == 0


def test_a_failing_user_function_is_reported_and_the_loop_goes_on():
    reported = []

    def evaluate(task):
        if task.example_id == "ex-1":
            raise RuntimeError("model timed out")
        if task.example_id == "ex-2":
            return Scored(output="o", score=1.5)  # ingest would dead-letter it: reported, not sent
        return Scored(output="o", score=0.5)

    r, producer, registry = responder(evaluate, on_error=lambda task, e: reported.append((task.example_id, str(e))))
    r._handle(request(registry))
    r._handle(request(registry, examples=1))  # the next request is still answered
    r.stop()
    assert sorted(reported) == [("ex-1", "model timed out"), ("ex-2", "invalid_value: overall_score must be within [0, 1], was 1.5")]
    assert r.failed == 2 and r.answered == 2
    assert [a["example_id"] for a in answers(producer, registry)] == ["ex-0", "ex-0"]


def test_should_skip_other_agents_and_expired_requests():
    r, producer, registry = responder(lambda task: Scored(output="o", score=0.5))
    r._handle(request(registry, agent="someone-else"))
    r._handle(request(registry, deadline=NOW - 1))
    r._handle(b"\x01garbage")
    r.stop()
    assert producer.sent == [] and r.skipped == 2 and r.answered == 0


def test_should_call_the_user_function_at_most_concurrency_at_a_time():
    active, peak, lock = [0], [0], threading.Lock()
    # two calls must be inside at once to pass (a run one at a time breaks the barrier);
    # a third one inside would raise the peak above 2
    pair = threading.Barrier(2, timeout=10)

    def evaluate(task):
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        pair.wait()
        with lock:
            active[0] -= 1
        return Scored(output="o", score=0.5)

    r, producer, registry = responder(evaluate, concurrency=2)
    r._handle(request(registry, examples=8))
    r.stop()
    assert r.answered == 8 and peak[0] == 2


def test_should_refuse_a_concurrency_below_one():
    with pytest.raises(ValueError, match="concurrency"):
        responder(lambda task: None, concurrency=0)
