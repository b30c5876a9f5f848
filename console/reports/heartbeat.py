"""Exports whose worker died: the periodic sweep of the running exports whose heartbeat stopped.

While it builds, an export's job renews its ``heartbeat_at`` (``console/heartbeats.py``);
the scheduler's sweep finds running exports whose heartbeat stopped, removes any partial file, and
queues them again once (``MAX_ATTEMPTS``) or marks them failed: an export never
stays « running » and a partial file is never downloadable (a file becomes
the export's only once complete, see ``xlsx.save``).
"""
from __future__ import annotations

import glob
import logging
import os
from contextlib import suppress

from flask import current_app
from flask_babel import force_locale, gettext
from sqlalchemy import select, update

from console import heartbeats, jobs
from console.extensions import db
from console.reports.models import Export, ExportStatus
from console.tenants.models import utcnow

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 2  # an export whose worker died is queued again once, then fails


def remove_partial_files(export_id: int) -> None:
    """Delete what a dead worker left of an export's file (``export-<id>-*.part``)."""
    folder = current_app.config["CONSOLE_EXPORT_DIR"]
    for path in glob.glob(os.path.join(glob.escape(folder), f"export-{export_id}-*.part")):
        with suppress(FileNotFoundError):
            os.remove(path)


@jobs.periodic(heartbeats.interval)
def sweep_abandoned_exports() -> tuple[int, int]:
    """Job: queue again, or fail, the running exports whose heartbeat stopped; (requeued, failed)."""
    from console.reports.jobs import run_export

    silent = heartbeats.silent(Export, ExportStatus.running, Export.started_at)
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
