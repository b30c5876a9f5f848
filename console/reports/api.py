"""The writes of the reports domain: ask for an export, retry it, expire old files. Flush, never commit."""
from __future__ import annotations

import os
from contextlib import suppress
from datetime import date, datetime, timedelta
from typing import Any, Mapping, Optional

from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import Session

from console.audit import api as audit
from console.errors import N_, Conflict, DomainError, NotFound
from console.partners.models import Partner
from console.reports.access import export_scope
from console.reports.models import Export, ExportKind, ExportStatus
from console.tenants.context import Scope
from console.tenants.models import ConsoleUser, utcnow
from console.tenants.scoping import tenant_clause

LANGUAGES = ("fr", "en")
DEFAULT_TTL_HOURS = 72.0


def ttl_hours(config: Mapping[str, Any]) -> float:
    """How long finished files are kept: CONSOLE_EXPORT_TTL_HOURS (configuration, then environment), else 72."""
    value = config.get("CONSOLE_EXPORT_TTL_HOURS") or os.environ.get("CONSOLE_EXPORT_TTL_HOURS")
    return float(value) if value else DEFAULT_TTL_HOURS


def check_period(start: Optional[date], end: Optional[date]) -> None:
    """A period runs from its first day to its last day, both included."""
    if start is None or end is None:
        raise DomainError(N_("Give the first and the last day of the period."), rule="period", field="period_start")
    if start > end:
        raise DomainError(
            N_("The period cannot end (%(end)s) before it starts (%(start)s)."),
            rule="period", field="period_end", start=start, end=end,
        )


def request_export(
    session: Session,
    user: ConsoleUser,
    kind: ExportKind,
    *,
    collectivite_id: Optional[int] = None,
    period_start: Optional[date] = None,
    period_end: Optional[date] = None,
    language: str = "fr",
) -> Export:
    """Record a queued export; the caller commits, then starts it with ``reports.jobs.start``."""
    if collectivite_id is None and user.collectivite_id is not None:
        collectivite_id = user.collectivite_id
    scope = export_scope(user, kind, collectivite_id)
    parameters: dict[str, Any] = {"language": language if language in LANGUAGES else "fr"}
    if kind is not ExportKind.partners:
        check_period(period_start, period_end)
        parameters.update(period_start=period_start.isoformat(), period_end=period_end.isoformat())
    export = Export(user_id=user.id, collectivite_id=collectivite_id, kind=kind, parameters=parameters,
                    status=ExportStatus.queued, rows_done=0)
    session.add(export)
    session.flush()
    details: dict[str, Any] = {"kind": kind, **parameters}
    if kind is ExportKind.partners:
        # DESIGN: every look-up is audited, and a partners export is the widest look-up there is: its
        # export.create event, with the partners it covers, is the look-up log's record of it.
        details["partners"] = count_partners(session, scope)
    audit.record(session, "export.create", export, details, actor=user, collectivite_id=collectivite_id)
    return export


def count_partners(session: Session, scope: Scope) -> int:
    """How many partners an export over ``scope`` lists (the export's own explicit tenant clause)."""
    return session.scalar(select(func.count(Partner.id)).where(tenant_clause(Partner, scope)))


def visible_exports(user: ConsoleUser) -> Select:
    """The one query of exports: a user's own, within the collectivité they belong to now."""
    statement = select(Export).where(Export.user_id == user.id)
    if user.collectivite_id is not None:
        statement = statement.where(Export.collectivite_id == user.collectivite_id)
    return statement


def get_export(session: Session, user: ConsoleUser, export_id: int) -> Export:
    """One of the user's exports; another's (any collectivité) is NotFound, indistinguishable from none."""
    export = session.execute(
        visible_exports(user).where(Export.id == export_id).execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if export is None:
        raise NotFound(N_("No such export."), rule="export")
    return export


def retry_export(session: Session, user: ConsoleUser, export_id: int) -> Export:
    """Queue a failed export again, if the user may still ask for it; the caller commits then starts it."""
    export = get_export(session, user, export_id)
    export_scope(user, export.kind, export.collectivite_id)
    # Conditional update: two clicks on "retry" queue the export once.
    changed = session.execute(
        update(Export)
        .where(Export.id == export.id, Export.status == ExportStatus.failed)
        .values(status=ExportStatus.queued, error=None, rows_done=0, rows_total=None,
                started_at=None, finished_at=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not changed:
        raise Conflict(N_("Only a failed export can be retried."), rule="export")
    session.refresh(export)
    audit.record(session, "export.retry", export, {"kind": export.kind}, actor=user,
                 collectivite_id=export.collectivite_id)
    return export


def record_download(session: Session, user: ConsoleUser, export: Export) -> None:
    """The file of an export left the console: audited (the caller commits)."""
    audit.record(session, "export.download", export, {"kind": export.kind, "rows": export.rows_done}, actor=user,
                 collectivite_id=export.collectivite_id)


def download_path(export: Export, now: Optional[datetime] = None) -> str:
    """The path of a complete, unexpired export file; anything else is refused."""
    now = now or utcnow()
    if export.status is ExportStatus.expired:
        raise NotFound(N_("This export has expired: ask for a new one."), rule="export_expiry")
    if export.status is not ExportStatus.done or not export.file_path:
        raise Conflict(N_("This export is not ready: it can be downloaded once complete."), rule="export")
    if export.expires_at is not None and export.expires_at <= now:
        raise NotFound(N_("This export has expired: ask for a new one."), rule="export_expiry")
    if not os.path.isfile(export.file_path):
        raise NotFound(N_("This export has expired: ask for a new one."), rule="export_expiry")
    return export.file_path


def expiry_of(finished_at: datetime, ttl_hours: float) -> datetime:
    """When a finished file is deleted (CONSOLE_EXPORT_TTL_HOURS after it was finished)."""
    return finished_at + timedelta(hours=ttl_hours)


def expire_exports(session: Session, now: Optional[datetime] = None) -> int:
    """Delete the files of every export past its expiry and mark them expired; return how many."""
    now = now or utcnow()
    expired = session.execute(
        select(Export).where(Export.status == ExportStatus.done, Export.expires_at <= now)
    ).scalars().all()
    for export in expired:
        if export.file_path:
            with suppress(FileNotFoundError):
                os.remove(export.file_path)
        export.status = ExportStatus.expired
        export.file_path = None
    session.flush()
    return len(expired)
