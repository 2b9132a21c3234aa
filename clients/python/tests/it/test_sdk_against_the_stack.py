"""promptloop-agent against the real stack (devstack: Kafka, PostgreSQL, Apicurio, ingest, optimizer, abtest)."""

import threading
import uuid

import pytest

from conftest import contract
from it.conftest import eventually
from promptloop_agent import Agent, Scored, SchemaRegistryError, assignment
from promptloop_agent.registry import RegistryClient


def test_a_session_lands_in_conversation_once_although_sent_twice(stack):
    session_id = stack.session_id or str(uuid.uuid4())
    with Agent("py-it-agent", bootstrap_servers=stack.bootstrap, registry_url=stack.registry) as agent:
        s = agent.session(session_id, tester_email="tester@example.com", master_prompt_version="v1")
        sent = [s.record_turn(f"question {i}", f"answer {i}", processing_time_ms=10 * i) for i in (1, 2, 3)]
        sent.append(s.note_improvement(2, "cite the policy section", category="citation"))
        sent.append(s.end("done"))
        agent.flush()

        def session(min_turn):
            status, body = stack.call("GET", f"{stack.ingest}/api/sessions/{session_id}")
            ok = status == 200 and body["session"]["sessionEnd"] and body["session"]["totalImprovements"] == 1
            return body if ok and any(t["turnNumber"] == min_turn for t in body["turns"]) else None

        eventually("the session stored by ingest", lambda: session(3))

        # an application-level retry sends the same events again: same ids, same bytes
        for event in sent:
            agent.send(event)
        s.record_turn("question 4", "answer 4")  # same key, same partition: stored after the re-sent ones were read
        agent.flush()
        body = eventually("turn 4 stored", lambda: session(4))
    assert [t["turnNumber"] for t in body["turns"]] == [1, 2, 3, 4]
    assert (body["session"]["totalTurns"], body["session"]["totalImprovements"]) == (4, 1)
    assert [n["note"] for t in body["turns"] for n in t["improvements"]] == ["cite the policy section"]


def test_the_producer_writes_each_key_to_the_partition_javas_producer_picks(stack):
    # partitions.json: Kafka's Java BuiltInPartitioner at build time; agent-evaluations has 6 partitions
    rows = [r for r in contract("partitions.json") if r["partitions"] == 6]
    with Agent("py-it-partitions", bootstrap_servers=stack.bootstrap, registry_url=stack.registry) as agent:
        futures = []
        for row in rows:
            name, _, predictor = row["key"].partition("/")
            event = agent.publisher.evaluation_event(
                name, predictor or None, example_id="partition-check", input="i", output="o", overall_score=0.9)
            assert event.key == row["key"]
            futures.append((row, agent.send(event)))
        agent.flush()
        for row, future in futures:
            assert future.result(timeout=30).partition == row["partition"], row["key"]


def test_schemas_are_looked_up_not_registered(stack):
    registry = RegistryClient(stack.registry)
    ids = {t: registry.value_schema_id(t) for t in ("agent-sessions", "agent-evaluations", "ab-observations")}
    assert len(set(ids.values())) == 3
    # the shipped schema under a subject that does not hold it: an error, and nothing registered
    with pytest.raises(SchemaRegistryError, match="does not hold the schema"):
        registry._ids.clear()
        original = registry._call

        def wrong_subject(method, path, body=None):
            return original(method, path.replace("ab-observations-value", "py-it-unknown-value"), body)

        registry._call = wrong_subject
        registry.value_schema_id("ab-observations")
    registry._call = original
    status, _ = stack.call("GET", f"{stack.registry}/subjects/py-it-unknown-value/versions")
    assert status == 404


def _register(stack, agent, text, activate):
    status, body = stack.call("POST", f"{stack.optimizer}/api/instructions",
                              {"agent": agent, "predictor": None, "text": text, "activate": activate})
    assert status in (200, 201), body
    return body


def test_an_sdk_agent_routes_units_by_the_rule_and_its_observations_are_counted(stack):
    name = f"py-ab-{uuid.uuid4().hex[:8]}"
    baseline = _register(stack, name, "Answer briefly.", True)
    treatment = _register(stack, name, "Answer briefly and cite the policy section.", False)
    status, test = stack.call("POST", f"{stack.abtest}/api/tests", {
        "agent": name, "treatmentInstructionId": treatment["id"], "trafficSplit": 0.5, "start": True,
        "minSamplePerVariant": 100000, "maxSamplePerVariant": 200000, "autoRollout": False})
    assert status == 201, test
    test_id = test["testId"]

    with Agent(name, bootstrap_servers=stack.bootstrap, registry_url=stack.registry) as agent:
        routing = agent.routing()
        try:
            assert routing.wait_until_ready(60)
            record = routing.wait_for(name, None, lambda r: r.get("test") and r["test"]["test_id"] == test_id, 60)
            assert record is not None, "the routing of the started test"
            sent = {"baseline": 0, "treatment": 0}
            for i in range(40):
                unit = f"user-{i}"
                routed = routing.instruction_for(name, None, unit)
                # the same answer as abtest-service's (Java) assignment endpoint
                status, answer = stack.call("GET", f"{stack.abtest}/api/assignment?agent={name}&unit={unit}")
                assert status == 200, answer
                assert (routed.variant, routed.bucket) == (answer["variant"], answer["bucket"]), unit
                assert routed.instruction.id == answer["instructionId"]
                assert routed.instruction.text == answer["instructionText"]
                expected = baseline if routed.variant == "baseline" else treatment
                assert routed.instruction.id == expected["id"]
                assert routed.variant == ("treatment" if assignment.is_treatment(record["test"]["salt"], unit, 0.5)
                                          else "baseline")
                agent.report(test_id, routed.variant, unit, 0.8 if routed.variant == "treatment" else 0.6, 20 + i,
                             True, instruction_id=routed.instruction.id)
                sent[routed.variant] += 1
            agent.flush()
        finally:
            routing.close()
    assert sent["baseline"] > 0 and sent["treatment"] > 0

    def counted():
        status, view = stack.call("GET", f"{stack.abtest}/api/tests/{test_id}")
        arms = {k: v["n"] for k, v in view["arms"].items()} if status == 200 else {}
        return arms if arms == sent else None

    eventually(f"abtest counting {sent}", counted)
    stack.call("POST", f"{stack.abtest}/api/tests/{test_id}/stop")


GUIDELINES = ["cite the policy section", "thank the employee politely", "name the approver", "give the deadline",
              "offer a next step"]


def _stub_llm(instruction, question):
    """Stands in for a model: the answer follows each guideline the instruction states."""
    return f"Answer to {question!r}." + "".join(f" (follows: {g})" for g in GUIDELINES if g in instruction)


def _judge(answer):
    """Scores by the guidelines followed; the feedback names the first one missing, as a reviewer would."""
    followed = [g for g in GUIDELINES if f"(follows: {g})" in answer]
    missing = [g for g in GUIDELINES if g not in followed]
    return round(0.3 + 0.14 * len(followed), 2), (f"Missing: {missing[0]}." if missing else None)


def test_a_gepa_run_completes_on_the_answers_of_a_python_responder(stack):
    name = f"py-gepa-{uuid.uuid4().hex[:8]}"
    _register(stack, name, "Answer the question.", True)
    with Agent(name, bootstrap_servers=stack.bootstrap, registry_url=stack.registry) as agent:
        for i in range(12):  # fewer than the auto-run policy's 20: only the run started below runs
            q = f"What does the leave policy say about case {i}?"
            answer = _stub_llm("Answer the question.", q)
            score, feedback = _judge(answer)
            agent.record_evaluation(example_id=f"ex-{i}", input=q, output=answer, overall_score=score,
                                    feedback=feedback, evaluator="HUMAN")
        agent.flush()

        calls = []
        lock = threading.Lock()

        def evaluate(task):
            with lock:
                calls.append(task.request_id)
            output = _stub_llm(task.instruction_text, task.input)
            score, feedback = _judge(output)
            return Scored(output=output, score=score, feedback=feedback)

        with agent.evaluation_responder(evaluate, concurrency=3) as responder:
            def examples_known():
                status, body = stack.call("POST", f"{stack.optimizer}/api/runs", {
                    "agent": name, "optimizer": "gepa", "budget": "custom", "maxMetricCalls": 30, "seed": 7,
                    "minibatchSize": 3})
                return body if status == 201 else None

            run = eventually("the optimizer accepted a run (it needs the examples stored first)", examples_known)
            run_id = run["runId"]

            def finished():
                status, body = stack.call("GET", f"{stack.optimizer}/api/runs/{run_id}")
                return body if status == 200 and body["run"]["status"] in ("completed", "failed", "cancelled") else None

            result = eventually(f"run {run_id} finished", finished, timeout=300)
        assert result["run"]["status"] == "completed", result["run"]
        assert responder.answered > 0 and responder.failed == 0
        assert len(calls) == responder.answered
        assert result["budget"]["metricCallsSpent"] > 0
        assert result["run"]["optimizedScore"] > result["run"]["baselineScore"]
