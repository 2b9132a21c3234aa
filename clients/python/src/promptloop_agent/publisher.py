"""Publishing agent events: built from plain values, validated by ingest's rules, framed with the registry's id of
the shipped schema, keyed and partitioned as the topic catalogue prescribes, sent by an idempotent producer."""

from __future__ import annotations

import logging
import threading
import time
import uuid as uuidlib
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Mapping, Optional, Sequence

from . import wire
from .registry import RegistryClient
from .validation import (
    CATEGORIES,
    DUPLICATE_TURN_NUMBER,
    EVALUATORS,
    UNKNOWN_REFERENCE,
    InvalidEventError,
    Limits,
    Validator,
)

if TYPE_CHECKING:
    from .responder import EvaluationResponder
    from .routing import Routing

log = logging.getLogger("promptloop_agent")

AGENT_SESSIONS = "agent-sessions"
AGENT_EVALUATIONS = "agent-evaluations"
AB_OBSERVATIONS = "ab-observations"
EVALUATION_REQUESTS = "optimizer-evaluation-requests"
INSTRUCTION_ROUTING = "instruction-routing"

_SESSION = "io.promptloop.avro.session."


def predictor_key(agent: str, predictor: Optional[str]) -> str:
    """Key of the agent/predictor-keyed topics (``Topics.predictorKey``): ``agent`` or ``agent/predictor``."""
    return agent if not predictor else f"{agent}/{predictor}"


def murmur2(data: bytes) -> int:
    """Kafka's murmur2 (``org.apache.kafka.common.utils.Utils.murmur2``) as a signed 32-bit int."""
    length = len(data)
    m = 0x5BD1E995
    h = (0x9747B28C ^ length) & 0xFFFFFFFF
    for i in range(0, length - length % 4, 4):
        k = int.from_bytes(data[i : i + 4], "little")
        k = (k * m) & 0xFFFFFFFF
        k ^= k >> 24
        k = (k * m) & 0xFFFFFFFF
        h = (h * m) & 0xFFFFFFFF
        h ^= k
    tail = length % 4
    base = length - tail
    if tail == 3:
        h ^= data[base + 2] << 16
    if tail >= 2:
        h ^= data[base + 1] << 8
    if tail >= 1:
        h ^= data[base]
        h = (h * m) & 0xFFFFFFFF
    h ^= h >> 13
    h = (h * m) & 0xFFFFFFFF
    h ^= h >> 15
    return h - (1 << 32) if h & 0x80000000 else h


def partition_for(key: str, partitions: int) -> int:
    """The partition Kafka's Java producer picks for a key (``toPositive(murmur2(key)) % partitions``); this
    library's producer picks the same (librdkafka's ``murmur2_random`` partitioner)."""
    return (murmur2(key.encode("utf-8")) & 0x7FFFFFFF) % partitions


def producer_config(bootstrap_servers: str, extra: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
    """The producer settings every promptloop agent needs; ``extra`` (security, client id, ...) is added on top."""
    config: Dict[str, Any] = {
        "bootstrap.servers": bootstrap_servers,
        # retries never duplicate or reorder a record
        "enable.idempotence": True,
        "acks": "all",
        # Java's default partitioner (murmur2 of the key bytes, positive, mod partitions); librdkafka's default,
        # consistent_random (CRC32), would put a session's events on another partition than a Java agent does.
        "partitioner": "murmur2_random",
        "linger.ms": 5,
    }
    config.update(extra or {})
    return config


class DeliveryError(RuntimeError):
    """Events the broker did not acknowledge. Each can be sent again as it is (``Agent.send``): same id, same bytes."""

    def __init__(self, failed: Sequence["Event"]) -> None:
        super().__init__(
            f"{len(failed)} event(s) not delivered: "
            + "; ".join(f"{e.topic} {e.event_id}: {e.error}" for e in failed[:5])
        )
        self.failed = list(failed)


@dataclass(frozen=True)
class Delivered:
    """A broker's acknowledgement of an event: where it was written."""

    event: "Event"
    partition: int
    offset: int


@dataclass
class Event:
    """One event, validated and encoded once: sending it again sends the same bytes, so its id survives retries."""

    topic: str
    key: str
    value: Dict[str, Any]
    payload: bytes
    error: Optional[str] = None
    futures: List[Future] = field(default_factory=list)

    @property
    def event_id(self) -> str:
        return self.value["event_id"]


def _now_ms() -> int:
    return int(time.time() * 1000)


class Publisher:
    """Builds, validates and sends events. Thread-safe. Use as a context manager: it flushes and closes on exit."""

    def __init__(
        self,
        bootstrap_servers: str,
        registry_url: str,
        *,
        registry_auth: Optional[tuple] = None,
        auto_register: bool = False,
        limits: Limits = Limits(),
        producer_config_extra: Optional[Mapping[str, Any]] = None,
        clock_ms: Callable[[], int] = _now_ms,
        producer: Any = None,
        registry: Optional[RegistryClient] = None,
    ) -> None:
        self._clock_ms = clock_ms
        self.validator = Validator(limits, clock_ms)
        self.registry = registry or RegistryClient(registry_url, auth=registry_auth)
        self._auto_register = auto_register
        if producer is None:
            from confluent_kafka import Producer

            producer = Producer(producer_config(bootstrap_servers, producer_config_extra))
        self._producer = producer
        self._failed: List[Event] = []
        self._lock = threading.Lock()
        self._closed = threading.Event()
        # delivery callbacks run inside poll(): poll all the time, so futures complete without the caller's help
        self._poller = threading.Thread(target=self._poll, name="promptloop-producer-poll", daemon=True)
        self._poller.start()

    # --- building

    def _envelope(self, agent: str, predictor: Optional[str], event_id: Optional[str], occurred_at_ms: Optional[int]):
        return {
            "event_id": event_id or str(uuidlib.uuid4()),
            "occurred_at": self._clock_ms() if occurred_at_ms is None else occurred_at_ms,
            "agent": {"agent_name": agent, "predictor_name": predictor},
        }

    def _encode(self, topic: str, key: str, value: Dict[str, Any]) -> Event:
        schema_id = self.registry.value_schema_id(topic, auto_register=self._auto_register)
        try:
            body = wire.encode(topic, value)
        except (ValueError, TypeError, KeyError) as e:  # a value the schema cannot hold (wrong type, unknown symbol)
            raise InvalidEventError("invalid_value", f"{topic}: {e}") from e
        return Event(topic, key, value, wire.frame(schema_id, body))

    def session_event(
        self,
        agent: str,
        predictor: Optional[str],
        session_id: str,
        kind: str,
        fields: Mapping[str, Any],
        *,
        event_id: Optional[str] = None,
        occurred_at_ms: Optional[int] = None,
    ) -> Event:
        """A ``SessionEvent`` whose payload is ``kind`` (SessionStarted, TurnRecorded, ImprovementNoted,
        SessionEnded) with ``fields``; keyed by the session id."""
        value = self._envelope(agent, predictor, event_id, occurred_at_ms)
        value["session_id"] = session_id
        value["payload"] = (_SESSION + kind, dict(fields))
        self.validator.session_event(value)
        return self._encode(AGENT_SESSIONS, session_id, value)

    def evaluation_event(
        self,
        agent: str,
        predictor: Optional[str],
        *,
        example_id: str,
        input: str,
        output: str,
        overall_score: float,
        feedback: Optional[str] = None,
        reasoning: Optional[str] = None,
        expected_behavior: Optional[str] = None,
        category: Optional[str] = None,
        scores: Optional[Mapping[str, Optional[float]]] = None,
        evaluator: str = "AGENT",
        session_id: Optional[str] = None,
        turn_number: Optional[int] = None,
        run_id: Optional[str] = None,
        candidate_id: Optional[str] = None,
        request_id: Optional[str] = None,
        event_id: Optional[str] = None,
        occurred_at_ms: Optional[int] = None,
    ) -> Event:
        value = self._envelope(agent, predictor, event_id, occurred_at_ms)
        value.update(
            example_id=example_id,
            input=input,
            output=output,
            expected_behavior=expected_behavior,
            category=category,
            scores=dict(scores or {}),
            overall_score=overall_score,
            reasoning=reasoning,
            feedback=feedback,
            evaluator=evaluator.upper() if isinstance(evaluator, str) else evaluator,
            session_id=session_id,
            turn_number=turn_number,
            run_id=run_id,
            candidate_id=candidate_id,
            request_id=request_id,
        )
        self.validator.evaluation(value)
        return self._encode(AGENT_EVALUATIONS, predictor_key(agent, predictor), value)

    def observation_event(
        self,
        agent: str,
        predictor: Optional[str],
        *,
        test_id: str,
        variant: str,
        unit_id: str,
        score: Optional[float],
        latency_ms: Optional[int],
        success: bool,
        instruction_id: Optional[str] = None,
        event_id: Optional[str] = None,
        occurred_at_ms: Optional[int] = None,
        covariate: Optional[float] = None,
        ratio_numerator: Optional[float] = None,
        ratio_denominator: Optional[float] = None,
    ) -> Event:
        value = self._envelope(agent, predictor, event_id, occurred_at_ms)
        value.update(
            test_id=test_id,
            variant=variant,
            unit_id=unit_id,
            score=None if score is None else float(score),
            latency_ms=latency_ms,
            success=success,
            instruction_id=instruction_id,
            covariate=None if covariate is None else float(covariate),
            ratio_numerator=None if ratio_numerator is None else float(ratio_numerator),
            ratio_denominator=None if ratio_denominator is None else float(ratio_denominator),
        )
        self.validator.observation(value)
        return self._encode(AB_OBSERVATIONS, test_id, value)

    # --- sending

    def send(self, event: Event) -> Future:
        """Sends an event (again): same key, same bytes, same event id. The future completes with
        :class:`Delivered` (partition, offset) when the broker acknowledged it, or fails with a
        :class:`DeliveryError`."""
        if self._closed.is_set():
            raise RuntimeError("publisher is closed")
        future: Future = Future()
        event.error = None

        def delivered(err: Any, msg: Any) -> None:
            if err is not None:
                event.error = str(err)
                with self._lock:
                    self._failed.append(event)
                future.set_exception(DeliveryError([event]))
            else:
                future.set_result(Delivered(event, msg.partition(), msg.offset()))

        while True:
            try:
                self._producer.produce(event.topic, value=event.payload, key=event.key.encode("utf-8"), on_delivery=delivered)
                break
            except BufferError:  # local queue full: let deliveries drain, then try again
                self._producer.poll(0.1)
        return future

    def flush(self, timeout: float = 30.0) -> None:
        """Waits until every event sent so far is acknowledged; raises :class:`DeliveryError` for those that
        failed since the last flush (they can be sent again)."""
        remaining = self._producer.flush(timeout)
        with self._lock:
            failed, self._failed = self._failed, []
        if failed:
            raise DeliveryError(failed)
        if remaining:
            raise DeliveryError([])  # pragma: no cover - only when the broker is unreachable for `timeout`

    def _poll(self) -> None:
        while not self._closed.is_set():
            self._producer.poll(0.1)

    def close(self, timeout: float = 30.0) -> None:
        if self._closed.is_set():
            return
        try:
            self.flush(timeout)
        finally:
            self._closed.set()
            self._poller.join(timeout=5)

    def __enter__(self) -> "Publisher":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class Session:
    """One prompt-tuning session of an agent: its events share the session id as key, so they stay in order.

    Keeps the turn numbers it sent, so a duplicate turn number or a note on a turn never sent fails here with
    ingest's reason instead of in the dead-letter topic. As a context manager it ends the session on exit."""

    def __init__(self, agent: "Agent", session_id: str) -> None:
        self._agent = agent
        self.session_id = session_id
        self._turns: set = set()
        self._lock = threading.Lock()
        self.ended = False

    def _send(self, kind: str, fields: Mapping[str, Any], event_id: Optional[str]) -> Event:
        p = self._agent.publisher
        event = p.session_event(
            self._agent.name, self._agent.predictor, self.session_id, kind, fields, event_id=event_id
        )
        p.send(event)
        return event

    def start(
        self,
        *,
        tester_id: Optional[str] = None,
        tester_email: Optional[str] = None,
        tester_name: Optional[str] = None,
        master_prompt_version: Optional[str] = None,
        branch_name: Optional[str] = None,
        metadata: Optional[Mapping[str, str]] = None,
        event_id: Optional[str] = None,
    ) -> Event:
        tester = None
        if tester_id or tester_email or tester_name:
            tester = {"id": tester_id, "email": tester_email, "name": tester_name}
        return self._send(
            "SessionStarted",
            {
                "master_prompt_version": master_prompt_version,
                "branch_name": branch_name,
                "tester": tester,
                "metadata": dict(metadata or {}),
            },
            event_id,
        )

    def record_turn(
        self,
        user_message: str,
        agent_response: str,
        *,
        turn_number: Optional[int] = None,
        processing_time_ms: Optional[int] = None,
        search_results: Sequence[Mapping[str, Any]] = (),
        avg_similarity: Optional[float] = None,
        total_chunks: Optional[int] = None,
        confidence_score: Optional[float] = None,
        template_used: Optional[str] = None,
        instruction_id: Optional[str] = None,
        metadata: Optional[Mapping[str, str]] = None,
        event_id: Optional[str] = None,
    ) -> Event:
        """Records a turn; ``turn_number`` defaults to one more than the highest sent."""
        with self._lock:
            number = turn_number if turn_number is not None else max(self._turns, default=0) + 1
            if number in self._turns:
                raise InvalidEventError(
                    DUPLICATE_TURN_NUMBER, f"turn {number} of session {self.session_id} was already sent"
                )
            results = [
                {
                    "chunk_id": r.get("chunk_id"),
                    "document_title": r.get("document_title"),
                    "chunk_text": r.get("chunk_text"),
                    "similarity": r.get("similarity"),
                }
                for r in search_results
            ]
            event = self._send(
                "TurnRecorded",
                {
                    "turn_number": number,
                    "user_message": user_message,
                    "agent_response": agent_response,
                    "processing_time_ms": processing_time_ms,
                    "search_results": results,
                    "avg_similarity": avg_similarity,
                    "total_chunks": total_chunks,
                    "confidence_score": confidence_score,
                    "template_used": template_used,
                    "instruction_id": instruction_id,
                    "metadata": dict(metadata or {}),
                },
                event_id,
            )
            self._turns.add(number)
            return event

    def note_improvement(
        self,
        turn_number: int,
        note: str,
        *,
        category: Optional[str] = None,
        metadata: Optional[Mapping[str, str]] = None,
        event_id: Optional[str] = None,
    ) -> Event:
        """A tester's note on a turn this session sent. ``category``: tone, content, citation, clarity,
        structure, action or other."""
        with self._lock:
            if turn_number not in self._turns:
                raise InvalidEventError(
                    UNKNOWN_REFERENCE, f"turn {turn_number} of session {self.session_id} was never sent"
                )
        cat = category.upper() if isinstance(category, str) and category.upper() in CATEGORIES else category
        return self._send(
            "ImprovementNoted",
            {"turn_number": turn_number, "improvement_note": note, "category": cat, "metadata": dict(metadata or {})},
            event_id,
        )

    def end(self, reason: Optional[str] = None, *, event_id: Optional[str] = None) -> Event:
        event = self._send("SessionEnded", {"reason": reason}, event_id)
        self.ended = True
        return event

    def __enter__(self) -> "Session":
        return self

    def __exit__(self, exc_type: Any, *exc: Any) -> None:
        if not self.ended:
            self.end("error" if exc_type else None)


class Agent:
    """What one agent (or one predictor of it) publishes. ``with Agent(...) as agent:`` flushes and closes on exit."""

    def __init__(
        self,
        name: str,
        *,
        bootstrap_servers: str,
        registry_url: str,
        predictor: Optional[str] = None,
        publisher: Optional[Publisher] = None,
        **publisher_options: Any,
    ) -> None:
        self.name = name
        self.predictor = predictor
        self.bootstrap_servers = bootstrap_servers
        self.registry_url = registry_url
        self.publisher = publisher or Publisher(bootstrap_servers, registry_url, **publisher_options)

    def session(self, session_id: Optional[str] = None, **start: Any) -> Session:
        """Opens a session (``SessionStarted`` with the tester, prompt version, branch and metadata given)."""
        s = Session(self, session_id or str(uuidlib.uuid4()))
        s.start(**start)
        return s

    def resume_session(self, session_id: str, sent_turns: Sequence[int] = ()) -> Session:
        """A handle on a session started earlier (no event is sent); ``sent_turns`` are the turns it already has."""
        s = Session(self, session_id)
        s._turns.update(sent_turns)
        return s

    def record_evaluation(self, **fields: Any) -> Event:
        """Publishes an ``EvaluationRecorded`` (example_id, input, output, overall_score, feedback, scores, ...)."""
        event = self.publisher.evaluation_event(self.name, self.predictor, **fields)
        self.publisher.send(event)
        return event

    def report(
        self,
        test_id: str,
        variant: str,
        unit_id: str,
        score: Optional[float],
        latency_ms: Optional[int],
        success: bool,
        *,
        instruction_id: Optional[str] = None,
        event_id: Optional[str] = None,
        covariate: Optional[float] = None,
        ratio_numerator: Optional[float] = None,
        ratio_denominator: Optional[float] = None,
    ) -> Event:
        """One request served under the A/B test ``test_id`` (``ObservationRecorded`` on ab-observations).

        ``covariate``: for CUPED, the unit's value of the test's metric measured before it was first exposed (None
        when it has none). ``ratio_numerator``/``ratio_denominator``: the parts of a ratio metric, both or neither."""
        event = self.publisher.observation_event(
            self.name,
            self.predictor,
            test_id=test_id,
            variant=variant,
            unit_id=unit_id,
            score=score,
            latency_ms=latency_ms,
            success=success,
            instruction_id=instruction_id,
            event_id=event_id,
            covariate=covariate,
            ratio_numerator=ratio_numerator,
            ratio_denominator=ratio_denominator,
        )
        self.publisher.send(event)
        return event

    def send(self, event: Event) -> Future:
        """Sends an event again (after a :class:`DeliveryError`): same id, same bytes."""
        return self.publisher.send(event)

    def routing(self, **options: Any) -> "Routing":
        """Starts following ``instruction-routing`` (see :class:`promptloop_agent.Routing`)."""
        from .routing import Routing

        return Routing(self.bootstrap_servers, self.publisher.registry, **options)

    def evaluation_responder(self, evaluate: Callable[..., Any], **options: Any) -> "EvaluationResponder":
        """A responder answering this agent's evaluation requests with ``evaluate`` (start it, or use ``with``)."""
        from .responder import EvaluationResponder

        options.setdefault("predictor", self.predictor)
        return EvaluationResponder(self.publisher, self.bootstrap_servers, self.name, evaluate, **options)

    def flush(self, timeout: float = 30.0) -> None:
        self.publisher.flush(timeout)

    def close(self) -> None:
        self.publisher.close()

    def __enter__(self) -> "Agent":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


__all__ = [
    "Agent",
    "Delivered",
    "DeliveryError",
    "Event",
    "EVALUATORS",
    "Publisher",
    "Session",
    "predictor_key",
    "producer_config",
]
