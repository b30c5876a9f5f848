"""The home page's personal lines: a support agent's recent look-ups, an élu's latest monthly summary.

Both read only the user's own rows, through bounded, indexed queries. No Flask.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Optional

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from console.audit.canonical import dumps
from console.audit.models import AuditEvent
from console.reports import api as reports_api
from console.reports.models import Export, ExportKind, ExportStatus
from console.tenants.models import ConsoleUser

RECENT_LOOKUPS = 10


@dataclass(frozen=True)
class RecentLookup:
    searched: str
    at: datetime
    result_count: int


def _channel_is(channel: str):
    # Details are canonical JSON (sorted keys, no spaces): the pair reads the same in every event.
    return AuditEvent.details.contains(dumps({"channel": channel})[1:-1])


def recent_lookups(session: Session, user: ConsoleUser, limit: int = RECENT_LOOKUPS) -> list[RecentLookup]:
    """The user's own latest look-ups (search page and API, not the search-as-you-type fields), newest
    first, read from the audit trail (index ``ix_audit_event_actor_at``)."""
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.actor_id == user.id, AuditEvent.action == "lookup.search",
                                 or_(_channel_is("page"), _channel_is("api")))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit))
    found = []
    for event in events:
        details = event.details_dict
        found.append(RecentLookup(details.get("query", ""), event.at, int(details.get("count", 0))))
    return found


def latest_summary(session: Session, user: ConsoleUser) -> Optional[Export]:
    """The user's latest complete summary workbook (the monthly one e-mailed to subscribed élus), or None."""
    return session.scalars(
        reports_api.visible_exports(user).where(Export.kind == ExportKind.summary, Export.status == ExportStatus.done)
        .order_by(Export.created_at.desc(), Export.id.desc()).limit(1)).first()


def period(export: Export) -> tuple[date, date]:
    """The first and last day a summary workbook covers."""
    return (date.fromisoformat(export.parameters["period_start"]), date.fromisoformat(export.parameters["period_end"]))
