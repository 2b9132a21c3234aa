import pytest

from conftest import contract
from promptloop_agent import Agent, DeliveryError, Publisher, partition_for, producer_config, wire
from unit.fakes import FakeProducer, FakeRegistry

NOW = 1_760_000_000_000
TEST = "1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed"


def make(producer=None, clock=lambda: NOW):
    publisher = Publisher("unused", "unused", producer=producer or FakeProducer(), registry=FakeRegistry(), clock_ms=clock)
    return Agent("hr-assistant", predictor="answer", bootstrap_servers="unused", registry_url="unused", publisher=publisher)


@pytest.mark.parametrize("row", contract("partitions.json"), ids=lambda r: f"{r['key']}|{r['partitions']}")
def test_should_partition_keys_as_javas_default_partitioner(row):
    # partitions.json: org.apache.kafka.clients.producer.internals.BuiltInPartitioner.partitionForKey, at build time
    assert partition_for(row["key"], row["partitions"]) == row["partition"]


def test_producer_should_be_idempotent_and_use_javas_partitioner():
    config = producer_config("broker:9092", {"client.id": "x"})
    assert config["enable.idempotence"] is True
    assert config["partitioner"] == "murmur2_random"  # librdkafka's murmur2 of the key, as Java's producer
    assert config["acks"] == "all" and config["client.id"] == "x"


def test_should_key_each_topic_as_the_catalogue_prescribes():
    producer = FakeProducer()
    agent = make(producer)
    s = agent.session()
    agent.record_evaluation(example_id="e", input="i", output="o", overall_score=1.0)
    agent.report(TEST, "baseline", "u-1", 0.9, 12, True)
    agent.flush()
    keys = {topic: key.decode() for topic, key, _ in producer.sent}
    catalogue = wire.topics()
    assert catalogue["agent-sessions"]["key"] == "session id (UUID)" and keys["agent-sessions"] == s.session_id
    assert catalogue["agent-evaluations"]["key"] == "agent/predictor" and keys["agent-evaluations"] == "hr-assistant/answer"
    assert catalogue["ab-observations"]["key"] == "test id (UUID)" and keys["ab-observations"] == TEST


def test_should_stamp_a_new_event_id_and_occurred_at_on_each_event():
    agent = make(clock=lambda: NOW + 7)
    s = agent.session()
    turn = s.record_turn("q", "r")
    assert turn.value["occurred_at"] == NOW + 7
    assert turn.value["event_id"] != s.record_turn("q2", "r2").value["event_id"]
    registry = agent.publisher.registry
    schema_id, body = wire.unframe(turn.payload)
    assert schema_id == registry.ids["agent-sessions"]
    decoded = wire.decode(body, registry.writer_schema(schema_id), "agent-sessions")
    assert decoded["event_id"] == turn.event_id
    assert decoded["payload"][1]["turn_number"] == 1 and decoded["payload"][1]["user_message"] == "q"


def test_a_retry_should_send_the_same_id_and_bytes():
    producer = FakeProducer(fail=True)
    agent = make(producer)
    event = agent.report(TEST, "treatment", "u-1", 0.5, 3, True)
    with pytest.raises(DeliveryError) as failed:
        agent.flush()
    assert [e.event_id for e in failed.value.failed] == [event.event_id]
    assert "broker down" in str(failed.value)

    producer.fail = False
    agent.send(failed.value.failed[0]).result(timeout=5)
    (_, key1, first), (_, key2, again) = producer.sent
    assert first == again and key1 == key2  # same event id, same occurred_at: ingest stores it once


def test_session_context_should_end_the_session_and_agent_context_should_flush():
    producer = FakeProducer()
    with make(producer) as agent:
        with agent.session() as s:
            s.record_turn("q", "r")
    kinds = [wire.decode(v[5:], wire.parsed_schema("agent-sessions"), "agent-sessions")["payload"][0].rsplit(".", 1)[1]
             for _, _, v in producer.sent]
    assert kinds == ["SessionStarted", "TurnRecorded", "SessionEnded"]
