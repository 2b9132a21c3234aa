"""The A/B assignment rule, the same as ``io.promptloop.schemas.Assignment``: the first 8 bytes of
SHA-256(UTF-8 of ``salt + ":" + unit_id``), read as an unsigned big-endian number, modulo 10,000, are the unit's
bucket; the unit is in treatment when its bucket is below round-half-up(split × 10,000) (Java's ``Math.round``; Python's
``round`` would round halves to even)."""

from __future__ import annotations

import hashlib
import math

BUCKETS = 10_000


def bucket(salt: str, unit_id: str) -> int:
    """The unit's bucket in [0, 10,000)."""
    if salt is None or unit_id is None:
        raise ValueError("salt and unit_id are required")
    digest = hashlib.sha256(f"{salt}:{unit_id}".encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big", signed=False) % BUCKETS


def threshold(split: float) -> int:
    """Buckets in treatment for a split: ``Math.round(split × 10,000)``, ties up. (``floor(x + 0.5)`` would be off
    for 0.49999999999999994, whose sum with 0.5 rounds to 1.0; ``x - floor(x)`` is exact.)"""
    if not (0.0 <= split <= 1.0):  # NaN fails too
        raise ValueError(f"traffic split must be in [0, 1], got {split}")
    x = split * BUCKETS
    whole = math.floor(x)
    return whole + 1 if x - whole >= 0.5 else whole


def is_treatment(salt: str, unit_id: str, split: float) -> bool:
    return bucket(salt, unit_id) < threshold(split)
