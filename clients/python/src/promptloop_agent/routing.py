"""Following the compacted ``instruction-routing`` topic: the latest routing per agent/predictor, and which
instruction a unit is served by the SHA-256 rule."""

from __future__ import annotations

import logging
import threading
import uuid as uuidlib
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Tuple

from . import assignment, wire
from .publisher import INSTRUCTION_ROUTING, predictor_key
from .registry import RegistryClient

log = logging.getLogger("promptloop_agent")


@dataclass(frozen=True)
class Instruction:
    id: str
    version: int
    text: str


@dataclass(frozen=True)
class Routed:
    """What a unit is served: the arm's name (``baseline``, ``treatment``), its instruction, the live test if any."""

    variant: str
    instruction: Instruction
    test_id: Optional[str] = None
    bucket: Optional[int] = None


def arms(test: Mapping[str, Any]) -> List[Tuple[str, float, Instruction]]:
    """The non-baseline arms of a running test as (variant, share of traffic, instruction), read by field name so
    that a record with more fields (a later, BACKWARD-compatible schema) reads the same: the ``arms`` list of a
    multi-arm routing (each arm's label, weight and instruction, in the order of the K-arm rule), else the single
    treatment of the two-arm fields."""
    listed = test.get("arms")
    if listed:
        return [
            (a["variant"], float(a["weight"]), Instruction(a["instruction_id"], int(a["version"]), a["text"]))
            for a in listed
        ]
    return [
        (
            "treatment",
            float(test["traffic_split"]),
            Instruction(test["treatment_instruction_id"], int(test["treatment_version"]), test["treatment_text"]),
        )
    ]


def route(record: Mapping[str, Any], unit_id: str) -> Routed:
    """The routing rule for one record: the baseline (active) instruction unless a test is running and the unit's
    bucket falls in an arm. Arms take consecutive bucket ranges from 0 in the order given (arm k: from
    round(10,000 × (w_1 + … + w_(k−1))) up to round(10,000 × (w_1 + … + w_k))); for the single treatment that is
    exactly ``bucket < round(split × 10,000)``."""
    baseline = Instruction(record["active_instruction_id"], int(record["active_version"]), record["instruction_text"])
    test = record.get("test")
    if not test:
        return Routed("baseline", baseline)
    b = assignment.bucket(test["salt"], unit_id)
    upper = 0
    share = 0.0
    for variant, split, instruction in arms(test):
        share += split
        upper = assignment.threshold(min(share, 1.0))
        if b < upper:
            return Routed(variant, instruction, test["test_id"], b)
    return Routed("baseline", baseline, test["test_id"], b)


class Routing:
    """Reads ``instruction-routing`` from the beginning on every start (assigned partitions, no consumer group
    offsets) in a background thread and keeps the latest record per key. ``wait_until_ready`` returns once every
    partition has been read to its end."""

    def __init__(
        self,
        bootstrap_servers: str,
        registry: RegistryClient,
        *,
        consumer_config_extra: Optional[Mapping[str, Any]] = None,
    ) -> None:
        from confluent_kafka import Consumer

        config: Dict[str, Any] = {
            "bootstrap.servers": bootstrap_servers,
            # librdkafka wants a group id even for assigned partitions; nothing is committed under it
            "group.id": f"promptloop-routing-{uuidlib.uuid4()}",
            "enable.auto.commit": False,
            "enable.auto.offset.store": False,
            "auto.offset.reset": "earliest",
            "enable.partition.eof": True,
        }
        config.update(consumer_config_extra or {})
        self._consumer = Consumer(config)
        self._registry = registry
        self._latest: Dict[str, Dict[str, Any]] = {}
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._ready = threading.Event()
        self._stop = threading.Event()
        self.errors = 0
        self._thread = threading.Thread(target=self._run, name="promptloop-routing", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        from confluent_kafka import OFFSET_BEGINNING, KafkaError, TopicPartition

        try:
            metadata = self._consumer.list_topics(INSTRUCTION_ROUTING, timeout=30)
            partitions = sorted(metadata.topics[INSTRUCTION_ROUTING].partitions)
            if not partitions:
                raise RuntimeError(f"topic {INSTRUCTION_ROUTING} does not exist")
            self._consumer.assign([TopicPartition(INSTRUCTION_ROUTING, p, OFFSET_BEGINNING) for p in partitions])
            at_end = set()
            while not self._stop.is_set():
                msg = self._consumer.poll(0.2)
                if msg is None:
                    continue
                if msg.error():
                    if msg.error().code() == KafkaError._PARTITION_EOF:
                        at_end.add(msg.partition())
                        if len(at_end) == len(partitions):
                            self._ready.set()
                    else:
                        log.warning("instruction-routing: %s", msg.error())
                    continue
                self._apply(msg.key(), msg.value())
        except Exception:  # the thread must say why routing stopped, not die silently
            log.exception("instruction-routing consumer stopped")
            self.errors += 1
        finally:
            self._consumer.close()

    def _apply(self, key: Optional[bytes], value: Optional[bytes]) -> None:
        k = key.decode("utf-8") if key else None
        try:
            if value is None:  # tombstone: the predictor has no routing any more
                if k is not None:
                    with self._changed:
                        self._latest.pop(k, None)
                        self._changed.notify_all()
                return
            schema_id, body = wire.unframe(value)
            record = wire.decode(body, self._registry.writer_schema(schema_id), INSTRUCTION_ROUTING)
        except Exception as e:  # an unreadable record is skipped and counted; the previous routing stays
            self.errors += 1
            log.error("instruction-routing: skipped a record with key %r: %s", k, e)
            return
        agent = record["agent"]
        with self._changed:
            self._latest[predictor_key(agent["agent_name"], agent.get("predictor_name"))] = record
            self._changed.notify_all()

    def wait_until_ready(self, timeout: float = 30.0) -> bool:
        """True once the topic has been read to its end (the routing known at start is loaded)."""
        return self._ready.wait(timeout)

    def record(self, agent: str, predictor: Optional[str] = None) -> Optional[Dict[str, Any]]:
        """The latest routing record of an agent/predictor, as a dict by field name, or None."""
        with self._lock:
            return self._latest.get(predictor_key(agent, predictor))

    def wait_for(self, agent: str, predictor: Optional[str], condition, timeout: float = 30.0) -> Optional[Dict[str, Any]]:
        """Waits until the agent's routing record satisfies ``condition(record)``; returns it (None on timeout)."""
        key = predictor_key(agent, predictor)
        with self._changed:
            ok = self._changed.wait_for(lambda: key in self._latest and condition(self._latest[key]), timeout)
            return self._latest[key] if ok else None

    def instruction_for(self, agent: str, predictor: Optional[str], unit_id: str) -> Optional[Routed]:
        """The variant and instruction (id, version, text) the unit is served, or None while the agent has no
        routing yet."""
        record = self.record(agent, predictor)
        return None if record is None else route(record, unit_id)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def __enter__(self) -> "Routing":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
