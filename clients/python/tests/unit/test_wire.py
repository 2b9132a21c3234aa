import io
import json
import struct

import fastavro
import pytest

from promptloop_agent import wire


def test_should_frame_with_magic_byte_zero_and_a_four_byte_big_endian_id():
    framed = wire.frame(0x01020304, b"\xAA\xBB")
    assert framed == b"\x00\x01\x02\x03\x04\xAA\xBB"
    assert wire.unframe(framed) == (0x01020304, b"\xAA\xBB")


@pytest.mark.parametrize(
    "data,message",
    [(b"\x01\x00\x00\x00\x01\x02", "magic byte 1"), (b"\x00\x00", "shorter than the 5-byte header"), (None, "0 bytes")],
)
def test_should_refuse_bytes_that_are_not_framed(data, message):
    with pytest.raises(wire.WireFormatError, match=message):
        wire.unframe(data)


def test_should_ship_self_contained_schemas_for_every_topic():
    topics = wire.topics()
    assert set(topics) == {
        "agent-sessions",
        "agent-evaluations",
        "ab-observations",
        "optimizer-evaluation-requests",
        "optimizer-events",
        "ab-decisions",
        "instruction-routing",
    }
    for name in topics:
        schema = json.loads(wire.schema_text(name))
        fastavro.parse_schema(schema)  # no named type is missing: common.avsc is inlined
        agent = next(f for f in schema["fields"] if f["name"] == "agent")["type"]
        assert (agent["namespace"], agent["name"]) == ("io.promptloop.avro.common", "AgentRef")


def _session_event(payload):
    return {
        "event_id": "6ec0bd7f-11c0-43da-975e-2a8ad9ebae0b",
        "occurred_at": 1_700_000_000_000,
        "agent": {"agent_name": "a", "predictor_name": None},
        "session_id": "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d",
        "payload": payload,
    }


@pytest.mark.parametrize(
    "name,fields,index",
    [
        ("SessionStarted", {"master_prompt_version": None, "branch_name": None, "tester": None, "metadata": {}}, 0),
        ("TurnRecorded", {"turn_number": 1, "user_message": "q", "agent_response": "r"}, 1),
        ("ImprovementNoted", {"turn_number": 1, "improvement_note": "n", "category": None, "metadata": {}}, 2),
        ("SessionEnded", {"reason": None}, 3),
    ],
)
def test_should_write_the_payload_branch_it_is_told(name, fields, index):
    full = "io.promptloop.avro.session." + name
    body = wire.encode("agent-sessions", _session_event((full, fields)))

    # the union branch index follows the four leading fields; Avro writes it as a zig-zag varint
    prefix = wire.encode("agent-sessions", _session_event(("io.promptloop.avro.session.SessionEnded", {"reason": None})))
    header = len(prefix) - 2  # SessionEnded{reason=null} is the branch index and one null-branch byte
    assert body[header] == index * 2
    decoded = wire.decode(body, wire.parsed_schema("agent-sessions"), "agent-sessions")
    assert decoded["payload"][0] == full


def test_session_ended_without_reason_is_not_mistaken_for_session_started():
    # every field of SessionStarted has a default, so a writer that guesses the branch by fields picks it
    body = wire.encode("agent-sessions", _session_event(("io.promptloop.avro.session.SessionEnded", {"reason": None})))
    assert body[-2:] == b"\x06\x00"  # branch 3, then reason's null branch


def test_should_read_a_record_written_with_an_older_writer_schema_by_field_name():
    # a writer without the (later-added) field instruction_id: the reader's default fills it
    writer = json.loads(wire.schema_text("ab-observations"))
    writer["fields"] = [f for f in writer["fields"] if f["name"] != "instruction_id"]
    parsed = fastavro.parse_schema(writer)
    out = io.BytesIO()
    fastavro.schemaless_writer(
        out,
        parsed,
        {
            "event_id": "e",
            "occurred_at": 1,
            "agent": {"agent_name": "a", "predictor_name": None},
            "test_id": "t",
            "variant": "baseline",
            "unit_id": "u",
            "score": 0.5,
            "latency_ms": 3,
            "success": True,
        },
    )
    record = wire.decode(out.getvalue(), parsed, "ab-observations")
    assert record["instruction_id"] is None and record["unit_id"] == "u"
