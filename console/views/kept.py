"""Rendered fragments kept for the life of the application, for keys that fully decide them.

The menu of a set of roles in a language, the HTML of a plain search field of a list in a language: the
same for every request that has the key, costly to render on each. Each kind lives in its own bounded
table of ``app.extensions`` (per application: two applications of one process may differ).
"""
from __future__ import annotations

import threading
from typing import Callable, Hashable, TypeVar

from flask import current_app

T = TypeVar("T")

_lock = threading.Lock()


def kept(table: str, key: Hashable | None, render: Callable[[], T], limit: int) -> T:
    """The value kept under ``key`` in ``table``, rendered (and kept) the first time; a None key is rendered
    every time. ``limit`` only bounds a misuse: past it, the table starts afresh."""
    if key is None:
        return render()
    values = current_app.extensions.setdefault(table, {})
    value = values.get(key)
    if value is None:
        value = render()
        with _lock:
            if len(values) >= limit:
                values.clear()
            values[key] = value
    return value
