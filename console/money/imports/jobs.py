"""The chéquier import job: the same function runs in the request (small files), on rq workers and in the web
process's thread pool (big files). It takes the import's id, re-checks the user's rights, sets its own scope."""
from __future__ import annotations

import logging
import os
from contextlib import suppress

from flask_babel import force_locale, gettext
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from console import heartbeats, jobs
from console.audit import api as audit
from console.errors import DomainError
from console.extensions import db
from console.money.dates import paris_day
from console.money.imports import api
from console.money.imports.models import ChequierImport, ImportStatus
from console.money.imports.rows import COLUMNS, header_key
from console.tenants.context import EVERYTHING, only, scoped
from console.tenants.models import ConsoleUser, utcnow

log = logging.getLogger(__name__)


def progress_key(import_id: int) -> str:
    return f"chequier-import:{import_id}"


def start(imported: ChequierImport, rows: int | None) -> None:
    """Run a committed, queued import: at once for a small file, else in the background."""
    if rows is not None and rows <= api.SYNC_ROWS:
        run_import(imported.id)
    else:
        jobs.enqueue(run_import, imported.id)


def accepted_headers() -> tuple[dict[str, set[str]], dict[str, str]]:
    """Each column's header in every language of the console (a French file is read by an English user too),
    and as the user reads it."""
    shown = {name: gettext(header) for name, header in COLUMNS}
    names: dict[str, set[str]] = {name: {header_key(name)} for name, _ in COLUMNS}
    for language in ("fr", "en"):
        with force_locale(language):
            for name, header in COLUMNS:
                names[name].add(header_key(gettext(header)))
    return names, shown


def run_import(import_id: int) -> None:
    """Job: check and write one queued import, then delete its file; the outcome is the import's record.

    A failure is recorded, not re-raised: rq never runs an import twice behind the user's back."""
    with Session(db.engine) as session:
        claimed = session.execute(
            update(ChequierImport).where(ChequierImport.id == import_id, ChequierImport.status == ImportStatus.queued)
            .values(status=ImportStatus.running, heartbeat_at=utcnow()).execution_options(tenant_unscoped=True)
        ).rowcount
        session.commit()
        if not claimed:
            return
        with scoped(EVERYTHING):
            imported = session.get(ChequierImport, import_id)
            user = session.get(ConsoleUser, imported.user_id)
            path, cid = imported.file_path, imported.collectivite_id
        key = progress_key(import_id)
        try:
            with force_locale(imported.language), scoped(only(cid)), heartbeats.beating(
                    db.engine, ChequierImport, import_id, ImportStatus.running, heartbeats.interval()):
                _run(session, imported, user, path, key)
        except Exception as error:  # noqa: BLE001 - every failure is the import's, recorded for the user
            session.rollback()
            log.exception("Chéquier import %s failed", import_id)
            with force_locale(imported.language):
                message = str(error) if isinstance(error, DomainError) else gettext(
                    "The import failed: %(error)s", error=str(error) or type(error).__name__)
            with scoped(EVERYTHING):
                imported = session.get(ChequierImport, import_id)
                imported.status, imported.error, imported.finished_at = ImportStatus.failed, message, utcnow()
                imported.file_path = None
                audit.record(session, "chequier.import", imported, {
                    "file": imported.filename, "failed": getattr(error, "rule", None) or type(error).__name__,
                    "written": 0}, actor=user, collectivite_id=cid)
                session.commit()
        finally:
            if path:
                with suppress(FileNotFoundError):
                    os.remove(path)
            jobs.set_progress(key, 1, 1)


def _run(session: Session, imported: ChequierImport, user: ConsoleUser, path: str, key: str) -> None:
    api.check_may_import(session, user, imported.collectivite_id)  # as of now: rights may have changed since
    with open(path, "rb") as upload:
        data = upload.read()
    outcome = api.run(session, imported, user, data, accepted_headers(), paris_day(utcnow()),
                      lambda done, total: jobs.set_progress(key, done, total))
    if not _still_running(session, imported.id):  # swept meanwhile: its user was told nothing was written
        log.warning("Chéquier import %s was swept while it ran: nothing written", imported.id)
        session.rollback()
        return
    api.finish(imported, outcome, lambda problem: [
        problem[0], gettext(api.COLUMN_HEADERS.get(problem[1], problem[1])), str(problem[2])])
    imported.file_path = None
    session.commit()


def _still_running(session: Session, import_id: int) -> bool:
    """Whether the import is still this job's, held so until the commit (the row is locked, so the sweep
    cannot fail it between this check and the rows' commit)."""
    return bool(session.execute(
        update(ChequierImport).where(ChequierImport.id == import_id, ChequierImport.status == ImportStatus.running)
        .values(heartbeat_at=utcnow())).rowcount)


@jobs.periodic(heartbeats.interval)
def sweep_abandoned_imports() -> int:
    """Job: fail the running imports whose heartbeat stopped, and delete their file; how many.

    Their worker died: the import's one transaction died with it, so nothing was written, and the user is
    told to import the file again (not queued again: a file may be what killed the worker). A worker that
    comes back to life after the sweep writes nothing (``_still_running``)."""
    silent = heartbeats.silent(ChequierImport, ImportStatus.running, ChequierImport.created_at)
    with db.engine.connect() as connection:
        abandoned = connection.execute(select(ChequierImport.id, ChequierImport.language, ChequierImport.file_path)
                                       .where(silent).order_by(ChequierImport.id)).all()
    failed = 0
    for import_id, language, path in abandoned:
        with force_locale(language):
            error = gettext("The process running this import stopped: nothing was written. Import the file again.")
        with db.engine.begin() as connection:
            changed = connection.execute(update(ChequierImport).where(ChequierImport.id == import_id, silent)
                                         .values(status=ImportStatus.failed, error=error, finished_at=utcnow(),
                                                 file_path=None)).rowcount
        if changed:
            failed += 1
            log.warning("Chéquier import %s abandoned by its worker: failed", import_id)
            if path:
                with suppress(FileNotFoundError):
                    os.remove(path)
    return failed
