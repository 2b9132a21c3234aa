"""Answering the optimizer: each ``EvaluationRequested`` for this agent is run through a user function per example,
and each result is published as an ``EvaluationRecorded`` carrying the run, candidate and request ids."""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Mapping, Optional

from . import wire
from .publisher import EVALUATION_REQUESTS, Publisher

log = logging.getLogger("promptloop_agent")


@dataclass(frozen=True)
class EvaluationTask:
    """One example of a candidate to run: the candidate instruction, its tool descriptions, the example input."""

    instruction_text: str
    tool_descriptions: Mapping[str, str]
    example_id: str
    input: str
    run_id: str
    candidate_id: str
    request_id: str
    agent: str
    predictor: Optional[str]


@dataclass(frozen=True)
class Scored:
    """The user function's answer: the output it produced, a score in [0, 1] and feedback for the reflector."""

    output: str
    score: float
    feedback: Optional[str] = None
    scores: Mapping[str, Optional[float]] = field(default_factory=dict)


def _log_failure(task: EvaluationTask, error: BaseException) -> None:
    log.error(
        "evaluation of example %s for run %s (request %s) failed: %r; the optimizer asks again at its deadline",
        task.example_id,
        task.run_id,
        task.request_id,
        error,
    )


class EvaluationResponder:
    """Consumes ``optimizer-evaluation-requests`` (consumer group ``group_id``), keeps the requests for ``agent``
    (any predictor, or only ``predictor`` when given), and answers them with at most ``concurrency`` user calls at
    a time. A user function that raises, or returns a score outside [0, 1], is reported to ``on_error`` (default:
    logged) and counted in ``failed``; the loop goes on. Requests past their deadline are skipped."""

    def __init__(
        self,
        publisher: Publisher,
        bootstrap_servers: str,
        agent: str,
        evaluate: Callable[[EvaluationTask], Scored],
        *,
        predictor: Optional[str] = None,
        concurrency: int = 4,
        group_id: Optional[str] = None,
        on_error: Callable[[EvaluationTask, BaseException], None] = _log_failure,
        consumer_config_extra: Optional[Mapping[str, Any]] = None,
        clock_ms: Callable[[], int] = lambda: int(time.time() * 1000),
        consumer: Any = None,
    ) -> None:
        if concurrency < 1:
            raise ValueError(f"concurrency must be >= 1, was {concurrency}")
        self._publisher = publisher
        self._agent = agent
        self._predictor = predictor
        self._evaluate = evaluate
        self._on_error = on_error
        self._clock_ms = clock_ms
        self._slots = threading.BoundedSemaphore(concurrency)
        self._pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="promptloop-evaluate")
        config: Dict[str, Any] = {
            "bootstrap.servers": bootstrap_servers,
            "group.id": group_id or f"promptloop-evaluator-{agent}",
            "auto.offset.reset": "earliest",
            "enable.auto.commit": True,
        }
        config.update(consumer_config_extra or {})
        if consumer is None:
            from confluent_kafka import Consumer

            consumer = Consumer(config)
        self._consumer = consumer
        self._consumer.subscribe([EVALUATION_REQUESTS])
        self.answered = 0
        self.failed = 0
        self.skipped = 0
        self._counts = threading.Lock()
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None

    def start(self) -> "EvaluationResponder":
        """Runs the loop in a background thread."""
        self._thread = threading.Thread(target=self.run, name="promptloop-responder", daemon=True)
        self._thread.start()
        return self

    def run(self) -> None:
        """The loop, in the calling thread, until :meth:`stop`."""
        try:
            while not self._stop.is_set():
                msg = self._consumer.poll(0.2)
                if msg is None:
                    continue
                if msg.error():
                    log.warning("%s: %s", EVALUATION_REQUESTS, msg.error())
                    continue
                self._handle(msg.value())
        finally:
            self._consumer.close()

    def _handle(self, value: Optional[bytes]) -> None:
        try:
            schema_id, body = wire.unframe(value)
            request = wire.decode(body, self._publisher.registry.writer_schema(schema_id), EVALUATION_REQUESTS)
        except Exception as e:
            with self._counts:
                self.skipped += 1
            log.error("%s: skipped an unreadable request: %s", EVALUATION_REQUESTS, e)
            return
        agent = request["agent"]
        if agent["agent_name"] != self._agent or (
            self._predictor is not None and agent.get("predictor_name") != self._predictor
        ):
            return
        deadline = request.get("deadline")
        if deadline is not None and _millis(deadline) < self._clock_ms():
            with self._counts:
                self.skipped += 1
            return
        for example in request["examples"]:
            task = EvaluationTask(
                instruction_text=request["instruction_text"],
                tool_descriptions=dict(request.get("tool_descriptions") or {}),
                example_id=example["example_id"],
                input=example["input"],
                run_id=request["run_id"],
                candidate_id=request["candidate_id"],
                request_id=request["request_id"],
                agent=agent["agent_name"],
                predictor=agent.get("predictor_name"),
            )
            self._slots.acquire()  # bounded: the poll loop waits while all slots are busy
            self._pool.submit(self._answer, task)

    def _answer(self, task: EvaluationTask) -> None:
        try:
            result = self._evaluate(task)
            if not isinstance(result, Scored):
                raise TypeError(f"the evaluation function returned {type(result).__name__}, not Scored")
            event = self._publisher.evaluation_event(
                task.agent,
                task.predictor,
                example_id=task.example_id,
                input=task.input,
                output=result.output,
                overall_score=result.score,
                feedback=result.feedback,
                scores=result.scores,
                evaluator="AGENT",
                run_id=task.run_id,
                candidate_id=task.candidate_id,
                request_id=task.request_id,
            )
            self._publisher.send(event).result(timeout=60)
            with self._counts:
                self.answered += 1
        except BaseException as e:  # reported, never silently dropped; the loop goes on
            with self._counts:
                self.failed += 1
            try:
                self._on_error(task, e)
            except Exception:
                log.exception("on_error raised")
        finally:
            self._slots.release()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self._pool.shutdown(wait=True)

    def __enter__(self) -> "EvaluationResponder":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def _millis(value: Any) -> int:
    if isinstance(value, int):
        return value
    return int(value.timestamp() * 1000)  # fastavro reads timestamp-millis as an aware datetime
