"""The few calls to a Confluent-compatible schema registry (e.g. Apicurio's ``/apis/ccompat/v7``) an agent needs:
find the id of the shipped schema under ``<topic>-value``, fetch a writer schema by id. Never registers unless asked."""

from __future__ import annotations

import base64
import json
import threading
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Dict, Optional

import fastavro

from . import wire

_CONTENT_TYPE = "application/vnd.schemaregistry.v1+json"


class SchemaRegistryError(RuntimeError):
    """The registry could not be reached, or does not hold the schema this library writes."""


class RegistryClient:
    def __init__(self, url: str, *, auth: Optional[tuple] = None, timeout: float = 10.0) -> None:
        self.url = url.rstrip("/")
        self._timeout = timeout
        self._headers = {"Accept": _CONTENT_TYPE, "Content-Type": _CONTENT_TYPE}
        if auth:
            token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
            self._headers["Authorization"] = f"Basic {token}"
        self._ids: Dict[str, int] = {}
        self._by_id: Dict[int, Any] = {}
        self._lock = threading.Lock()

    def _call(self, method: str, path: str, body: Optional[dict] = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method, headers=self._headers)
        try:
            with urllib.request.urlopen(req, timeout=self._timeout) as resp:
                return json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as e:
            detail = e.read().decode(errors="replace")[:500]
            raise SchemaRegistryError(f"{method} {self.url}{path}: HTTP {e.code} {detail}") from e
        except (urllib.error.URLError, OSError) as e:
            raise SchemaRegistryError(f"{method} {self.url}{path}: {e}") from e

    def value_schema_id(self, topic: str, *, auto_register: bool = False) -> int:
        """The id under which the registry holds the shipped schema of ``topic`` (subject ``<topic>-value``).

        The latest version is taken when it is the shipped schema (same Parsing Canonical Form); otherwise the
        registry is asked whether the shipped schema is one of the subject's versions. With ``auto_register`` a
        missing schema is registered (the registry checks compatibility); without it a missing one is an error."""
        with self._lock:
            if topic in self._ids:
                return self._ids[topic]
        subject = urllib.parse.quote(f"{topic}-value", safe="")
        shipped = wire.schema_text(topic)
        ours = wire.canonical(shipped)
        schema_id: Optional[int] = None
        try:
            latest = self._call("GET", f"/subjects/{subject}/versions/latest")
            if wire.canonical(latest["schema"]) == ours:
                schema_id = int(latest["id"])
        except SchemaRegistryError:
            latest = None
        if schema_id is None:
            try:
                schema_id = int(self._call("POST", f"/subjects/{subject}", {"schema": shipped})["id"])
            except SchemaRegistryError as e:
                if not auto_register:
                    raise SchemaRegistryError(
                        f"subject {topic}-value at {self.url} does not hold the schema this library writes"
                        f" (promptloop-agent's shipped {topic}-value.avsc); register it, or pass auto_register=True"
                        f" ({e})"
                    ) from e
                schema_id = int(self._call("POST", f"/subjects/{subject}/versions", {"schema": shipped})["id"])
        with self._lock:
            self._ids[topic] = schema_id
        return schema_id

    def writer_schema(self, schema_id: int) -> Any:
        """The parsed schema a record with this id was written with (cached; ids never change meaning)."""
        with self._lock:
            if schema_id in self._by_id:
                return self._by_id[schema_id]
        text = self._call("GET", f"/schemas/ids/{schema_id}")["schema"]
        parsed = fastavro.parse_schema(json.loads(text))
        with self._lock:
            self._by_id[schema_id] = parsed
        return parsed
