"""Heartbeats of running jobs: a row its job renews while it works, so that a sweep can tell a dead worker.

A worker killed in the middle of a job (out of memory, a host lost, a
`kill -9`) cannot record anything. While it works, the job renews its row's
``heartbeat_at`` from a thread of its own; a periodic sweep takes the rows
still « running » whose heartbeat stopped (``SILENT_BEATS`` beats missed).
Used by exports (``console/reports/heartbeat.py``) and chéquier imports
(``console/money/imports/jobs.py``).
"""
from __future__ import annotations

import logging
import threading
from contextlib import contextmanager
from datetime import timedelta
from typing import Any, Iterator

from sqlalchemy import and_, or_, update
from sqlalchemy.engine import Engine

from console import jobs
from console.tenants.models import utcnow

log = logging.getLogger(__name__)
HEARTBEAT_SECONDS = 15.0  # CONSOLE_JOB_HEARTBEAT_SECONDS
SILENT_BEATS = 4  # beats missed before a running job counts as abandoned


def interval() -> float:
    return jobs.setting("CONSOLE_JOB_HEARTBEAT_SECONDS", HEARTBEAT_SECONDS)


def silent(model: Any, running: Any, started: Any) -> Any:
    """The rows of ``model`` still ``running`` whose worker died: their last beat is older than ``SILENT_BEATS``
    beats, or they never beat and ``started`` (a column) is that old. A sweep selects them, then changes each
    under the same condition (a worker that beat meanwhile keeps its row)."""
    limit = utcnow() - timedelta(seconds=SILENT_BEATS * interval())
    return and_(model.status == running,
                or_(model.heartbeat_at < limit, and_(model.heartbeat_at.is_(None), started < limit)))


@contextmanager
def beating(engine: Engine, model: Any, row_id: int, running: Any, every: float) -> Iterator[None]:
    """Renew ``model`` row ``row_id``'s heartbeat every ``every`` seconds while the block runs and the row's
    status is ``running`` (a row swept meanwhile is left as the sweep set it). The first beat comes after
    ``every`` seconds: the job's claim of the row records the start, and a short job never beats."""
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(every):
            try:
                with engine.begin() as connection:
                    connection.execute(update(model).where(model.id == row_id, model.status == running)
                                       .values(heartbeat_at=utcnow()))
            except Exception:  # noqa: BLE001 - a missed beat is retried; too many and the sweep takes the row
                log.warning("%s %s: heartbeat not recorded", model.__name__, row_id, exc_info=True)

    thread = threading.Thread(target=beat, name=f"{model.__tablename__}-{row_id}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=every + 30)
