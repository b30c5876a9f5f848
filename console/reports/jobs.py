"""The export job: the same function runs on rq workers and in the web process's thread pool."""
from __future__ import annotations

import logging
import os
import secrets
from datetime import date, datetime
from typing import Callable
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import force_locale, gettext
from sqlalchemy import update
from sqlalchemy.orm import Session

from console import heartbeats, jobs
from console.errors import DomainError
from console.extensions import db
from console.i18n import format_day, format_label
from console.reports import api as reports_api
from console.reports import cheques, complaints, partners, reimbursements, schedule, summary, xlsx
from console.reports import heartbeat  # noqa: F401  (registers the sweep of abandoned exports)
from console.reports import audit as audit_report
from console.reports.access import export_scope
from console.reports.models import Export, ExportKind, ExportStatus
from console.reports.report import Progress, Report
from console.tenants.context import EVERYTHING, scoped
from console.tenants.models import Collectivite, ConsoleUser, utcnow

log = logging.getLogger(__name__)

BUILDERS: dict[ExportKind, Callable[[Report], None]] = {
    ExportKind.partners: partners.build,
    ExportKind.reimbursements: reimbursements.build,
    ExportKind.cheques: cheques.build,
    ExportKind.complaints: complaints.build,
    ExportKind.summary: summary.build,
    ExportKind.audit: audit_report.build,
}


def progress_key(export_id: int) -> str:
    return f"export:{export_id}"


def start(export: Export) -> None:
    """Hand a committed, queued export to the job runner."""
    jobs.enqueue(run_export, export.id)


def local_now() -> datetime:
    """The time of the console's users (Excel has no time zones)."""
    zone = ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Europe/Paris"))
    return datetime.now(zone).replace(tzinfo=None)


def run_export(export_id: int) -> None:
    """Job: build the file of one queued export, re-checking the user's rights; record the outcome.

    The export's own record says whether it failed: the error is not re-raised,
    so rq does not retry behind the user's back (the user retries from the page).
    """
    with Session(db.engine) as session:
        claimed = session.execute(
            update(Export).where(Export.id == export_id, Export.status == ExportStatus.queued)
            .values(status=ExportStatus.running, started_at=utcnow(), heartbeat_at=utcnow(),
                    attempts=Export.attempts + 1)
        ).rowcount
        session.commit()
        if not claimed:
            return  # already taken by another worker, or no longer queued
        export = session.get(Export, export_id)
        attempt = export.attempts
        language = export.parameters.get("language", "fr")
        path = os.path.join(current_app.config["CONSOLE_EXPORT_DIR"], f"export-{export.id}-{secrets.token_hex(8)}.xlsx")
        with force_locale(language), heartbeats.beating(db.engine, Export, export_id, ExportStatus.running, heartbeats.interval()):
            try:
                rows = _build(session, export, path)
            except Exception as error:  # noqa: BLE001 - every failure is the export's, recorded for the user
                session.rollback()
                log.exception("Export %s failed", export_id)
                _finish(session, export_id, attempt, status=ExportStatus.failed, error=_message(error))
                return
            finished = utcnow()
            if not _finish(session, export_id, attempt, status=ExportStatus.done, rows_done=rows, file_path=path,
                           file_size=os.path.getsize(path), finished_at=finished,
                           expires_at=reports_api.expiry_of(finished, reports_api.ttl_hours(current_app.config))):
                os.remove(path)  # swept as abandoned meanwhile: another attempt owns the export now
                return
            if export.parameters.get("mail"):
                schedule.mail_summary(session, session.get(Export, export_id, populate_existing=True))


def _build(session: Session, export: Export, path: str) -> int:
    """Check the rights as of now, then write the workbook atomically at ``path``; return the rows written."""
    with scoped(EVERYTHING):
        user = session.get(ConsoleUser, export.user_id)
        scope = export_scope(user, export.kind, export.collectivite_id)
        roles = frozenset(user.role_names)
        author = f"{user.first_name} {user.last_name}".strip()
        collectivite = session.get(Collectivite, export.collectivite_id) if export.collectivite_id else None
        where = collectivite.name if collectivite else gettext("All collectivités")
    parameters = export.parameters
    key = progress_key(export.id)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    title = format_label(export.kind)
    with xlsx.writing(path) as workbook:
        report = Report(
            session=session, workbook=workbook, scope=scope, today=local_now().date(),
            period_start=_day(parameters.get("period_start")), period_end=_day(parameters.get("period_end")),
            progress=Progress(lambda done, total: jobs.set_progress(key, done, total)), roles=roles,
        )
        with scoped(scope):
            BUILDERS[export.kind](report)
        _filters_sheet(report, title, where, author)
        xlsx.set_print_headers(workbook, where, format_day(local_now().date()))
        xlsx.set_properties(workbook, title=f"{title} — {where}", author=author,
                            subject=gettext("Pass Numérique"), description=gettext("Console Pass Numérique"))
    return report.progress.done


def _filters_sheet(report: Report, title: str, where: str, author: str) -> None:
    """The sheet that says what the workbook holds: filters, author, generation time."""
    pairs: list[tuple] = [(gettext("Report"), title), (gettext("Collectivité"), where)]
    if report.period_start:
        pairs += [(gettext("Period from"), report.period_start), (gettext("Period to"), report.period_end)]
    pairs += [(gettext("Generated by"), author), (gettext("Generated on"), local_now().replace(microsecond=0)),
              (gettext("Rows"), report.progress.done)]
    xlsx.write_key_values(report.workbook, gettext("Filters"), pairs)


def _finish(session: Session, export_id: int, attempt: int, **values: object) -> bool:
    """Record the outcome of this attempt; False when the export is no longer this attempt's (swept)."""
    changed = session.execute(
        update(Export).where(Export.id == export_id, Export.status == ExportStatus.running,
                             Export.attempts == attempt).values(**values)
    ).rowcount
    session.commit()
    if changed:
        jobs.set_progress(progress_key(export_id), int(values.get("rows_done") or 0), None)
    return bool(changed)


def _message(error: Exception) -> str:
    """What the user reads about a failure, in their language."""
    if isinstance(error, DomainError):
        return str(error)
    return gettext("The export failed: %(error)s", error=str(error) or type(error).__name__)


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None
