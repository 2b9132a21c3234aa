"""Avro in Confluent's wire format (magic byte 0, 4-byte big-endian schema id, Avro binary body), with the schemas
this library ships (generated self-contained from the project's ``schemas/src/main/avro`` at build time)."""

from __future__ import annotations

import io
import json
import struct
from functools import lru_cache
from importlib import resources
from typing import Any, Dict, Mapping, Tuple

import fastavro
from fastavro.schema import to_parsing_canonical_form

MAGIC = 0
_HEADER = struct.Struct(">bI")


class WireFormatError(ValueError):
    """Bytes that are not a Confluent-framed Avro record."""


def frame(schema_id: int, body: bytes) -> bytes:
    """Magic byte 0, the schema id as 4 bytes big-endian, then the Avro body."""
    if not 0 <= schema_id <= 0xFFFFFFFF:
        raise ValueError(f"schema id {schema_id} does not fit in 4 bytes")
    return _HEADER.pack(MAGIC, schema_id) + body


def unframe(data: bytes) -> Tuple[int, bytes]:
    """The schema id and the Avro body of a framed record."""
    if data is None or len(data) < _HEADER.size:
        raise WireFormatError(f"record of {0 if data is None else len(data)} bytes is shorter than the 5-byte header")
    magic, schema_id = _HEADER.unpack_from(data)
    if magic != MAGIC:
        raise WireFormatError(f"magic byte {magic}, expected {MAGIC}")
    return schema_id, data[_HEADER.size :]


@lru_cache(maxsize=None)
def topics() -> Dict[str, Dict[str, Any]]:
    """The topic catalogue as exported from ``io.promptloop.schemas.Topics``: name → key, partitions, cleanup."""
    text = resources.files(__package__).joinpath("schemas/topics.json").read_text(encoding="utf-8")
    return {t["name"]: t for t in json.loads(text)}


@lru_cache(maxsize=None)
def schema_text(topic: str) -> str:
    """The shipped, self-contained value schema of a topic (JSON)."""
    path = resources.files(__package__).joinpath(f"schemas/{topic}-value.avsc")
    if not path.is_file():
        raise KeyError(f"no shipped schema for topic {topic!r}")
    return path.read_text(encoding="utf-8")


@lru_cache(maxsize=None)
def parsed_schema(topic: str) -> Any:
    return fastavro.parse_schema(json.loads(schema_text(topic)))


def canonical(schema_json: str) -> str:
    """Avro's Parsing Canonical Form: equal for schemas that read and write the same bytes."""
    return to_parsing_canonical_form(fastavro.parse_schema(json.loads(schema_json)))


def encode(topic: str, record: Mapping[str, Any]) -> bytes:
    """The Avro binary body of a record. Unions of records take the tuple notation ``(full name, fields)``, so that
    a payload is never guessed from its fields (``SessionEnded{reason=null}`` would also fit ``SessionStarted``)."""
    out = io.BytesIO()
    fastavro.schemaless_writer(out, parsed_schema(topic), dict(record))
    return out.getvalue()


def decode(body: bytes, writer_schema: Any, topic: str) -> Dict[str, Any]:
    """Reads a body written with ``writer_schema`` into the shipped (reader) schema of ``topic``. A union of several
    records comes back as ``(full name, fields)``; a nullable record as the record itself."""
    return fastavro.schemaless_reader(
        io.BytesIO(body),
        writer_schema,
        parsed_schema(topic),
        return_record_name=True,
        return_record_name_override=True,
    )
