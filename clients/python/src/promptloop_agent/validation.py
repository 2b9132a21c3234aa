"""The rules ingest-service applies to every agent event (its ``EventValidator`` and ``AvroEventMapper``), checked
before anything is sent. A violation raises :class:`InvalidEventError` whose ``reason`` is the dead-letter reason
ingest would have given (``promptloop-dlt-reason``), and whose message names the field as ingest does.

Texts are measured as Java measures them (UTF-16 code units) and "blank" is Java's ``String.isBlank``.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Optional

INVALID_VALUE = "invalid_value"
OVERSIZED = "oversized"
UNKNOWN_REFERENCE = "unknown_reference"
DUPLICATE_TURN_NUMBER = "duplicate_turn_number"

EARLIEST_MS = 946_684_800_000  # 2000-01-01T00:00:00Z
VARIANTS = frozenset({"baseline", "treatment", "gepa", "gepa_v2", "control"})
EVALUATORS = ("HUMAN", "LLM_JUDGE", "HEURISTIC", "AGENT", "OTHER")
CATEGORIES = ("TONE", "CONTENT", "CITATION", "CLARITY", "STRUCTURE", "ACTION", "OTHER")
MAX_NAME = 100
MAX_ID = 200

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
# Character.isWhitespace: Unicode space separators except the no-break ones, and the ASCII/ISO controls below.
_JAVA_WHITESPACE = frozenset(
    "\t\n\u000b\f\r\u001c\u001d\u001e\u001f \u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2008\u2009\u200a"
    "\u2028\u2029\u205f\u3000"
)


class InvalidEventError(ValueError):
    """An event that ingest-service would dead-letter; nothing was sent."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(f"{reason}: {message}")
        self.reason = reason
        self.detail = message


@dataclass(frozen=True)
class Limits:
    """ingest-service's ``promptloop.ingest.limits.*`` (defaults as shipped)."""

    max_text_length: int = 100_000
    max_search_results: int = 200
    max_metadata_entries: int = 100
    max_clock_skew_ms: int = 24 * 3600 * 1000


def _invalid(message: str) -> InvalidEventError:
    return InvalidEventError(INVALID_VALUE, message)


def java_length(value: str) -> int:
    """Length in UTF-16 code units, as ``String.length()`` counts."""
    return len(value) + sum(1 for c in value if ord(c) > 0xFFFF)


def _blank(value: str) -> bool:
    return all(c in _JAVA_WHITESPACE for c in value)


def uuid(field: str, value: Optional[str]) -> None:
    if value is None:
        raise _invalid(f"{field} is required")
    if not isinstance(value, str) or not _UUID.match(value):
        text = str(value)
        raise _invalid(f"{field} is not a UUID: '{text if len(text) <= 60 else text[:60] + '...'}'")


def optional_uuid(field: str, value: Optional[str]) -> None:
    if value is not None:
        uuid(field, value)


def required_text(field: str, value: Optional[str], limit: int) -> None:
    if value is None or not isinstance(value, str) or _blank(value):
        raise _invalid(f"{field} is required and must not be blank")
    _length(field, value, limit)


def optional_text(field: str, value: Optional[str], limit: int) -> None:
    if value is not None:
        if not isinstance(value, str):
            raise _invalid(f"{field} must be a string")
        _length(field, value, limit)


def _length(field: str, value: str, limit: int) -> None:
    n = java_length(value)
    if n > limit:
        raise InvalidEventError(OVERSIZED, f"{field} has {n} characters, limit {limit}")
    if "\u0000" in value:
        raise _invalid(f"{field} contains a NUL character")


def _number(field: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _invalid(f"{field} must be a number, was {value!r}")
    return float(value)


def positive(field: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _invalid(f"{field} must be an integer, was {value!r}")
    if value <= 0:
        raise _invalid(f"{field} must be > 0, was {value}")


def non_negative(field: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _invalid(f"{field} must be an integer, was {value!r}")
    if value < 0:
        raise _invalid(f"{field} must be >= 0, was {value}")


def unit_interval(field: str, value: Any) -> None:
    if value is not None:
        v = _number(field, value)
        if not (0.0 <= v <= 1.0):  # NaN fails too
            raise _invalid(f"{field} must be within [0, 1], was {value}")


MAX_MAGNITUDE = 1e12


def bounded(field: str, value: Any) -> None:
    """A finite number with |x| <= 1e12 (covariates, ratio parts), as the A/B service accepts them."""
    if value is not None:
        v = _number(field, value)
        if not (abs(v) <= MAX_MAGNITUDE):  # NaN and infinities fail too
            raise _invalid(f"{field} must be finite with |x| <= 1e12, was {value}")


def rubric(field: str, value: Any) -> None:
    if value is not None:
        v = _number(field, value)
        if not (1.0 <= v <= 5.0):
            raise _invalid(f"{field} must be within [1, 5], was {value}")


def metadata(limits: Limits, entries: Mapping[str, str]) -> None:
    if len(entries) > limits.max_metadata_entries:
        raise InvalidEventError(
            OVERSIZED, f"metadata has {len(entries)} entries, limit {limits.max_metadata_entries}"
        )
    for k, v in entries.items():
        required_text("metadata key", k, MAX_ID)
        optional_text(f"metadata['{k}']", v, limits.max_text_length)


class Validator:
    """Checks the Avro-shaped dict of an event (field names as in the schemas) before it is encoded."""

    def __init__(self, limits: Limits = Limits(), now_ms: Callable[[], int] = lambda: int(time.time() * 1000)):
        self.limits = limits
        self._now_ms = now_ms

    def common(self, event: Mapping[str, Any]) -> None:
        uuid("event_id", event.get("event_id"))
        agent = event.get("agent")
        if not agent:
            raise _invalid("agent is required")
        required_text("agent.agent_name", agent.get("agent_name"), MAX_NAME)
        predictor = agent.get("predictor_name")
        optional_text("agent.predictor_name", predictor, MAX_NAME)
        if predictor is not None and _blank(predictor):
            raise _invalid("agent.predictor_name must be null or non-blank")
        at = event.get("occurred_at")
        if isinstance(at, bool) or not isinstance(at, int) or at < EARLIEST_MS:
            raise _invalid(f"occurred_at {at} is before 2000-01-01T00:00:00Z")
        latest = self._now_ms() + self.limits.max_clock_skew_ms
        if at > latest:
            raise _invalid(f"occurred_at {at} is in the future (after {latest})")

    def session_event(self, event: Mapping[str, Any]) -> None:
        """A ``SessionEvent`` with ``payload`` as ``(record name, fields)``."""
        uuid("event_id", event.get("event_id"))
        uuid("session_id", event.get("session_id"))
        self.common(event)
        name, p = event["payload"]
        kind = name.rsplit(".", 1)[-1]
        lim = self.limits
        if kind == "SessionStarted":
            optional_text("master_prompt_version", p.get("master_prompt_version"), MAX_ID)
            optional_text("branch_name", p.get("branch_name"), MAX_ID)
            tester = p.get("tester") or {}
            optional_text("tester.id", tester.get("id"), MAX_ID)
            optional_text("tester.email", tester.get("email"), MAX_ID)
            optional_text("tester.name", tester.get("name"), MAX_ID)
            metadata(lim, p.get("metadata", {}))
        elif kind == "TurnRecorded":
            positive("turn_number", p.get("turn_number"))
            required_text("user_message", p.get("user_message"), lim.max_text_length)
            required_text("agent_response", p.get("agent_response"), lim.max_text_length)
            if p.get("processing_time_ms") is not None:
                non_negative("processing_time_ms", p["processing_time_ms"])
            if p.get("total_chunks") is not None:
                non_negative("total_chunks", p["total_chunks"])
            unit_interval("avg_similarity", p.get("avg_similarity"))
            unit_interval("confidence_score", p.get("confidence_score"))
            optional_text("template_used", p.get("template_used"), MAX_ID)
            results = p.get("search_results", [])
            if len(results) > lim.max_search_results:
                raise InvalidEventError(
                    OVERSIZED, f"search_results has {len(results)} entries, limit {lim.max_search_results}"
                )
            for i, r in enumerate(results):
                required_text(f"search_results[{i}].chunk_id", r.get("chunk_id"), MAX_ID)
                optional_text(f"search_results[{i}].document_title", r.get("document_title"), MAX_ID * 5)
                required_text(f"search_results[{i}].chunk_text", r.get("chunk_text"), lim.max_text_length)
                unit_interval(f"search_results[{i}].similarity", r.get("similarity"))
            optional_uuid("instruction_id", p.get("instruction_id"))
            metadata(lim, p.get("metadata", {}))
        elif kind == "ImprovementNoted":
            positive("turn_number", p.get("turn_number"))
            required_text("improvement_note", p.get("improvement_note"), lim.max_text_length)
            category = p.get("category")
            if category is not None and category not in CATEGORIES:
                allowed = ", ".join(c.lower() for c in CATEGORIES)
                raise _invalid(f"category must be one of [{allowed}], was '{category}'")
            metadata(lim, p.get("metadata", {}))
        elif kind == "SessionEnded":
            optional_text("reason", p.get("reason"), lim.max_text_length)
        else:
            raise _invalid(f"unknown session payload {name}")

    def evaluation(self, e: Mapping[str, Any]) -> None:
        uuid("event_id", e.get("event_id"))
        self.common(e)
        lim = self.limits
        required_text("example_id", e.get("example_id"), MAX_ID)
        required_text("input", e.get("input"), lim.max_text_length)
        required_text("output", e.get("output"), lim.max_text_length)
        optional_text("expected_behavior", e.get("expected_behavior"), lim.max_text_length)
        optional_text("category", e.get("category"), MAX_ID)
        optional_text("reasoning", e.get("reasoning"), lim.max_text_length)
        optional_text("feedback", e.get("feedback"), lim.max_text_length)
        if e.get("evaluator") not in EVALUATORS:
            raise _invalid(f"evaluator '{e.get('evaluator')}' is not known")
        s = e.get("scores", {})
        for f in (
            "functionality",
            "safety",
            "consistency",
            "edge_case_handling",
            "faithfulness",
            "answer_relevancy",
            "context_precision",
            "context_recall",
            "ragas_aggregate",
        ):
            unit_interval(f"scores.{f}", s.get(f))
        for f in ("causal_validity", "actionability", "rubric_aggregate"):
            rubric(f"scores.{f}", s.get(f))
        if e.get("overall_score") is None:
            raise _invalid("overall_score is required")
        unit_interval("overall_score", e.get("overall_score"))
        if e.get("turn_number") is not None:
            positive("turn_number", e["turn_number"])
        for f in ("session_id", "run_id", "candidate_id", "request_id"):
            optional_uuid(f, e.get(f))

    def observation(self, o: Mapping[str, Any]) -> None:
        uuid("event_id", o.get("event_id"))
        uuid("test_id", o.get("test_id"))
        optional_uuid("instruction_id", o.get("instruction_id"))
        self.common(o)
        variant = o.get("variant")
        if variant not in VARIANTS:
            allowed = ", ".join(sorted(VARIANTS))
            raise _invalid(f"variant must be one of [{allowed}], was '{variant}'")
        required_text("unit_id", o.get("unit_id"), MAX_ID)
        unit_interval("score", o.get("score"))
        latency = o.get("latency_ms")
        if latency is not None:
            if isinstance(latency, bool) or not isinstance(latency, int):
                raise _invalid(f"latency_ms must be an integer, was {latency!r}")
            if latency < 0:
                raise _invalid(f"latency_ms must be >= 0, was {latency}")
        if not isinstance(o.get("success"), bool):
            raise _invalid("success is required (true or false)")
        for field in ("covariate", "ratio_numerator", "ratio_denominator"):
            bounded(field, o.get(field))
        if (o.get("ratio_numerator") is None) != (o.get("ratio_denominator") is None):
            raise _invalid("ratio_numerator and ratio_denominator go together: one of them is missing")
