"""Exports whose worker died: a heartbeat while the job runs, and a periodic sweep of the silent ones.

A worker killed in the middle of an export (out of memory, a host lost, a
`kill -9`) cannot record anything. While it builds, the job renews the
export's ``heartbeat_at`` from a thread of its own; the scheduler's sweep
finds running exports whose heartbeat stopped, removes any partial file, and
queues them again once (``MAX_ATTEMPTS``) or marks them failed: an export never
stays « running » and a partial file is never downloadable (a file becomes
the export's only once complete, see ``xlsx.save``).
"""
from __future__ import annotations

import glob
import logging
import os
import threading
from contextlib import contextmanager, suppress
from datetime import timedelta
from typing import Iterator

from flask import current_app
from flask_babel import force_locale, gettext
from sqlalchemy import and_, or_, select, update
from sqlalchemy.engine import Engine

from console import jobs
from console.extensions import db
from console.reports.models import Export, ExportStatus
from console.tenants.models import utcnow

log = logging.getLogger(__name__)
HEARTBEAT_SECONDS = 15.0  # CONSOLE_JOB_HEARTBEAT_SECONDS
SILENT_BEATS = 4  # beats missed before an export counts as abandoned
MAX_ATTEMPTS = 2  # an export whose worker died is queued again once, then fails


def interval() -> float:
    return jobs.setting("CONSOLE_JOB_HEARTBEAT_SECONDS", HEARTBEAT_SECONDS)


@contextmanager
def beating(engine: Engine, export_id: int, every: float) -> Iterator[None]:
    """Renew the export's heartbeat every ``every`` seconds while the block runs."""
    stop = threading.Event()

    def beat() -> None:
        while True:
            try:
                with engine.begin() as connection:
                    connection.execute(update(Export).where(Export.id == export_id,
                                                            Export.status == ExportStatus.running)
                                       .values(heartbeat_at=utcnow()))
            except Exception:  # noqa: BLE001 - a missed beat is retried; too many and the sweep requeues
                log.warning("Export %s: heartbeat not recorded", export_id, exc_info=True)
            if stop.wait(every):
                return

    thread = threading.Thread(target=beat, name=f"export-{export_id}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=every + 30)


def remove_partial_files(export_id: int) -> None:
    """Delete what a dead worker left of an export's file (``export-<id>-*.part``)."""
    folder = current_app.config["CONSOLE_EXPORT_DIR"]
    for path in glob.glob(os.path.join(glob.escape(folder), f"export-{export_id}-*.part")):
        with suppress(FileNotFoundError):
            os.remove(path)


@jobs.periodic(interval)
def sweep_abandoned_exports() -> tuple[int, int]:
    """Job: queue again, or fail, the running exports whose heartbeat stopped; (requeued, failed)."""
    from console.reports.jobs import run_export

    limit = utcnow() - timedelta(seconds=SILENT_BEATS * interval())
    silent = and_(Export.status == ExportStatus.running,
                  or_(Export.heartbeat_at < limit, and_(Export.heartbeat_at.is_(None), Export.started_at < limit)))
    requeued = failed = 0
    with db.engine.connect() as connection:
        abandoned = connection.execute(select(Export.id, Export.attempts, Export.parameters).where(silent)
                                       .order_by(Export.id)).all()
    for export_id, attempts, parameters in abandoned:
        remove_partial_files(export_id)
        with db.engine.begin() as connection:
            if attempts < MAX_ATTEMPTS:
                # Conditional on the same silence: a worker that came back to life keeps its export.
                changed = connection.execute(update(Export).where(Export.id == export_id, silent)
                                             .values(status=ExportStatus.queued, rows_done=0, rows_total=None,
                                                     heartbeat_at=None)).rowcount
                requeued += changed
            else:
                with force_locale((parameters or {}).get("language", "fr")):
                    error = gettext("The worker building this export stopped: ask for it again.")
                changed = connection.execute(update(Export).where(Export.id == export_id, silent)
                                             .values(status=ExportStatus.failed, error=error,
                                                     finished_at=utcnow())).rowcount
                failed += changed
        if changed:
            log.warning("Export %s abandoned by its worker (attempt %s): %s", export_id, attempts,
                        "queued again" if attempts < MAX_ATTEMPTS else "failed")
            if attempts < MAX_ATTEMPTS:
                jobs.enqueue(run_export, export_id)
    return requeued, failed
