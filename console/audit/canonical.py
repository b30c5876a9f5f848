"""Canonical JSON and the event hash: one byte string per event, the same on every database."""
from __future__ import annotations

import enum
import hashlib
import json
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

GENESIS = "0" * 64


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)  # exact: "10.00" stays "10.00", never a binary float
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=str)
    if isinstance(value, (uuid.UUID, bytes)):
        return value.hex() if isinstance(value, bytes) else str(value)
    raise TypeError(f"{type(value).__name__} cannot go in an audit event")


def dumps(value: Any) -> str:
    """Sorted keys, no spaces, UTF-8 text; Decimal as its exact string, dates ISO 8601, enums by value."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_plain,
                      allow_nan=False)


def event_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    """SHA-256 of the previous hash and the canonical form of the event's fields."""
    return hashlib.sha256((prev_hash + "\n" + dumps(fields)).encode("utf-8")).hexdigest()
