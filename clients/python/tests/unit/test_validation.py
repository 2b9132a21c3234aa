"""The validation table: each row is one rule of ingest-service's EventValidator / AvroEventMapper, with the
dead-letter reason ingest gives (README "How an agent publishes", "Dead letters")."""

import pytest

from promptloop_agent import InvalidEventError, Limits, Publisher
from promptloop_agent.publisher import Agent
from unit.fakes import FakeProducer, FakeRegistry

NOW = 1_760_000_000_000
SESSION = "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d"
TEST = "1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed"


@pytest.fixture
def publisher():
    p = Publisher("unused:9092", "http://unused", producer=FakeProducer(), registry=FakeRegistry(),
                  limits=Limits(max_text_length=50, max_search_results=2, max_metadata_entries=2), clock_ms=lambda: NOW)
    yield p
    p.close()


def turn(**over):
    fields = {"turn_number": 1, "user_message": "q", "agent_response": "r", "search_results": [], "metadata": {}}
    fields.update(over)
    return ("TurnRecorded", fields)


def session(p, kind_fields, agent="a", predictor=None, session_id=SESSION, **kw):
    kind, fields = kind_fields
    return p.session_event(agent, predictor, session_id, kind, fields, **kw)


def evaluation(p, agent="a", predictor=None, **over):
    fields = dict(example_id="ex-1", input="in", output="out", overall_score=0.5)
    fields.update(over)
    return p.evaluation_event(agent, predictor, **fields)


def observation(p, **over):
    fields = dict(test_id=TEST, variant="treatment", unit_id="u-1", score=0.5, latency_ms=10, success=True)
    fields.update(over)
    return p.observation_event("a", None, **fields)


CHUNK = {"chunk_id": "c", "document_title": None, "chunk_text": "t", "similarity": 0.5}

# (why, event, reason, message)
TABLE = [
    ("event id not a UUID", lambda p: session(p, turn(), event_id="42"), "invalid_value", "event_id is not a UUID"),
    ("shortened UUID form Java accepts in fromString", lambda p: session(p, turn(), event_id="1-2-3-4-5"), "invalid_value", "event_id is not a UUID"),
    ("session id not a UUID", lambda p: session(p, turn(), session_id="s-1"), "invalid_value", "session_id is not a UUID"),
    ("blank agent name", lambda p: session(p, turn(), agent="  "), "invalid_value", "agent.agent_name is required"),
    ("agent name of 101 characters", lambda p: session(p, turn(), agent="a" * 101), "oversized", "agent.agent_name has 101 characters, limit 100"),
    ("blank predictor", lambda p: session(p, turn(), predictor=" "), "invalid_value", "agent.predictor_name must be null or non-blank"),
    ("occurred_at before 2000", lambda p: session(p, turn(), occurred_at_ms=0), "invalid_value", "is before 2000-01-01"),
    ("occurred_at beyond the clock skew", lambda p: session(p, turn(), occurred_at_ms=NOW + 24 * 3600 * 1000 + 1), "invalid_value", "is in the future"),
    ("turn number 0", lambda p: session(p, turn(turn_number=0)), "invalid_value", "turn_number must be > 0, was 0"),
    ("blank user message", lambda p: session(p, turn(user_message="\t ")), "invalid_value", "user_message is required and must not be blank"),
    ("response over max-text-length", lambda p: session(p, turn(agent_response="x" * 51)), "oversized", "agent_response has 51 characters, limit 50"),
    ("length in UTF-16 units, as Java counts", lambda p: session(p, turn(agent_response="🙂" * 26)), "oversized", "agent_response has 52 characters"),
    ("NUL in a text", lambda p: session(p, turn(user_message="a\u0000b")), "invalid_value", "user_message contains a NUL character"),
    ("negative processing time", lambda p: session(p, turn(processing_time_ms=-1)), "invalid_value", "processing_time_ms must be >= 0"),
    ("similarity above 1", lambda p: session(p, turn(avg_similarity=1.01)), "invalid_value", "avg_similarity must be within [0, 1]"),
    ("confidence NaN", lambda p: session(p, turn(confidence_score=float("nan"))), "invalid_value", "confidence_score must be within [0, 1]"),
    ("too many search results", lambda p: session(p, turn(search_results=[CHUNK] * 3)), "oversized", "search_results has 3 entries, limit 2"),
    ("chunk similarity below 0", lambda p: session(p, turn(search_results=[dict(CHUNK, similarity=-0.1)])), "invalid_value", "search_results[0].similarity must be within [0, 1]"),
    ("too many metadata entries", lambda p: session(p, turn(metadata={"a": "1", "b": "2", "c": "3"})), "oversized", "metadata has 3 entries, limit 2"),
    ("blank metadata key", lambda p: session(p, turn(metadata={" ": "1"})), "invalid_value", "metadata key is required"),
    ("instruction id not a UUID", lambda p: session(p, turn(instruction_id="v1")), "invalid_value", "instruction_id is not a UUID"),
    ("blank improvement note", lambda p: session(p, ("ImprovementNoted", {"turn_number": 1, "improvement_note": "", "metadata": {}})), "invalid_value", "improvement_note is required"),
    ("unknown note category", lambda p: session(p, ("ImprovementNoted", {"turn_number": 1, "improvement_note": "n", "category": "MOOD", "metadata": {}})), "invalid_value", "category must be one of"),
    ("tester email over 200", lambda p: session(p, ("SessionStarted", {"tester": {"email": "e" * 201}, "metadata": {}})), "oversized", "tester.email has 201 characters, limit 200"),
    ("end reason over max-text-length", lambda p: session(p, ("SessionEnded", {"reason": "r" * 51})), "oversized", "reason has 51 characters"),
    ("blank example id", lambda p: evaluation(p, example_id=""), "invalid_value", "example_id is required"),
    ("example id over 200", lambda p: evaluation(p, example_id="e" * 201), "oversized", "example_id has 201 characters, limit 200"),
    ("blank output", lambda p: evaluation(p, output=" "), "invalid_value", "output is required"),
    ("overall score above 1", lambda p: evaluation(p, overall_score=1.5), "invalid_value", "overall_score must be within [0, 1], was 1.5"),
    ("RAGAS score below 0", lambda p: evaluation(p, scores={"faithfulness": -0.2}), "invalid_value", "scores.faithfulness must be within [0, 1]"),
    ("rubric score below 1", lambda p: evaluation(p, scores={"actionability": 0.5}), "invalid_value", "scores.actionability must be within [1, 5]"),
    ("rubric score above 5", lambda p: evaluation(p, scores={"rubric_aggregate": 5.5}), "invalid_value", "scores.rubric_aggregate must be within [1, 5]"),
    ("unknown evaluator", lambda p: evaluation(p, evaluator="robot"), "invalid_value", "evaluator 'ROBOT' is not known"),
    ("evaluation turn number 0", lambda p: evaluation(p, turn_number=0), "invalid_value", "turn_number must be > 0"),
    ("request id not a UUID", lambda p: evaluation(p, request_id="r-1"), "invalid_value", "request_id is not a UUID"),
    ("test id not a UUID", lambda p: observation(p, test_id="t-1"), "invalid_value", "test_id is not a UUID"),
    ("unknown variant", lambda p: observation(p, variant="arm-3"), "invalid_value", "variant must be one of"),
    ("unit id over 200", lambda p: observation(p, unit_id="u" * 201), "oversized", "unit_id has 201 characters, limit 200"),
    ("blank unit id", lambda p: observation(p, unit_id=""), "invalid_value", "unit_id is required"),
    ("observation score NaN", lambda p: observation(p, score=float("nan")), "invalid_value", "score must be within [0, 1]"),
    ("negative latency", lambda p: observation(p, latency_ms=-5), "invalid_value", "latency_ms must be >= 0, was -5"),
    ("covariate NaN", lambda p: observation(p, covariate=float("nan")), "invalid_value", "covariate must be finite with |x| <= 1e12"),
    ("ratio numerator without denominator", lambda p: observation(p, ratio_numerator=2), "invalid_value", "go together"),
    ("ratio denominator too large", lambda p: observation(p, ratio_numerator=1, ratio_denominator=1e13), "invalid_value", "ratio_denominator must be finite"),
]


@pytest.mark.parametrize("why,build,reason,message", TABLE, ids=[row[0] for row in TABLE])
def test_should_reject_what_ingest_would_dead_letter_before_sending(publisher, why, build, reason, message):
    with pytest.raises(InvalidEventError) as raised:
        build(publisher)
    assert raised.value.reason == reason
    assert message in raised.value.detail
    assert publisher._producer.sent == []  # nothing left the process


@pytest.mark.parametrize(
    "why,build",
    [
        ("a complete turn", lambda p: session(p, turn(search_results=[CHUNK, CHUNK], avg_similarity=1.0, confidence_score=0.0, metadata={"k": "v"}))),
        ("texts exactly at the limit", lambda p: session(p, turn(agent_response="x" * 50))),
        ("occurred_at exactly at the clock skew", lambda p: session(p, turn(), occurred_at_ms=NOW + 24 * 3600 * 1000)),
        ("a non-breaking space is not blank in Java", lambda p: session(p, turn(user_message="\u00a0"))),
        ("upper-case UUIDs", lambda p: session(p, turn(), event_id="6EC0BD7F-11C0-43DA-975E-2A8AD9EBAE0B")),
        ("rubric scores at the bounds", lambda p: evaluation(p, scores={"causal_validity": 1.0, "actionability": 5.0})),
        ("an observation without score or latency", lambda p: observation(p, score=None, latency_ms=None, variant="baseline")),
        ("an observation with a covariate and ratio parts", lambda p: observation(p, covariate=-3.5, ratio_numerator=2, ratio_denominator=7)),
    ],
)
def test_should_accept_what_ingest_accepts(publisher, why, build):
    assert build(publisher).payload[0] == 0


def test_session_should_refuse_a_duplicate_turn_number_and_a_note_on_an_unknown_turn(publisher):
    agent = Agent("a", bootstrap_servers="unused", registry_url="unused", publisher=publisher)
    s = agent.session(SESSION)
    s.record_turn("q", "r")
    with pytest.raises(InvalidEventError) as dup:
        s.record_turn("q", "r", turn_number=1)
    assert dup.value.reason == "duplicate_turn_number"
    with pytest.raises(InvalidEventError) as ref:
        s.note_improvement(2, "shorter")
    assert ref.value.reason == "unknown_reference"
    s.note_improvement(1, "shorter", category="clarity")
    assert len(publisher._producer.sent) == 3  # start, turn 1, the note
