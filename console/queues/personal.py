"""The home page's personal lines: a support agent's recent look-ups, an élu's latest monthly summary.

Both read only the user's own rows, through bounded, indexed queries. No Flask.
"""
from __future__ import annotations

from datetime import date
from typing import Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from console.partners.models import LookupAudit
from console.reports import api as reports_api
from console.reports.models import Export, ExportKind, ExportStatus
from console.tenants.models import ConsoleUser

RECENT_LOOKUPS = 10


def recent_lookups(session: Session, user: ConsoleUser, limit: int = RECENT_LOOKUPS) -> list[LookupAudit]:
    """The user's own latest look-ups (search page and API), newest first (index ``ix_lookup_audit_user_at``)."""
    return list(session.scalars(
        select(LookupAudit).where(LookupAudit.user_id == user.id, LookupAudit.channel.in_(("page", "api")))
        .order_by(LookupAudit.at.desc(), LookupAudit.id.desc()).limit(limit)))


def latest_summary(session: Session, user: ConsoleUser) -> Optional[Export]:
    """The user's latest complete summary workbook (the monthly one e-mailed to subscribed élus), or None."""
    return session.scalars(
        reports_api.visible_exports(user).where(Export.kind == ExportKind.summary, Export.status == ExportStatus.done)
        .order_by(Export.created_at.desc(), Export.id.desc()).limit(1)).first()


def period(export: Export) -> tuple[date, date]:
    """The first and last day a summary workbook covers."""
    return (date.fromisoformat(export.parameters["period_start"]), date.fromisoformat(export.parameters["period_end"]))
